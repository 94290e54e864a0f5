/**
 * `pnpm bench:backend`: CIFAR ResNet-20 training throughput (images/s, batch 128, 32x32x3) of
 *   1. baseline: stock wasm with only the filter gradient filled in, in the prototype's
 *      forward-convolution form (the issue's 7.6 images/s measurement; the state before this package),
 *   2. wasm with all @sam/backend kernels, 1 thread,
 *   3. the same with 2 threads (experimental shim),
 *   4. PyTorch on the same model, batch and machine, when a python3 with torch is found,
 *   5. libtensorflow through @tensorflow/tfjs-node with the @sam/backend training gradients, when
 *      it loads (`pnpm setup:tfjs-node`): `tensorflow_images_per_s` and `ratio_to_tfjs_node`
 *      (best wasm / tensorflow).
 * Each configuration runs in its own child process (the tfjs backend is global). The last line
 * printed is one JSON object. Env: BENCH_BATCH (128), BENCH_STEPS (4; images/s is from the best step), BENCH_PYTHON.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const batch = process.env.BENCH_BATCH ?? "128";
const steps = process.env.BENCH_STEPS ?? "4";

interface Row {
  config: string;
  threads: number;
  images_per_s: number;
  step_ms: number;
}

function lastJson(output: string): Row {
  const lines = output.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Row;
}

function runTfjs(config: string, threads: number): Row | undefined {
  try {
    const out = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@sam/source",
        join(here, "trainStep.ts"),
        config,
        String(threads),
        batch,
        steps,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], cwd: join(here, "..") },
    );
    const row = lastJson(out);
    console.log(
      `${config.padEnd(9)} ${config === "tensorflow" ? "libtensorflow's own threads" : `threads=${threads}`}: ${row.images_per_s.toFixed(1)} images/s (${row.step_ms.toFixed(0)} ms/step)`,
    );
    return row;
  } catch (error) {
    console.log(`${config} threads=${threads}: failed (${(error as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

/** Whether tfjs-node loads from this package (a child process: a broken native library cannot crash the bench). */
function tfjsNodeLoads(): boolean {
  const r = spawnSync(process.execPath, ["-e", "require('@tensorflow/tfjs-node')"], {
    cwd: join(here, ".."),
    stdio: "ignore",
  });
  return r.status === 0;
}

function findTorchPython(): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, "python3", "/usr/bin/python3"].filter(
    (p): p is string => !!p,
  );
  for (const python of candidates) {
    try {
      execFileSync(python, ["-c", "import torch"], { stdio: "ignore" });
      return python;
    } catch {
      // no torch here: try the next one
    }
  }
  return undefined;
}

function main(): void {
  console.log(
    `ResNet-20 training, batch ${batch}, ${steps} timed steps after 1 warm-up (best step reported); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const baseline = runTfjs("baseline", 1);
  const full1 = runTfjs("full", 1);
  const full2 = runTfjs("full", 2);
  let pytorch: Row | undefined;
  const python = findTorchPython();
  if (python) {
    try {
      pytorch = lastJson(
        execFileSync(python, [join(here, "resnet20_torch.py"), batch, steps, "2"], { encoding: "utf8" }),
      );
      console.log(
        `pytorch   threads=2: ${pytorch.images_per_s.toFixed(1)} images/s (${pytorch.step_ms.toFixed(0)} ms/step)`,
      );
    } catch (error) {
      console.log(`pytorch: failed (${(error as Error).message.split("\n")[0]})`);
    }
  } else {
    console.log("pytorch: skipped (no python3 with torch found; set BENCH_PYTHON)");
  }
  const tensorflow = tfjsNodeLoads() ? runTfjs("tensorflow", 1) : undefined;
  if (!tensorflow)
    console.log("tensorflow: skipped (@tensorflow/tfjs-node does not load; run pnpm setup:tfjs-node)");
  const best = [full1, full2].filter((r): r is Row => !!r).sort((a, b) => b.images_per_s - a.images_per_s)[0];
  const result: Record<string, number | string | undefined> = {
    images_per_s: best?.images_per_s,
    threads: best?.threads,
    images_per_s_1_thread: full1?.images_per_s,
    images_per_s_2_threads: full2?.images_per_s,
    baseline_images_per_s: baseline?.images_per_s,
    speedup_vs_baseline: best && baseline ? best.images_per_s / baseline.images_per_s : undefined,
    batch: Number(batch),
    load_average_1m: loadavg()[0],
  };
  if (pytorch && best) {
    result.pytorch_images_per_s = pytorch.images_per_s;
    result.ratio_to_pytorch = best.images_per_s / pytorch.images_per_s;
  }
  if (tensorflow && best) {
    result.tensorflow_images_per_s = tensorflow.images_per_s;
    result.ratio_to_tfjs_node = best.images_per_s / tensorflow.images_per_s;
  }
  console.log(JSON.stringify(result));
}

main();
