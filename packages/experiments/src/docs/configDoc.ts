import { z } from "zod";
import { HYPER_KEYS } from "../config/parseRunConfig";
import { runConfigSchema } from "../config/runConfig";

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  additionalProperties?: Node | boolean;
  $ref?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

function typeOf(n: Node): string {
  if (n.$ref) return "schedule";
  if (n.enum) return n.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(" \\| ");
  if (n.type === "array") return `array of ${n.items ? typeOf(n.items) : "any"}`;
  if (n.type === "object" && !n.properties) {
    const v = typeof n.additionalProperties === "object" ? typeOf(n.additionalProperties) : "any";
    return v === "any" || v === "" ? "object" : `object of ${v}`;
  }
  let t = Array.isArray(n.type) ? n.type.join(" \\| ") : (n.type ?? "any");
  const lo = n.minimum ?? n.exclusiveMinimum;
  const hi = n.maximum !== undefined && n.maximum < Number.MAX_SAFE_INTEGER ? n.maximum : undefined;
  if (lo !== undefined && hi === undefined && lo > -Number.MAX_SAFE_INTEGER) t += ` ≥ ${lo}`;
  else if (lo !== undefined && hi !== undefined) t += ` in [${lo}, ${hi}]`;
  return t;
}

function rows(prefix: string, n: Node, out: string[], sections: [string, Node][]): void {
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = n.required?.includes(key) && child.default === undefined ? "yes" : "";
    const def = child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : "";
    const desc = (child.description ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
    out.push(
      `| \`${path}\` | ${child.properties ? "object" : typeOf(child)} | ${required} | ${def} | ${desc} |`,
    );
    if (child.properties) sections.push([path, child]);
    else if (child.items?.properties) sections.push([`${path}[]`, child.items]);
  }
}

/**
 * The reference page of the sam-train config format (Markdown), generated from
 * `runConfigSchema`: one table per object, each field with its type, whether it is required,
 * its default and its description. `docs/sam-train-config.md` is this text; a test fails when
 * the two differ, and `pnpm --filter @sam/experiments docs:config` rewrites the page.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { configDoc } from "@sam/experiments";
 *
 * writeFileSync("docs/sam-train-config.md", configDoc());
 * ```
 */
export function configDoc(): string {
  const schema = z.toJSONSchema(runConfigSchema, { io: "input", unrepresentable: "any" }) as Node;
  const lines = [
    "# sam-train config format",
    "",
    "<!-- Generated from runConfigSchema (packages/experiments/src/config/runConfig.ts) by",
    "     `pnpm --filter @sam/experiments docs:config`; a test fails when this page drifts. -->",
    "",
    "A run is one JSON file: `sam-train --config run.json --out DIR`. Unknown fields are errors;",
    "every error names the field, its value and what is allowed. `sam-train --print-schema` prints",
    "the JSON schema. A **schedule** is a `@sam/core` schedule spec, e.g.",
    '`{ "schedule": "cosine", "value": 0.1, "steps": 1000 }` (kinds: constant, step, cosine, linear,',
    "warmup, piecewise); any hyperparameter may be a number or a schedule of the step.",
    "",
    "Paths in a config (data files, `model.init.from`) are relative to the config's directory (or",
    "`--data-root`) and must stay inside it: `..`, absolute paths and symlinks leading out are refused.",
    "",
  ];
  const sections: [string, Node][] = [["(top level)", schema]];
  while (sections.length > 0) {
    const [title, node] = sections.shift()!;
    const prefix = title === "(top level)" ? "" : title.replace(/\[\]$/, "[i]");
    lines.push(`## ${title === "(top level)" ? "Top level" : `\`${title}\``}`, "");
    if (node.description && title !== "(top level)") lines.push(node.description, "");
    lines.push("| field | type | required | default | meaning |", "| --- | --- | --- | --- | --- |");
    const nested: [string, Node][] = [];
    rows(prefix, node, lines, nested);
    lines.push("");
    sections.push(...nested);
  }
  lines.push(
    "## Methods and their hyperparameters",
    "",
    "`method.hyper` (and each group's `hyper`) may hold only the keys the method's rule reads:",
    "",
    "| rule | keys |",
    "| --- | --- |",
    ...Object.entries(HYPER_KEYS).map(
      ([rule, keys]) => `| \`${rule}\` | ${keys.map((k) => `\`${k}\``).join(", ")} |`,
    ),
    "",
    "The SAM family (`sam`, `asam`, `samOn`, `usam`) and `multirate` read the keys of their `method.base` rule.",
  );
  return `${lines.join("\n")}\n`;
}
