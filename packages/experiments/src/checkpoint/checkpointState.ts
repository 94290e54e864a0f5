/**
 * The format tag of a sam-train checkpoint's `state.json`.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { CHECKPOINT_FORMAT } from "@sam/experiments";
 *
 * JSON.parse(readFileSync("runs/a/checkpoints/step-40/state.json", "utf8")).format === CHECKPOINT_FORMAT; // true
 * ```
 */
export const CHECKPOINT_FORMAT = "sam-train-checkpoint/1";

/** One metrics line (`metrics.jsonl`): an evaluation. */
export interface MetricsLine {
  step: number;
  epoch: number;
  /** Mean training loss of the steps since the previous evaluation. */
  train_loss: number;
  validation_loss?: number;
  validation_accuracy?: number;
  test_loss: number;
  test_accuracy: number;
  /** Wall time of the run so far, evaluations included (differs between runs). */
  seconds: number;
  /** Training images per second since the previous evaluation (differs between runs). */
  images_per_second: number;
  backend: string;
}

/**
 * The fields of a metrics line that depend on the machine, not on the computation: two runs of
 * one config agree on every other field.
 *
 * @example
 * ```ts
 * declare const line: MetricsLine; // a line of metrics.jsonl
 * const comparable = Object.fromEntries(Object.entries(line).filter(([k]) => !TIMING_FIELDS.includes(k as never)));
 * ```
 */
export const TIMING_FIELDS = ["seconds", "images_per_second", "backend"] as const;

/**
 * Everything a run needs to continue, besides the weights and optimizer slots: the position,
 * the state of every random stream, the running loss and the metrics so far.
 */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** Steps done. */
  step: number;
  /** The epoch of the next step, and the next batch's index within it. */
  epoch: number;
  batchInEpoch: number;
  /** SHA-256 of the resolved config (canonical JSON); a checkpoint of another config is refused. */
  configSha256: string;
  /**
   * The random streams. All are counter-based (see `STREAMS`): their state is the seed and the
   * counter where the run stands. Recorded so that a resume checks them against its own.
   */
  streams: {
    dataOrder: { seed: number; epoch: number };
    augmentation: { seed: number; step: number } | null;
    labelNoise: { seed: number; fraction: number } | null;
    optimizer: { seed: number; step: number };
    dropout: "none";
  };
  /** The training loss summed over the steps since the last evaluation, and their count. */
  running: { lossSum: number; count: number; images: number };
  metrics: MetricsLine[];
  /** The steps the run was resumed from before this checkpoint. */
  resumedFrom?: number[];
  /** Wall time so far. */
  seconds: number;
  /** SHA-256 of every other file of the checkpoint, by relative path. */
  files: Record<string, string>;
}
