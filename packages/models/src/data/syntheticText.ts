import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/** Options of {@link syntheticText}. */
export interface SyntheticTextOptions {
  /** Number of sequences (balanced: sequence `i` has class `i mod numClasses`). */
  n: number;
  /** Vocabulary size (token 0 is reserved as padding and never drawn). Default 64. */
  vocabSize?: number;
  /** Sequence length. Default 16. */
  seqLen?: number;
  /** Number of classes. Default 2. */
  numClasses?: number;
  /** Keyword tokens per class. Default 3. */
  keywordsPerClass?: number;
  /** Keywords of the true class inserted into each sequence. Default 2. */
  signal?: number;
  /** Keywords of other classes inserted as distractors (fewer than `signal`). Default 1. */
  distractors?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/**
 * A synthetic text-classification task for the transformer: each class owns `keywordsPerClass`
 * keyword tokens (class `c` owns ids `1 + c K .. c K + K`); the other ids are filler. A sequence
 * of class `c` is uniform filler with `signal` keywords of class `c` and `distractors` keywords
 * of other classes written at distinct random positions. The label is the class with the most
 * keywords, so the task needs attention to content, not to position.
 *
 * @param options - See {@link SyntheticTextOptions}.
 * @returns A {@link Dataset} with int32 `xs` of shape `[seqLen]` per example.
 * @throws If the vocabulary has no room for filler tokens or `distractors >= signal`.
 *
 * @example
 * ```ts
 * const ds = syntheticText({ n: 512, vocabSize: 64, seqLen: 16, numClasses: 4, seed: 1 });
 * ```
 */
export function syntheticText(options: SyntheticTextOptions): Dataset {
  const {
    n,
    vocabSize = 64,
    seqLen = 16,
    numClasses = 2,
    keywordsPerClass = 3,
    signal = 2,
    distractors = 1,
    seed = 1,
  } = options;
  const fn = "syntheticText";
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${fn}: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`${fn}: numClasses must be an integer >= 2, got ${numClasses}.`);
  }
  const firstFiller = 1 + numClasses * keywordsPerClass;
  if (firstFiller >= vocabSize) {
    throw new Error(
      `${fn}: vocabSize ${vocabSize} leaves no filler tokens after 1 + numClasses x keywordsPerClass = ` +
        `${firstFiller} reserved ids; use vocabSize > ${firstFiller}.`,
    );
  }
  if (distractors >= signal) {
    throw new Error(`${fn}: distractors (${distractors}) must be fewer than signal (${signal}).`);
  }
  if (signal + distractors > seqLen) {
    throw new Error(`${fn}: signal + distractors (${signal + distractors}) exceeds seqLen (${seqLen}).`);
  }
  const rng = createRng(seed);
  const xs = new Int32Array(n * seqLen);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % numClasses;
    ys[i] = c;
    const row = xs.subarray(i * seqLen, (i + 1) * seqLen);
    for (let t = 0; t < seqLen; t++) row[t] = firstFiller + rng.int(vocabSize - firstFiller);
    const pos = rng.permutation(seqLen);
    for (let j = 0; j < signal; j++) row[pos[j]!] = 1 + c * keywordsPerClass + rng.int(keywordsPerClass);
    for (let j = 0; j < distractors; j++) {
      const other = (c + 1 + rng.int(numClasses - 1)) % numClasses;
      row[pos[signal + j]!] = 1 + other * keywordsPerClass + rng.int(keywordsPerClass);
    }
  }
  return { xs, xShape: [seqLen], ys, yShape: [], size: n, numClasses };
}
