import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunConfigInput } from "../config/runConfig";

/** A temporary directory for one test. */
export function tempDir(prefix = "sam-train-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A config small enough for a test: an MLP with LayerNorm on 2-D spirals, 24 steps. */
export function tinyConfig(
  method: RunConfigInput["method"],
  extra: Partial<RunConfigInput> = {},
): RunConfigInput {
  return {
    model: { builder: "mlp", options: { widths: [12], norm: "layer" } },
    data: { source: "spirals", train: 96, test: 48, batchSize: 16 },
    method,
    steps: 24,
    evalEvery: 4,
    checkpointEvery: 5,
    keep: 2,
    seed: 3,
    ...extra,
  };
}

/** The methods every resume test covers: SGD, SAM-ON and a Langevin rule. */
export const RESUME_METHODS: Record<string, RunConfigInput["method"]> = {
  sgd: { name: "sgd", hyper: { lr: 0.1 } },
  samOn: { name: "samOn", base: "momentum", rho: 0.5, hyper: { lr: 0.1 } },
  langevin: { name: "langevin", hyper: { h: 0.05, friction: 1, temperature: 0.001 } },
};
