import {
  fromVariables,
  GroupedOptimizer,
  type GroupSpec,
  type ParamGroup,
  partitionRules,
  rejectValue,
  type RuleState,
  sgd,
  type UpdateRule,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { type ConstraintSpec, circle, orthogonal, sphere } from "./constraint";
import { ConstrainedState } from "./internal/ruleSupport";
import { langevin } from "./langevin";
import type { NoiseRequest, NoiseSource } from "./noiseSource";
import { overdampedLangevin } from "./overdampedLangevin";
import { sgld } from "./sgld";

type Nested = number | Nested[];
type Json = Record<string, unknown>;

interface CaseRun {
  name: string;
  method: string;
  hyper: Json;
  init: string;
  n_steps: number;
  noise?: Record<string, Record<string, Nested>>[];
  expected: Json;
}

interface CaseFile {
  data: { x: number[][]; y: number[] };
  inits: Record<string, Record<string, Nested>>;
  runs: CaseRun[];
}

/**
 * Replays every run of a Langevin case file (format `sam-langevin-case/1`, spec section 7) with
 * this package's rules in float32 and returns, for each run, an object with the same
 * structure and names as the run's `expected` field: per step `params`, `loss`, and
 * `momenta`, `xi`, `slack`, `slack_momenta` where the method has them, plus `grads0` and
 * `loss0`. The noise draws are injected from the file, so the replay is exact up to float32
 * round-off (compare with rtol 1e-4, atol 1e-5). The model is the case's MLP: layers
 * `W1, b1, ..., Wk, bk` in PyTorch's `W[out][in]` layout, tanh between layers,
 * BCE-with-logits (mean) on `data`; parameters are held in the tfjs layout (`W` transposed)
 * and written back in the file's layout.
 *
 * Methods: `sgld`, `baoab`, `adla`, `lala`, `adlala`, `lol` (hyper `h`, `groups[]`,
 * `first_kick`), `o-/c-/s-cola-ud` (hyper `h, gamma, tau, order, constraints`),
 * `o-/c-/s-cola-od` (hyper `lr, tau, constraints`), `heavyball` (`lr, mu`).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { replayLangevinCase } from "@sam/langevin";
 *
 * const actual = replayLangevinCase(JSON.parse(readFileSync("langevin_case1.json", "utf8")));
 * console.log(Object.keys(actual)); // ["sgld", "baoab", ...]
 * ```
 */
export function replayLangevinCase(caseJson: unknown): Record<string, unknown> {
  const file = caseJson as CaseFile;
  if (!file || !Array.isArray(file.runs) || !file.data || !file.inits) {
    rejectValue(
      "replayLangevinCase(caseJson)",
      caseJson && typeof caseJson === "object" ? Object.keys(caseJson) : caseJson,
      "it is not a Langevin case file (it needs data, inits and runs)",
      "Pass the parsed JSON of a file like reference/cases/langevin_case1.json.",
    );
  }
  const out: Record<string, unknown> = {};
  for (const run of file.runs) out[run.name] = replayRun(file, run);
  return out;
}

const isMatrix = (name: string) => /^W\d+$/.test(name);
/** Case layout ([out][in]) to tfjs layout ([in][out]) and back: transpose the matrices. */
const toTf = (name: string, value: Nested) => {
  const t = tf.tensor(value as number[]);
  if (!isMatrix(name)) return t;
  const tt = tf.transpose(t);
  t.dispose();
  return tt;
};
const fromTf = (name: string, t: tf.Tensor): Nested =>
  tf.tidy(() => (isMatrix(name) ? tf.transpose(t) : t).arraySync() as Nested);

function replayRun(file: CaseFile, run: CaseRun): Json {
  const init = file.inits[run.init ?? "base"];
  if (!init)
    rejectValue(
      `run ${JSON.stringify(run.name)} init`,
      run.init,
      "the case has no such init",
      "Use a key of inits.",
    );
  const names = Object.keys(init);
  const layers = names.filter(isMatrix).length;
  // A scope (not tf.tidy, which must return tensors) frees every temporary of the replay.
  tf.engine().startScope();
  try {
    const variables: Record<string, tf.Variable> = {};
    for (const name of names) {
      const t = toTf(name, init[name]!);
      variables[name] = tf.variable(t, true);
      t.dispose();
    }
    const x = tf.tensor2d(file.data.x);
    const y = tf.tensor1d(file.data.y);
    const lossFn = () =>
      tf.tidy(() => {
        let a: tf.Tensor = x;
        for (let l = 1; l <= layers; l++) {
          a = tf.add(tf.matMul(a, variables[`W${l}`]!), variables[`b${l}`]!);
          if (l < layers) a = tf.tanh(a);
        }
        const z = tf.reshape(a, [-1]);
        return tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z))) as tf.Scalar;
      });
    const noise = scriptedNoise(run);
    const states = new Map<string, RuleState>();
    const { rule, groups } = methodOf(run, noise);
    // the rule's per-group states, found in its state tree, by parameter path
    const record = (state: RuleState) => {
      if (state instanceof ConstrainedState) for (const p of state.group.params) states.set(p.path, state);
      for (const child of state.children?.() ?? []) record(child);
    };
    const recording: UpdateRule = {
      ...rule,
      init: (all: readonly ParamGroup[]) => {
        const state = rule.init(all);
        record(state);
        return state;
      },
    };
    const optimizer = new GroupedOptimizer({ params: fromVariables(variables), groups, rule: recording });
    const series: Record<string, unknown[]> = {
      params: [],
      loss: [],
      momenta: [],
      xi: [],
      slack: [],
      slack_momenta: [],
    };
    const expectedKeys = Object.keys(run.expected ?? {});
    const slotValue = (path: string, slot: string) => {
      const group = optimizer.groups.find((g) => g.params.some((p) => p.path === path))!;
      const i = group.params.findIndex((p) => p.path === path);
      return (states.get(path) as ConstrainedState | undefined)?.maybe?.(slot, i);
    };
    const g0 = tf.variableGrads(lossFn);
    const loss0 = g0.value.dataSync()[0];
    const grads0 = Object.fromEntries(names.map((n) => [n, fromTf(n, g0.grads[variables[n]!.name]!)]));
    for (let n = 0; n < run.n_steps; n++) {
      noise.step = n;
      optimizer.minimize(lossFn);
      series.params!.push(Object.fromEntries(names.map((k) => [k, fromTf(k, variables[k]!)])));
      series.loss!.push(lossFn().dataSync()[0]);
      const collect = (slot: string, scalar = false) => {
        const entries = names.flatMap((k) => {
          const v = slotValue(k, slot);
          return v ? [[k, scalar ? v.dataSync()[0] : fromTf(k, v)] as const] : [];
        });
        return Object.fromEntries(entries);
      };
      if (expectedKeys.includes("momenta")) series.momenta!.push(collect("momentum"));
      if (expectedKeys.includes("xi")) series.xi!.push(collect("xi", true));
      if (expectedKeys.includes("slack")) series.slack!.push(collect("slack"));
      if (expectedKeys.includes("slack_momenta")) series.slack_momenta!.push(collect("slackMomentum"));
    }
    optimizer.dispose();
    for (const v of Object.values(variables)) v.dispose();
    // The same keys as the run's `expected` (runs without momenta have none, and so on).
    const all: Json = { ...series, grads0, loss0 };
    const keys = expectedKeys.length > 0 ? expectedKeys : ["params", "loss", "grads0", "loss0"];
    return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
  } finally {
    tf.engine().endScope();
  }
}

