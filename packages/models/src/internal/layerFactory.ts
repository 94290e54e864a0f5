import * as tfl from "@tensorflow/tfjs-layers";
import type { MetaRecorder } from "./metaRecorder";

/**
 * BatchNorm settings shared by the builders: PyTorch's defaults (running-average update 0.1, so
 * tfjs `momentum` = 1 - 0.1 = 0.9; epsilon 1e-5), which the papers' CIFAR recipes assume.
 * tfjs' own defaults (0.99, 1e-3) converge the moving statistics too slowly for short runs.
 */
export const BN_MOMENTUM = 0.9;
export const BN_EPSILON = 1e-5;
/** LayerNorm epsilon (PyTorch default). */
export const LN_EPSILON = 1e-5;

/** A bias-free conv with He-normal (fan-in) initialization, recorded in the current block. */
export function conv(
  rec: MetaRecorder,
  name: string,
  filters: number,
  kernelSize: number,
  strides = 1,
  useBias = false,
): tfl.layers.Layer {
  return rec.add(
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: "same",
      useBias,
      kernelInitializer: tfl.initializers.heNormal({ seed: rec.nextSeed() }),
    }),
  );
}

/** A BatchNormalization layer with {@link BN_MOMENTUM} and {@link BN_EPSILON}. */
export function batchNorm(rec: MetaRecorder, name: string): tfl.layers.Layer {
  return rec.add(tfl.layers.batchNormalization({ name, momentum: BN_MOMENTUM, epsilon: BN_EPSILON }));
}

/** A LayerNormalization layer over the last axis. */
export function layerNorm(rec: MetaRecorder, name: string): tfl.layers.Layer {
  return rec.add(tfl.layers.layerNormalization({ name, epsilon: LN_EPSILON }));
}

/** A ReLU activation layer. */
export function relu(rec: MetaRecorder, name: string): tfl.layers.Layer {
  return rec.add(tfl.layers.activation({ name, activation: "relu" }));
}

/** The classifier head: Glorot-uniform dense layer named `head`, logits unless `activation` says otherwise. */
export function head(
  rec: MetaRecorder,
  units: number,
  activation: "linear" | "softmax" = "linear",
  name = "head",
): tfl.layers.Layer {
  return rec.add(
    tfl.layers.dense({
      name,
      units,
      activation,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: rec.nextSeed() }),
    }),
  );
}

/** A dense layer with Glorot-uniform initialization. */
export function dense(
  rec: MetaRecorder,
  name: string,
  units: number,
  activation: "linear" | "relu" | "gelu" | "tanh" | "sigmoid" | "elu" | "swish" = "linear",
): tfl.layers.Layer {
  return rec.add(
    tfl.layers.dense({
      name,
      units,
      activation,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: rec.nextSeed() }),
    }),
  );
}

/** Throws a clear error unless `value` is a positive integer. */
export function checkPositiveInt(fn: string, param: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${fn}: ${param} must be a positive integer, got ${value}.`);
  }
}

/** Throws a clear error unless `shape` is an array of positive integers of length `rank`. */
export function checkShape(fn: string, param: string, shape: readonly number[], rank: number): void {
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `${fn}: ${param} must be ${rank} positive integers, got ${JSON.stringify(shape)}. E.g. [32, 32, 3].`,
    );
  }
}
