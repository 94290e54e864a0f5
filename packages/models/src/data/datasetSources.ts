/**
 * Where each data set comes from and which files it yields.
 *
 * @example
 * ```ts
 * DATASET_SOURCES.cifar10.urls[0]; // 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'
 * ```
 */
export const DATASET_SOURCES = {
  cifar10: {
    urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
    files: [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ],
  },
  cifar100: {
    urls: ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"],
    files: ["train.bin", "test.bin"],
  },
  mnist: {
    urls: [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ].map((f) => `https://storage.googleapis.com/cvdf-datasets/mnist/${f}`),
    files: [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ],
  },
  "fashion-mnist": {
    urls: [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ].map((f) => `http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/${f}`),
    files: [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ],
  },
} as const;

/** A data set `downloadDataset` (from `@sam/models/node`) knows. */
export type DatasetName = keyof typeof DATASET_SOURCES;
