import { z } from "zod";

// The schema of a sam-train config. Every object is strict (an unknown key is an error naming
// it), every field carries a description (the docs page and --print-schema are generated from
// them), and defaults are filled in here so that the run directory's config.json is complete.

const int = (min: number) => z.number().int().min(min);

const scheduleSpec: z.ZodType = z.lazy(() =>
  z.discriminatedUnion("schedule", [
    z.strictObject({ schedule: z.literal("constant"), value: z.number() }),
    z.strictObject({
      schedule: z.literal("step"),
      value: z.number(),
      every: int(1),
      gamma: z.number().positive(),
    }),
    z.strictObject({
      schedule: z.literal("cosine"),
      value: z.number(),
      steps: int(1),
      final: z.number().optional(),
    }),
    z.strictObject({ schedule: z.literal("linear"), from: z.number(), to: z.number(), steps: int(1) }),
    z.strictObject({
      schedule: z.literal("warmup"),
      steps: int(0),
      // biome-ignore lint/suspicious/noThenProperty: the field name of @sam/core's warmup schedule
      then: z.union([z.number(), scheduleSpec]),
      from: z.number().optional(),
    }),
    z.strictObject({
      schedule: z.literal("piecewise"),
      boundaries: z.array(int(0)),
      values: z.array(z.number()).min(1),
    }),
  ]),
);

/** A hyperparameter value: a number, a flag, or a schedule of the step (see `ScheduleSpec` in `@sam/core`). */
const hyperValue = z.union([z.number(), z.boolean(), scheduleSpec]);

/**
 * The names of the model builders of `@sam/models` that sam-train can build.
 *
 * @example
 * ```ts
 * MODEL_BUILDERS.includes("vit"); // true
 * ```
 */
export const MODEL_BUILDERS = ["mlp", "smallConvNet", "cifarResNet", "wideResNet", "vit"] as const;

/**
 * The data sources sam-train reads.
 *
 * @example
 * ```ts
 * DATA_SOURCES.includes("mnist"); // true
 * ```
 */
export const DATA_SOURCES = [
  "mnist",
  "shapes",
  "gaussianBlobs",
  "spirals",
  "twoMoons",
  "cifar10",
  "cifar100",
  "idx",
  "csv",
] as const;

/**
 * The methods sam-train builds, by name.
 *
 * @example
 * ```ts
 * METHOD_NAMES.includes("samOn"); // true
 * ```
 */
export const METHOD_NAMES = [
  "sgd",
  "momentum",
  "adam",
  "adamw",
  "sam",
  "asam",
  "samOn",
  "usam",
  "sgld",
  "langevin",
  "overdampedLangevin",
  "adaptiveLangevin",
  "lala",
  "adlala",
  "lol",
  "multirate",
] as const;

/**
 * The base rules a SAM-family method or multirate wraps.
 *
 * @example
 * ```ts
 * BASE_RULES.includes("adamw"); // true
 * ```
 */
export const BASE_RULES = ["sgd", "momentum", "adamw"] as const;

const modelSchema = z
  .strictObject({
    builder: z
      .enum(MODEL_BUILDERS)
      .describe(
        "A @sam/models builder. Its input shape and class count come from the data unless `options` sets them.",
      ),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "The builder's options (e.g. `widths` for mlp, `filters` for smallConvNet); checked by the builder itself.",
      ),
    init: z
      .strictObject({
        from: z
          .string()
          .describe(
            "A checkpoint directory (a `checkpoints/step-N` of an earlier run, or a `saveWeights` directory), relative to the config's root.",
          ),
        backbone: z
          .boolean()
          .default(false)
          .describe("Load the body only and keep the new head freshly initialized (transfer learning)."),
      })
      .optional()
      .describe("Start from saved weights instead of the builder's initialization."),
  })
  .describe("The model.");

const fileSplit = z.strictObject({
  images: z.string().describe("IDX images file (may be gzipped), relative to the config's root."),
  labels: z.string().describe("IDX labels file, relative to the config's root."),
});

const dataSchema = z
  .strictObject({
    source: z.enum(DATA_SOURCES).describe("Where the examples come from."),
    train: int(1)
      .optional()
      .describe(
        "Training examples: how many to generate (generated sets, default 1024; spirals and gaussianBlobs count per class) or to keep (mnist: of the 10,000 real digits, default 8000).",
      ),
    test: int(1)
      .optional()
      .describe(
        "Test examples (default 256; mnist: 2000). A generated set is drawn once with `train + test` examples and split by the seed, so both splits come from one task.",
      ),
    classes: z
      .array(int(0))
      .min(2)
      .optional()
      .describe("Keep only these classes, relabelled 0..k-1 in this order (e.g. digits [5, 6, 7, 8, 9])."),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "Options of the generator (`shapes`: size, task, noise; `spirals`: classes, turns, noise; ...), checked by it.",
      ),
    dir: z
      .string()
      .optional()
      .describe("cifar10/cifar100: the binary directory, relative to the config's root."),
    files: z
      .strictObject({ train: fileSplit, test: fileSplit.optional() })
      .optional()
      .describe("idx: the image and label files of each split."),
    csv: z
      .strictObject({
        train: z.string().describe("CSV file, relative to the config's root."),
        test: z.string().optional().describe("CSV file; default: a split of `train`."),
        labelColumn: z
          .union([z.string(), int(0)])
          .optional()
          .describe("Label column (name or index)."),
      })
      .optional()
      .describe("csv: the files."),
    resize: int(1)
      .optional()
      .describe(
        "Resize every image to resize x resize pixels (bilinear), e.g. 16 for the digits of the transfer demo.",
      ),
    validation: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe(
        "Fraction of the training examples held out for validation (split by `seed`); their metrics join each eval line.",
      ),
    batchSize: int(1).default(64).describe("Examples per step."),
    augment: z
      .strictObject({
        padding: int(0).default(4).describe("Zero padding before the random crop; 0: no crop."),
        flip: z.boolean().default(true).describe("Random horizontal flip."),
      })
      .optional()
      .describe("Image augmentation per batch (pad, random crop, flip), seeded per step."),
    labelNoise: z
      .strictObject({
        kind: z
          .literal("symmetric")
          .describe("Each noisy label becomes one of the other classes, uniformly."),
        fraction: z.number().min(0).max(1).describe("Fraction of training labels replaced."),
        seed: int(1).default(1).describe("Which labels, and their new classes."),
      })
      .optional()
      .describe("Corrupt a fraction of the training labels (the test set stays clean)."),
  })
  .describe("The data.");

