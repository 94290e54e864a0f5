import type { SamFamilyOptions } from "./compareSamFamily";

/** The ResNet-20 run of the README: momentum SGD, constant lr 0.05, 6 epochs on noisy shapes. */
export const RESNET_RUN: SamFamilyOptions = {
  model: "resnet20",
  size: 16,
  trainImages: 1000,
  testImages: 1000,
  epochs: 6,
  batchSize: 50,
  noise: 0.35,
};

/**
 * The ViT run of the README. The small ViT gets what ViTs are usually given (AdamW, a linear
 * warm-up then cosine decay, more epochs), standardized images (see `standardize`) and a less
 * noisy task than the ResNet's: at noise 0.35 it memorizes the 1,000 images without rising
 * above chance on the test set.
 */
export const VIT_RUN: SamFamilyOptions = {
  model: "vit",
  size: 16,
  trainImages: 1000,
  testImages: 1000,
  epochs: 15,
  batchSize: 50,
  noise: 0.1,
  base: "adamw",
  lr: 2e-3,
  weightDecay: 0.05,
  warmupEpochs: 1,
  standardize: true,
  vit: { patchSize: 4, dim: 64, depth: 2, heads: 4, mlpDim: 128 },
  rhos: { sam: 0.05, samOn: 0.5, asam: 0.5 },
  curve: true,
};
