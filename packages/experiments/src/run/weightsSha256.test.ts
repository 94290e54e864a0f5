import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { weightsSha256 } from "./weightsSha256";

describe("weightsSha256", () => {
  it("hashes name, dtype, shape and the little-endian float32 bytes of each weight in order", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], name: "fc" })] });
    model.setWeights([tf.tensor2d([[1], [2]]), tf.tensor1d([0.5])]);
    const h = createHash("sha256");
    h.update("fc/kernel\0float32[2,1]\0");
    h.update(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])); // 1.0f, 2.0f
    h.update("fc/bias\0float32[1]\0");
    h.update(Buffer.from([0, 0, 0, 0x3f])); // 0.5f
    const digest = weightsSha256(model);
    expect(digest).toBe(h.digest("hex"));
    model.setWeights([tf.tensor2d([[1], [2]]), tf.tensor1d([0.50000006])]); // one ulp
    expect(weightsSha256(model)).not.toBe(digest);
    model.dispose();
  });
});