const groupSchema = z.strictObject({
  label: z.string().min(1).describe("The group's name, e.g. `no_decay`."),
  select: z
    .record(z.string(), z.unknown())
    .describe(
      'A selector spec of @sam/core: `{ "tag": "norm" }`, `{ "layerClass": "Dense" }`, `{ "block": [0, 2] }`, `{ "all": true }`, `{ "not": ... }`, ...',
    ),
  hyper: z
    .record(z.string(), hyperValue)
    .default({})
    .describe("Hyperparameters of this group, over `method.hyper`."),
});

const methodSchema = z
  .strictObject({
    name: z.enum(METHOD_NAMES).describe("The optimizer."),
    base: z
      .enum(BASE_RULES)
      .default("momentum")
      .describe(
        "The base rule of a SAM-family method or of multirate (momentum: SGD with momentum 0.9 unless set).",
      ),
    hyper: z
      .record(z.string(), hyperValue)
      .default({})
      .describe(
        "Hyperparameters of every group: numbers or schedules (`lr`, `momentum`, `weightDecay`, `beta1`, `h`, `temperature`, `friction`, ...). The keys each rule accepts are checked.",
      ),
    groups: z
      .array(groupSchema)
      .optional()
      .describe(
        "Parameter groups, first match wins; default: one group of everything (lala, adlala, lol: group `first`, the first weight-owning layer, and group `rest`, with the authors' settings).",
      ),
    onUnmatched: z
      .enum(["error", "ignore"])
      .default("error")
      .describe(
        "Parameters no group selects: `error` names them; `ignore` leaves them frozen (e.g. train the head only).",
      ),
    weightDecayIn: z
      .enum(["rule", "loss"])
      .default("rule")
      .describe(
        "`rule`: `hyper.weightDecay` acts in the update rule (coupled for SGD, decoupled for AdamW); `loss`: `lossWeightDecay/2 * sum ||w||^2` over kernels and embeddings is added to the loss (JAX style).",
      ),
    lossWeightDecay: z
      .number()
      .min(0)
      .default(0)
      .describe("The coefficient of the loss-side weight decay (with `weightDecayIn: loss`)."),
    rho: hyperValue
      .optional()
      .describe("SAM family: the perturbation radius (required for sam, asam, samOn, usam)."),
    eta: z.number().positive().default(0.01).describe("asam: the operator's offset eta."),
    mSharpness: int(1)
      .optional()
      .describe("SAM family: examples per perturbation chunk (m-sharpness); must divide the batch size."),
    k: int(1).default(4).describe("multirate: the slow groups step once every k steps."),
    drift: z
      .boolean()
      .default(true)
      .describe(
        "multirate: the slow groups drift linearly between their steps (Algorithm 1), or jump once per cycle (`false`).",
      ),
    seed: int(1).optional().describe("The optimizer's seed (noise streams); default: the run's seed."),
  })
  .describe("The training method.");

/**
 * The zod schema of a sam-train config file. `parseRunConfig` applies it and turns its errors
 * into messages that name the field, the value and the allowed values.
 *
 * @example
 * ```ts
 * const result = runConfigSchema.safeParse({ model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "sgd" }, steps: 10 });
 * result.success; // true; `sam-train --print-schema` prints its JSON schema
 * ```
 */
export const runConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Ignored; lets editors find the schema."),
    name: z.string().optional().describe("A name for the run (copied to the summary)."),
    model: modelSchema,
    data: dataSchema,
    method: methodSchema,
    epochs: int(1).optional().describe("Epochs to train (exactly one of `epochs` and `steps`)."),
    steps: int(1).optional().describe("Steps to train (exactly one of `epochs` and `steps`)."),
    seed: int(1)
      .default(1)
      .describe("Seed of every random stream: data split, data order, augmentation, noise."),
    evalEvery: int(1)
      .optional()
      .describe("Steps between evaluations (one metrics line each); default: once per epoch."),
    checkpointEvery: int(1)
      .optional()
      .describe("Steps between checkpoints; default: once per epoch. The last step is always checkpointed."),
    keep: int(1).default(3).describe("How many checkpoints to keep (the oldest are deleted)."),
  })
  .superRefine((c, ctx) => {
    if ((c.epochs === undefined) === (c.steps === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: c.epochs === undefined ? ["steps"] : ["epochs"],
        message: "set exactly one of `epochs` and `steps`",
      });
    }
  })
  .describe("A sam-train run: model, data, method and length.");

/** A validated sam-train config, defaults filled in. */
export type RunConfig = z.output<typeof runConfigSchema>;
/** A sam-train config as written in a file (defaults optional). */
export type RunConfigInput = z.input<typeof runConfigSchema>;
