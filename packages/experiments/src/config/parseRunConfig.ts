import { SamConfigError } from "@sam/core";
import { z } from "zod";
import { type RunConfig, runConfigSchema } from "./runConfig";

/**
 * The hyperparameters each method's rule reads; any other key in `method.hyper` is an error.
 *
 * @example
 * ```ts
 * HYPER_KEYS.langevin; // ["h", "friction", "temperature"]
 * ```
 */
export const HYPER_KEYS: Readonly<Record<string, readonly string[]>> = {
  sgd: ["lr", "lrScale", "momentum", "nesterov", "weightDecay"],
  momentum: ["lr", "lrScale", "momentum", "nesterov", "weightDecay"],
  adam: ["lr", "lrScale", "beta1", "beta2", "epsilon", "weightDecay"],
  adamw: ["lr", "lrScale", "beta1", "beta2", "epsilon", "weightDecay"],
  sgld: ["lr", "temperature"],
  langevin: ["h", "friction", "temperature"],
  overdampedLangevin: ["h", "temperature"],
  adaptiveLangevin: ["h", "temperature", "sigmaA", "coupling"],
  // partitioned schemes: the keys of either partition's rule (group `first`, group `rest`)
  lala: ["h", "friction", "temperature"],
  adlala: ["h", "temperature", "sigmaA", "coupling", "xi0", "friction"],
  lol: ["h", "friction", "temperature"],
};

const SAM_FAMILY = new Set(["sam", "asam", "samOn", "usam"]);

/**
 * Whether a method name is one of the SAM family (sam, asam, samOn, usam).
 *
 * @example
 * ```ts
 * isSamFamily("samOn"); // true
 * ```
 */
export function isSamFamily(name: string): boolean {
  return SAM_FAMILY.has(name);
}

/** The rule whose hyperparameters a method reads: its own, or its base rule's. */
export function ruleOf(method: Pick<RunConfig["method"], "name" | "base">): string {
  return isSamFamily(method.name) || method.name === "multirate" ? method.base : method.name;
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(the config)";
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};
const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The fields allowed at `path` of a value of `schema`, from its JSON schema. */
function allowedFields(schema: z.ZodType, path: readonly PropertyKey[]): string[] | null {
  let jsonSchema = jsonSchemas.get(schema);
  if (!jsonSchema) {
    jsonSchema = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    jsonSchemas.set(schema, jsonSchema);
  }
  let node: JsonSchema | undefined = jsonSchema;
  for (const p of path) {
    if (node?.$ref) node = jsonSchema.$defs?.[node.$ref.split("/").pop()!];
    node = typeof p === "number" ? node?.items : node?.properties?.[String(p)];
  }
  return node?.properties ? Object.keys(node.properties) : null;
}

/**
 * Turns one zod issue into a sentence naming the field, its value and what is allowed (the
 * fields of `schema` at that place, for an unknown key).
 *
 * @param issue - The issue, from `schema.safeParse(input).error.issues`.
 * @param input - The value that was parsed.
 * @param schema - The schema it was parsed with (default: the sam-train config's).
 *
 * @example
 * ```ts
 * const input = { model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "samm" }, steps: 1 };
 * const issue = runConfigSchema.safeParse(input).error!.issues[0]!;
 * describeIssue(issue, input); // 'method.name is "samm": allowed values are "sgd", ...'
 * ```
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  schema: z.ZodType = runConfigSchema,
): string {
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys
        .map((k) => {
          const parent = valueAt(input, issue.path) as Record<string, unknown>;
          const fields = allowedFields(schema, issue.path);
          const allowed = fields ? `; allowed fields are ${fields.join(", ")}` : "";
          return `${fieldName([...issue.path, k])} is ${show(parent[k])}, but ${k} is not a field of ${fieldName(issue.path)}${allowed}.`;
        })
        .join("\n");
    case "invalid_value":
      return `${fieldName(issue.path)} is ${show(value)}: allowed values are ${issue.values.map((v) => JSON.stringify(v)).join(", ")}.`;
    case "invalid_union": {
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc && issue.path.length >= 0) {
        const at = [...issue.path, disc];
        return `${fieldName(at)} is ${show(valueAt(input, at))}: ${issue.message}.`;
      }
      const inner = issue.errors
        .flat()
        .map((e) => describeIssue({ ...e, path: [...issue.path, ...e.path] }, input, schema));
      return `${fieldName(issue.path)} is ${show(value)}: it matches none of the allowed forms:\n  - ${[...new Set(inner)].join("\n  - ")}`;
    }
    case "invalid_type":
      return `${fieldName(issue.path)} is ${show(value)}: expected ${issue.expected}.`;
    case "too_small":
    case "too_big":
      return `${fieldName(issue.path)} is ${show(value)}: ${issue.message.replace(/^Too (small|big): expected \w+ to (have |be )?/, "it must be ")}.`;
    default:
      return `${fieldName(issue.path)} is ${show(value)}: ${issue.message}.`;
  }
}

function check(ok: boolean, field: string, value: unknown, message: string, errors: string[]): void {
  if (!ok) errors.push(`${field} is ${show(value)}: ${message}`);
}

/**
 * Validates a sam-train config (parsed JSON) and fills in its defaults. Every problem is listed
 * in one error, each line naming the field, its value and what is allowed.
 *
 * @param input - The config as parsed from JSON.
 * @param what - What the config is, for the error's first line (e.g. its file name).
 * @returns The config with every default filled in.
 * @throws SamConfigError listing every problem.
 *
 * @example
 * ```ts
 * const config = parseRunConfig({
 *   model: { builder: "mlp", options: { widths: [32] } },
 *   data: { source: "spirals", train: 512 },
 *   method: { name: "sgd", hyper: { lr: 0.1 } },
 *   epochs: 2,
 * });
 * config.data.batchSize; // 64 (the default)
 * ```
 */
