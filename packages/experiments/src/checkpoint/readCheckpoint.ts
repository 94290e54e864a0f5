import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { GroupedOptimizer } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { resolveInside } from "@sam/models/node";
import { CHECKPOINT_FORMAT, type CheckpointState } from "./checkpointState";

const FILES = ["model.json", "weights.bin", "optimizer.json", "optimizer.bin"];

/**
 * A checkpoint that cannot be used: corrupt, truncated, of another config or another model.
 *
 * @example
 * ```ts
 * import { CheckpointError, configSha256, readCheckpoint, type RunConfig } from "@sam/experiments";
 *
 * declare const config: RunConfig;
 * try {
 *   readCheckpoint("runs/a/checkpoints/step-40", configSha256(config));
 * } catch (e: unknown) {
 *   if (e instanceof CheckpointError) console.error(e.message); // which file, and what to do
 * }
 * ```
 */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

function read(dir: string, name: string, what: string): Buffer {
  const path = resolveInside(dir, name, what);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir}: cannot read ${name} (${(e as Error).message}).`);
  }
}

function decode(dir: string, jsonName: string, files: Map<string, Buffer>): tf.NamedTensorMap {
  let json: { weightsManifest?: tf.io.WeightsManifestConfig };
  try {
    json = JSON.parse(files.get(jsonName)!.toString("utf8"));
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir}: ${jsonName} is not valid JSON (${(e as Error).message}).`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest))
    throw new CheckpointError(`checkpoint ${dir}: ${jsonName} has no weightsManifest.`);
  const parts: Buffer[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const abs = resolveInside(dir, p, `checkpoint ${jsonName} weightsManifest path`);
      const name = abs.slice(abs.lastIndexOf("/") + 1);
      const bytes = files.get(name);
      if (!bytes) {
        throw new CheckpointError(
          `checkpoint ${dir}: ${jsonName} names ${JSON.stringify(p)}, which is not one of its files.`,
        );
      }
      parts.push(bytes);
    }
  }
  const specs = manifest.flatMap((g) => g.weights);
  const all = Buffer.concat(parts);
  const expected = specs.reduce(
    (a, s) => a + s.shape.reduce((x, y) => x * y, 1) * (s.dtype === "bool" ? 1 : 4),
    0,
  );
  if (all.byteLength !== expected) {
    throw new CheckpointError(
      `checkpoint ${dir}: ${jsonName} describes ${expected} bytes of weights but its data holds ${all.byteLength}.`,
    );
  }
  const buf = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(buf, specs);
}

/** A verified checkpoint, its tensors decoded (the caller disposes them, or `restoreCheckpoint` does). */
export interface LoadedCheckpoint {
  readonly dir: string;
  readonly state: CheckpointState;
  readonly model: tf.NamedTensorMap;
  readonly optimizer: tf.NamedTensorMap;
}

/**
 * Reads and verifies a checkpoint written by `writeCheckpoint`: `state.json` must parse and
 * carry this format, the config's SHA-256 must equal `configSha256` (a checkpoint of another
 * config is refused), every file must have the SHA-256 that `state.json` records (a truncated
 * or altered file is refused), and every path named inside must stay in the directory. Nothing
 * is written.
 *
 * @throws CheckpointError saying what is wrong and what to do.
 *
 * @example
 * ```ts
 * import { configSha256, readCheckpoint, type RunConfig } from "@sam/experiments";
 *
 * declare const config: RunConfig;
 * const ckpt = readCheckpoint("runs/a/checkpoints/step-40", configSha256(config));
 * ckpt.state.step; // 40
 * ```
 */
export function readCheckpoint(dir: string, configSha256: string): LoadedCheckpoint {
  let state: CheckpointState;
  try {
    state = JSON.parse(read(dir, "state.json", "checkpoint state.json").toString("utf8"));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      `checkpoint ${dir}: state.json is not valid JSON (${(e as Error).message}); the checkpoint is corrupt. Delete it to resume from an older one.`,
    );
  }
  if (state?.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `checkpoint ${dir}: state.json format is ${JSON.stringify(state?.format)}, expected ${JSON.stringify(CHECKPOINT_FORMAT)}.`,
    );
  }
  if (state.configSha256 !== configSha256) {
    throw new CheckpointError(
      `checkpoint ${dir} belongs to another config (config sha256 ${String(state.configSha256).slice(0, 12)}..., this config's ${configSha256.slice(0, 12)}...). ` +
        "Resume with the config.json of that run directory, or start a new --out.",
    );
  }
  const recorded = Object.keys(state.files ?? {}).sort();
  if (JSON.stringify(recorded) !== JSON.stringify([...FILES].sort())) {
    throw new CheckpointError(
      `checkpoint ${dir}: state.json lists files ${JSON.stringify(recorded)}, expected ${JSON.stringify(FILES)}.`,
    );
  }
  const files = new Map<string, Buffer>();
  for (const name of FILES) {
    const bytes = read(dir, name, "checkpoint state.json files");
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (digest !== state.files[name]) {
      throw new CheckpointError(
        `checkpoint ${dir}: ${name} is corrupt or truncated (${bytes.byteLength} bytes, sha256 ${digest.slice(0, 12)}..., state.json records ${state.files[name]!.slice(0, 12)}...). Delete this checkpoint to resume from an older one.`,
      );
    }
    files.set(name, bytes);
  }
  const model = decode(dir, "model.json", files);
  const optimizer = decode(dir, "optimizer.json", files);
  return { dir, state, model, optimizer };
}

/**
 * Writes a verified checkpoint's tensors into the model and the optimizer. Every model weight
 * must be present with its shape (all mismatches are listed before anything is written); the
 * optimizer checks its own. Disposes the checkpoint's tensors.
 *
 * @example
 * ```ts
 * import { configSha256, readCheckpoint, restoreCheckpoint, type RunConfig } from "@sam/experiments";
 *
 * declare const config: RunConfig;
 * await restoreCheckpoint(readCheckpoint("runs/a/checkpoints/step-40", configSha256(config)), model, optimizer);
 * ```
 */
export async function restoreCheckpoint(
  ckpt: LoadedCheckpoint,
  model: tf.LayersModel,
  optimizer: GroupedOptimizer,
): Promise<void> {
  try {
    const problems: string[] = [];
    const names = new Set(model.weights.map((w) => w.originalName));
    for (const w of model.weights) {
      const t = ckpt.model[w.originalName];
      if (!t) problems.push(`${w.originalName}: missing`);
      else if (JSON.stringify(t.shape) !== JSON.stringify(w.shape))
        problems.push(
          `${w.originalName}: shape ${JSON.stringify(t.shape)}, the model's is ${JSON.stringify(w.shape)}`,
        );
    }
    for (const n of Object.keys(ckpt.model))
      if (!names.has(n)) problems.push(`${n}: not a weight of this model`);
    if (problems.length > 0) {
      throw new CheckpointError(`checkpoint ${ckpt.dir} does not fit the model:\n  ${problems.join("\n  ")}`);
    }
    for (const w of model.weights) w.write(ckpt.model[w.originalName]!);
    await optimizer.setWeights(Object.entries(ckpt.optimizer).map(([name, tensor]) => ({ name, tensor })));
  } finally {
    tf.dispose([...Object.values(ckpt.model), ...Object.values(ckpt.optimizer)]);
  }
}
