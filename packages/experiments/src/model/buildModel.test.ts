import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel, modelInput, refuseUnseededRandomLayers } from "./buildModel";

describe("buildModel", () => {
  it("takes the input shape and the class count from the data", () => {
    const m = buildModel({ builder: "smallConvNet", options: { filters: [4] } }, [8, 8, 1], 3, 1);
    expect(m.inputs[0]!.shape).toEqual([null, 8, 8, 1]);
    expect(m.outputs[0]!.shape).toEqual([null, 3]);
    m.dispose();
    const flat = modelInput("mlp", {
      xs: new Float32Array(8),
      xShape: [2, 2, 1],
      ys: new Int32Array(2),
      yShape: [],
      size: 2,
    });
    expect(flat.xShape).toEqual([4]);
  });

  it("says which builder takes images when the data are vectors", () => {
    expect(() => buildModel({ builder: "cifarResNet", options: {} }, [2], 2, 1)).toThrow(
      /model\.builder is "cifarResNet", which takes images .* shape \[2\]\. Use "mlp"/,
    );
  });

  it("passes the builder's own error on, naming model.options", () => {
    expect(() => buildModel({ builder: "mlp", options: { widths: [0] } }, [2], 2, 1)).toThrow(
      /^model\.options \(mlp\): /,
    );
  });

  it("refuses a dropout layer (tfjs draws its masks from an unseeded global generator)", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [2], name: "fc" }),
        tf.layers.dropout({ rate: 0.2, name: "drop" }),
        tf.layers.dense({ units: 2, name: "head" }),
      ],
    });
    expect(() => refuseUnseededRandomLayers(model)).toThrow(
      /layer "drop" is Dropout with rate 0\.2\. .*Set the model's dropout to 0 for sam-train/,
    );
    const zero = tf.sequential({ layers: [tf.layers.dropout({ rate: 0, inputShape: [2] })] });
    expect(() => refuseUnseededRandomLayers(zero)).not.toThrow();
    model.dispose();
    zero.dispose();
  });
});
