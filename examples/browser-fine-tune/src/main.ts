/**
 * The page: loads the real digits 5-9 (`mnistDigits`) and the body pretrained on 0-4
 * (`body/model.json`), fine-tunes with SGD, SAM and SAM-ON one after the other with a live loss
 * plot, then draws SAM-ON's per-block interpolation from the pretrained to the fine-tuned weights.
 * `?backend=cpu|webgl|wasm` picks the backend (default: TensorFlow.js' choice). The outcome is
 * left in `window.fineTuneResult` (the test reads it).
 */
import { block, collectParams } from "@sam/core";
import { interpolate, interpolationPlot, makePlot, modelEvaluator } from "@sam/landscape";
import { mnistDigits, toTensors } from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import { fineTune, flatten, METHODS, type Method, type RunResult, SETTINGS } from "./fineTune";

declare global {
  interface Window {
    fineTuneResult?: unknown;
  }
}

const statusEl = document.getElementById("status")!;
const tbody = document.querySelector("#results tbody")!;
const setStatus = (text: string) => {
  statusEl.textContent = text;
};

function lossPlotSpec(points: { method: Method; step: number; loss: number }[]) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Training loss per step (fine-tuning on digits 5-9)",
    width: 480,
    height: 260,
    data: { values: points },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "loss", type: "quantitative", title: "cross-entropy (batch)" },
      color: { field: "method", type: "nominal", sort: [...METHODS], title: "method" },
    },
  };
}

async function main() {
  const wanted = new URLSearchParams(location.search).get("backend");
  if (wanted && !(await tf.setBackend(wanted))) throw new Error(`backend ${wanted} is not available here`);
  await tf.ready();
  setStatus(`backend ${tf.getBackend()}: loading digits 5-9 and the pretrained body…`);
  const split = await mnistDigits({
    digits: [5, 6, 7, 8, 9],
    labels: "index",
    perDigit: 200,
    seed: SETTINGS.seed,
  });
  const train = flatten(split.train);
  const test = flatten(split.test);
  const pretrained = await tf.loadLayersModel(new URL("body/model.json", location.href).href);

  const points: { method: Method; step: number; loss: number }[] = [];
  const lossesEl = document.getElementById("losses")!;
  let drawing: Promise<void> = Promise.resolve();
  const redraw = () => {
    drawing = drawing.then(async () => {
      lossesEl.innerHTML = await makePlot(lossPlotSpec([...points])).svg();
    });
    return drawing;
  };

  const runs: RunResult[] = [];
  for (const method of METHODS) {
    setStatus(
      `backend ${tf.getBackend()}: fine-tuning with ${method} (${train.size} digits, ${SETTINGS.epochs} epochs)…`,
    );
    const run = await fineTune(method, pretrained, train, test, async (step, loss) => {
      points.push({ method, step, loss });
      if (step % 10 === 0) await redraw();
    });
    await redraw();
    runs.push(run);
    const perEpoch = Math.ceil(train.size / SETTINGS.batchSize);
    const last = run.losses.slice(-perEpoch);
    const row = document.createElement("tr");
    row.innerHTML = [
      method,
      run.accuracyBefore.toFixed(3),
      run.accuracyAfter.toFixed(3),
      (last.reduce((a, b) => a + b, 0) / last.length).toFixed(3),
      String(run.losses.length),
      run.seconds.toFixed(1),
    ]
      .map((c) => `<td>${c}</td>`)
      .join("");
    tbody.append(row);
  }

  setStatus(`backend ${tf.getBackend()}: interpolating SAM-ON's run block by block…`);
  const samOnRun = runs.find((r) => r.method === "SAM-ON")!;
  const { xs, ys } = toTensors(test);
  const interpolation = await interpolate({
    params: collectParams(samOnRun.model),
    from: samOnRun.from,
    to: samOnRun.to,
    alphas: [0, 0.25, 0.5, 0.75, 1],
    groups: samOnRun.model.samMeta.blocks.map((b, i) => ({ label: b, select: block(i) })),
    evaluate: modelEvaluator({ model: samOnRun.model, x: xs, y: ys }),
  });
  tf.dispose([xs, ys]);
  document.getElementById("interpolation")!.innerHTML = await interpolationPlot(interpolation, {
    title: "SAM-ON: test loss from pretrained (0) to fine-tuned (1), one block at a time",
  }).svg();

  window.fineTuneResult = {
    backend: tf.getBackend(),
    train: train.size,
    test: test.size,
    runs: runs.map((r) => ({
      method: r.method,
      accuracyBefore: r.accuracyBefore,
      accuracyAfter: r.accuracyAfter,
      firstLoss: r.losses[0],
      lastLoss: r.losses[r.losses.length - 1],
      steps: r.losses.length,
    })),
    interpolation: interpolation.curves.map((c) => ({ label: c.label, loss: c.loss })),
    tensors: tf.memory().numTensors,
  };
  setStatus(
    `backend ${tf.getBackend()}: done. ${train.size} training and ${test.size} test digits (5-9), body pretrained on 0-4.`,
  );
}

main().catch((e: Error) => {
  setStatus(`failed: ${e.message}`);
  window.fineTuneResult = { error: e.stack ?? e.message };
});
