import type { Dataset } from "./dataset";

/**
 * Per-channel mean and standard deviation.
 *
 * @example
 * ```ts
 * const stats: ChannelStats = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }; // CIFAR-10
 * ```
 */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/**
 * Per-channel mean and (population) standard deviation over all examples and pixels; the channel
 * is the last axis of `xShape`. Two passes (mean, then squared deviations), accumulated in float64.
 *
 * @example
 * ```ts
 * import { channelStats } from '@sam/models';
 * import { downloadDataset, readCifar } from '@sam/models/node';
 *
 * const files = await downloadDataset('cifar10', './data/cifar10');
 * const train = await readCifar(files.filter((f) => f.includes('data_batch')));
 * const stats = channelStats(train); // CIFAR-10: mean ~ [0.491, 0.482, 0.447]
 * ```
 */
export function channelStats(ds: Dataset): ChannelStats {
  const c = ds.xShape[ds.xShape.length - 1] ?? 1;
  const count = ds.xs.length / c;
  const mean = new Array<number>(c).fill(0);
  const sq = new Array<number>(c).fill(0);
  for (let i = 0; i < ds.xs.length; i++) mean[i % c]! += ds.xs[i]!;
  for (let k = 0; k < c; k++) mean[k]! /= count;
  for (let i = 0; i < ds.xs.length; i++) {
    const d = ds.xs[i]! - mean[i % c]!;
    sq[i % c]! += d * d;
  }
  return { mean, std: sq.map((s) => Math.sqrt(s / count)) };
}

/**
 * Returns a copy of `ds` with every channel standardized: `x' = (x - mean_c) / std_c`, using
 * `stats` (compute them on the training set and reuse them for the test set).
 *
 * @throws If the number of channels differs from `stats`, or a std is not positive.
 *
 * @example
 * ```ts
 * const { train, test } = await mnistDigits({ seed: 1 });
 * const stats = channelStats(train); // of the training split only
 * const trainN = normalizeChannels(train, stats);
 * const testN = normalizeChannels(test, stats);
 * ```
 */
export function normalizeChannels(ds: Dataset, stats: ChannelStats = channelStats(ds)): Dataset {
  const c = ds.xShape[ds.xShape.length - 1] ?? 1;
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new Error(
      `normalizeChannels: the data has ${c} channels but stats have ${stats.mean.length} means and ` +
        `${stats.std.length} stds.`,
    );
  }
  stats.std.forEach((s, k) => {
    if (!(s > 0)) throw new Error(`normalizeChannels: std of channel ${k} is ${s}; it must be > 0.`);
  });
  const xs = new Float32Array(ds.xs.length);
  for (let i = 0; i < xs.length; i++) xs[i] = (ds.xs[i]! - stats.mean[i % c]!) / stats.std[i % c]!;
  return { ...ds, xs };
}
