import { z } from "zod";

// The schema of a sam-sweep spec. Strict objects (an unknown key is an error naming it), and a
// description on every field (`sam-sweep --print-schema` prints the JSON schema).

const fieldPath = z
  .string()
  .regex(/^[A-Za-z$_][A-Za-z0-9$_]*(\.[A-Za-z$_][A-Za-z0-9$_]*)*$/, "a field path such as method.rho")
  .describe("A dot-separated field path of the sam-train config, e.g. `method.rho`.");

const axisValues = z
  .record(fieldPath, z.array(z.unknown()).min(1))
  .describe("Field path -> the values it takes; `null` removes the field from the base config.");

/** One side of a comparison: the values of the cell axes that pick out one cell. */
const cellSelector = z
  .record(z.string(), z.unknown())
  .describe('Values of cell axes that select exactly one cell, e.g. `{ "method.name": "sam" }`.');

/**
 * The zod schema of a `sam-sweep` spec.
 *
 * @example
 * ```ts
 * import { sweepSpecSchema } from "@sam/experiments";
 *
 * sweepSpecSchema.safeParse({ name: "s", base: "run.json", axes: { grid: { seed: [1, 2] } } }).success; // true
 * ```
 */
export const sweepSpecSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Ignored; lets editors find the schema."),
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        "letters, digits, `.`, `_` and `-`, starting with a letter or digit",
      )
      .describe("The sweep's name (a directory name on the workers)."),
    base: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .describe(
        "The sam-train config every trial starts from: inline, or the path of its JSON file relative to the spec's directory.",
      ),
    axes: z
      .strictObject({
        grid: axisValues.optional().describe("Every combination of these lists (first key slowest)."),
        zip: axisValues
          .optional()
          .describe("Lists of equal length that advance together (times every grid combination)."),
      })
      .describe("What varies between trials."),
    report: z
      .strictObject({
        metric: z
          .string()
          .default("final_test_accuracy")
          .describe(
            "The headline metric (the plots, the comparisons): final_test_accuracy, final_test_loss, final_train_loss, final_validation_accuracy, final_validation_loss or seconds.",
          ),
        higherIsBetter: z.boolean().default(true).describe("Whether a larger metric is better."),
        cells: z
          .array(fieldPath)
          .optional()
          .describe(
            "The axes that define a cell (trials of one cell differ only in the others, the seeds); default: every axis but `seed`.",
          ),
        compare: z
          .array(z.tuple([cellSelector, cellSelector]))
          .default([])
          .describe("Pairs of cells [A, B]: the report gives B - A over the seeds both have."),
        x: fieldPath
          .optional()
          .describe(
            "A cell axis to plot the metric against (one line per value of the other cell axes), e.g. `method.rho`.",
          ),
      })
      .default({ metric: "final_test_accuracy", higherIsBetter: true, compare: [] })
      .describe("What the report shows."),
  })
  .describe("A sam-sweep spec: a base sam-train config, the axes that vary, and the report.");

/** A validated sweep spec, defaults filled in. */
export type SweepSpec = z.output<typeof sweepSpecSchema>;
/** A sweep spec as written in a file. */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