export function parseRunConfig(input: unknown, what = "config"): RunConfig {
  const result = runConfigSchema.safeParse(input);
  const errors: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) errors.push(describeIssue(issue, input));
    throw new SamConfigError(`${what} is invalid:\n${errors.map((e) => `- ${e}`).join("\n")}`);
  }
  const c = result.data;
  const m = c.method;
  const rule = ruleOf(m);
  const allowed = HYPER_KEYS[rule]!;
  const hyperFields: [string, Record<string, unknown>][] = [["method.hyper", m.hyper]];
  (m.groups ?? []).forEach((g, i) => {
    hyperFields.push([`method.groups[${i}].hyper`, g.hyper]);
  });
  for (const [field, hyper] of hyperFields) {
    for (const [k, v] of Object.entries(hyper)) {
      check(
        allowed.includes(k),
        `${field}.${k}`,
        v,
        `${m.name}${rule !== m.name ? ` (base ${rule})` : ""} reads ${allowed.map((a) => JSON.stringify(a)).join(", ")}.`,
        errors,
      );
    }
  }
  const sam = isSamFamily(m.name);
  check(!sam || m.rho !== undefined, "method.rho", m.rho, `${m.name} needs a radius, e.g. 0.05.`, errors);
  check(
    sam || m.rho === undefined,
    "method.rho",
    m.rho,
    `only the SAM family (sam, asam, samOn, usam) reads it.`,
    errors,
  );
  check(
    sam || m.mSharpness === undefined,
    "method.mSharpness",
    m.mSharpness,
    "only the SAM family reads it.",
    errors,
  );
  if (m.mSharpness !== undefined) {
    check(
      c.data.batchSize % m.mSharpness === 0,
      "method.mSharpness",
      m.mSharpness,
      `it must divide data.batchSize (${c.data.batchSize}).`,
      errors,
    );
  }
  check(
    m.weightDecayIn === "loss" || m.lossWeightDecay === 0,
    "method.lossWeightDecay",
    m.lossWeightDecay,
    'it applies only with method.weightDecayIn "loss".',
    errors,
  );
  const d = c.data;
  check(
    !(d.source === "cifar10" || d.source === "cifar100") || d.dir !== undefined,
    "data.dir",
    d.dir,
    `${d.source} reads its binary directory from data.dir.`,
    errors,
  );
  check(
    d.source !== "idx" || d.files !== undefined,
    "data.files",
    d.files,
    "idx reads data.files.train.",
    errors,
  );
  check(d.source !== "csv" || d.csv !== undefined, "data.csv", d.csv, "csv reads data.csv.train.", errors);
  if (errors.length > 0) {
    throw new SamConfigError(`${what} is invalid:\n${errors.map((e) => `- ${e}`).join("\n")}`);
  }
  return c;
}