/** Noise read from `run.noise[step][role][param]`, transposed to the tfjs layout, times stddev. */
function scriptedNoise(run: CaseRun): NoiseSource & { step: number } {
  return {
    kind: "case",
    step: 0,
    normal(r: NoiseRequest) {
      const value = run.noise?.[this.step]?.[r.role]?.[r.param.path];
      if (value === undefined) {
        rejectValue(
          `run ${JSON.stringify(run.name)}: noise[${this.step}][${r.role}][${r.param.path}]`,
          undefined,
          "the case file has no such draw, but the method asked for one",
          "Regenerate the case with langevin_reference.py make-case, or check the method's hyperparameters.",
        );
      }
      const t = toTf(r.param.path, value);
      return tf.mul(t, r.stddev);
    },
  };
}

function constraintsOf(spec: Json): ConstraintSpec[] {
  return Object.entries((spec ?? {}) as Record<string, unknown[]>).map(([name, c]) => {
    const select = { path: name };
    if (c[0] === "orth") return orthogonal({ select, iterations: 30 });
    if (c[0] === "sphere") return sphere(Number(c[1]), { select });
    if (c[0] === "circle") return circle(Number(c[1]), { select });
    return rejectValue(
      `constraint of ${name}`,
      c,
      "unknown kind",
      'Use ["orth"], ["sphere", r] or ["circle", r].',
    );
  });
}

