import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { GroupedOptimizer } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { fsyncDir, writeSynced } from "../fs/atomicWrite";
import type { CheckpointState } from "./checkpointState";

/**
 * The directory name of the checkpoint after `step` steps.
 *
 * @example
 * ```ts
 * checkpointName(40); // "step-40"
 * ```
 */
export function checkpointName(step: number): string {
  return `step-${step}`;
}

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

async function encode(named: { name: string; tensor: tf.Tensor }[]) {
  const { data, specs } = await tf.io.encodeWeights(named);
  const buf = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return { bytes: new Uint8Array(buf), specs };
}

/**
 * Writes a checkpoint as `checkpointsDir/step-N/`: `model.json` + `weights.bin` (the tfjs
 * layers-model format, weights keyed by their stable `layer/weight` path, so `loadWeights` and
 * `loadBackbone` of `@sam/models` read it for transfer learning), `optimizer.json` +
 * `optimizer.bin` (the optimizer's `getWeights()`: step counter and slots), and `state.json`
 * (position, random streams, running loss, metrics, and the SHA-256 of every other file).
 *
 * Everything is written into `.tmp-step-N`, each file fsynced, then the directory is renamed to
 * `step-N` and the parent fsynced: a kill at any instant leaves either no `step-N` or a complete
 * one. An existing `step-N` is never overwritten (the call fails). Then all but the newest
 * `keep` checkpoints are deleted.
 *
 * @returns The checkpoint's directory.
 *
 * @example
 * ```ts
 * import { type CheckpointState, writeCheckpoint } from "@sam/experiments";
 *
 * declare const state: Omit<CheckpointState, "files">; // position, streams, running loss, metrics
 * await writeCheckpoint("runs/a/checkpoints", model, optimizer, state, 3); // keep the newest 3
 * ```
 */
export async function writeCheckpoint(
  checkpointsDir: string,
  model: tf.LayersModel,
  optimizer: GroupedOptimizer,
  state: Omit<CheckpointState, "files">,
  keep: number,
): Promise<string> {
  mkdirSync(checkpointsDir, { recursive: true });
  const name = checkpointName(state.step);
  const final = join(checkpointsDir, name);
  if (existsSync(final)) {
    throw new Error(`checkpoint ${final} exists already; sam-train never overwrites a checkpoint.`);
  }
  const tmp = join(checkpointsDir, `.tmp-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);

  const modelWeights = await encode(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  const samMeta = (model as { samMeta?: unknown }).samMeta;
  const modelJson = JSON.stringify({
    format: "layers-model",
    generatedBy: "@sam/experiments sam-train",
    convertedBy: null,
    modelTopology: model.toJSON(null, false),
    weightsManifest: [{ paths: ["./weights.bin"], weights: modelWeights.specs }],
    ...(samMeta ? { userDefinedMetadata: { samMeta } } : {}),
  });
  const named = await optimizer.getWeights();
  const optimizerWeights = await encode(named);
  // getWeights() returns the slot variables themselves, and a new scalar for the step counter
  for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  const optimizerJson = JSON.stringify({
    config: optimizer.getConfig(),
    weightsManifest: [{ paths: ["./optimizer.bin"], weights: optimizerWeights.specs }],
  });
  const files: [string, Uint8Array | string][] = [
    ["weights.bin", modelWeights.bytes],
    ["model.json", modelJson],
    ["optimizer.bin", optimizerWeights.bytes],
    ["optimizer.json", optimizerJson],
  ];
  const digests: Record<string, string> = {};
  for (const [file, data] of files) {
    writeSynced(join(tmp, file), data);
    digests[file] = sha256(data);
  }
  writeSynced(join(tmp, "state.json"), JSON.stringify({ ...state, files: digests }, null, 1));
  fsyncDir(tmp);
  renameSync(tmp, final);
  fsyncDir(checkpointsDir);
  pruneCheckpoints(checkpointsDir, keep);
  return final;
}

/**
 * The complete checkpoints in a directory (`step-N`, newest first); temporary `.tmp-*`
 * directories of an interrupted write are not listed.
 *
 * @example
 * ```ts
 * listCheckpoints("runs/a/checkpoints"); // [{ step: 40, dir: "runs/a/checkpoints/step-40" }, ...]
 * ```
 */
export function listCheckpoints(checkpointsDir: string): { step: number; dir: string }[] {
  if (!existsSync(checkpointsDir)) return [];
  return readdirSync(checkpointsDir)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), dir: join(checkpointsDir, m[0]) }))
    .sort((a, b) => b.step - a.step);
}

function pruneCheckpoints(checkpointsDir: string, keep: number): void {
  const all = listCheckpoints(checkpointsDir);
  for (const old of all.slice(keep)) {
    // rename first, so that a kill during the delete never leaves a half-deleted step-N
    const doomed = join(checkpointsDir, `.tmp-delete-step-${old.step}`);
    renameSync(old.dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
  }
  if (all.length > keep) fsyncDir(checkpointsDir);
}