function methodOf(run: CaseRun, noise: NoiseSource): { rule: UpdateRule; groups: GroupSpec[] } {
  const hp = run.hyper as Record<string, unknown>;
  const all: GroupSpec[] = [{ label: "all", select: { all: true } }];
  const num = (k: string) => Number(hp[k]);
  const firstKick = hp.first_kick === "full" ? "full" : "half";
  switch (run.method) {
    case "sgld":
      return { rule: sgld({ lr: num("lr"), temperature: num("tau") }, { noise }), groups: all };
    case "heavyball":
      return { rule: sgd({ lr: num("lr"), momentum: num("mu") }), groups: all };
    case "baoab":
    case "adla":
    case "lala":
    case "adlala":
    case "lol": {
      const groups = hp.groups as Json[];
      const rules: Record<string, UpdateRule> = {};
      const specs: GroupSpec[] = groups.map((g, k) => {
        const label = `g${k}`;
        const h = num("h");
        const tau = Number(g.tau);
        if (g.kind === "langevin") {
          rules[label] = langevin({ h, friction: Number(g.gamma), temperature: tau }, { noise, firstKick });
        } else if (g.kind === "overdamped") {
          rules[label] = overdampedLangevin({ h, temperature: tau }, { noise, firstKick });
        } else if (g.kind === "adla") {
          rules[label] = adaptiveLangevin(
            { h, temperature: tau, sigmaA: Number(g.sigma), coupling: Number(g.eps), xi0: Number(g.xi0) },
            { noise },
          );
        } else {
          rejectValue(
            `run ${JSON.stringify(run.name)} group kind`,
            g.kind,
            "unknown",
            "Use langevin, overdamped or adla.",
          );
        }
        return { label, select: { or: (g.params as string[]).map((p) => ({ path: p })) } };
      });
      return { rule: partitionRules(rules), groups: specs };
    }
    case "o-cola-ud":
    case "c-cola-ud":
    case "s-cola-ud":
      return {
        rule: langevin(
          { h: num("h"), friction: num("gamma"), temperature: num("tau") },
          {
            noise,
            firstKick,
            order: hp.order === "OBA" ? "OBA" : "BAOAB",
            constraints: constraintsOf(hp.constraints as Json),
            onInfeasible: "error",
          },
        ),
        groups: all,
      };
    case "o-cola-od":
    case "c-cola-od":
    case "s-cola-od":
      return {
        rule: sgld(
          { lr: num("lr"), temperature: num("tau") },
          { noise, constraints: constraintsOf(hp.constraints as Json), onInfeasible: "error" },
        ),
        groups: all,
      };
    default:
      return rejectValue(
        `run ${JSON.stringify(run.name)} method`,
        run.method,
        "it is not a method this replay knows",
        "Use sgld, baoab, adla, lala, adlala, lol, o-/c-/s-cola-ud, o-/c-/s-cola-od or heavyball.",
      );
  }
}
