import * as tf from "@tensorflow/tfjs";
import { fromVariables, or, pathGlob } from "@sam/core";
import { multirate } from "@sam/multirate";
import { checkRunFields } from "./checkRunFields";

/**
 * A multirate case file of `shared/reference` (see `multirate_reference.py --help`): a
 * one-hidden-layer tanh network in TF.js layout, `y_hat = tanh(x W_b + b_b) W_h + b_h`, loss
 * `0.5 * mean((y_hat - y)^2)` on one full batch, fast and slow groups by parameter path, and
 * runs of multirate momentum SGD.
 */
export interface MultirateCase {
  model: { in: number; hidden: number; out: number; activation: "tanh" };
  groups: { fast: string[]; slow: string[] };
  init: Record<string, number[] | number[][]>;
  data: { x: number[][]; y: number[][] };
  runs: MultirateRun[];
}

/** One run: multirate({ k, lr, momentum, weightDecay, drift }) for `steps` steps. */
export interface MultirateRun {
  id: string;
  k: number;
  lr: number;
  momentum: number;
  weight_decay: number;
  drift: boolean;
  steps: number;
}

const RUN_FIELDS = ["id", "k", "lr", "momentum", "weight_decay", "drift", "steps"] as const;

/** What `multirate_reference.py compare` reads for one run (`loss` at the step's starting point). */
export interface MultirateRunResult {
  steps: { t: number; loss: number; params_after: Record<string, unknown> }[];
}

/** Whether `data` has the shape of a multirate case (fast/slow groups and an `init` by path). */
export function isMultirateCase(data: Record<string, unknown>): boolean {
  const groups = data.groups as { fast?: unknown; slow?: unknown } | undefined;
  return Array.isArray(groups?.fast) && Array.isArray(groups?.slow) && Array.isArray(data.runs);
}

/**
 * Replays every run of a multirate case with `multirate(...)` from `@sam/multirate` and returns
 * the trajectories by run id, in the layout the harness compares. A run with a field this
 * replayer does not know is refused before anything runs.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const actual = replayMultirateCase(JSON.parse(readFileSync("multirate_case1.json", "utf8")));
 * ```
 */
export function replayMultirateCase(c: MultirateCase): Record<string, MultirateRunResult> {
  for (const run of c.runs)
    checkRunFields("multirate case", run as unknown as Record<string, unknown>, RUN_FIELDS);
  const out: Record<string, MultirateRunResult> = {};
  const x = tf.tensor2d(c.data.x);
  const y = tf.tensor2d(c.data.y);
  for (const run of c.runs) {
    const variables = Object.fromEntries(
      Object.entries(c.init).map(([path, value]) => [path, tf.variable(tf.tensor(value), true)]),
    );
    const v = (path: string) => {
      const variable = variables[path];
      if (!variable) throw new Error(`multirate case: init has no ${JSON.stringify(path)}.`);
      return variable;
    };
    const loss = () =>
      tf.tidy(() => {
        const h = tf.tanh(tf.add(tf.matMul(x, v("body/kernel")), v("body/bias")));
        const yHat = tf.add(tf.matMul(h, v("head/kernel")), v("head/bias"));
        return tf.mul(0.5, tf.mean(tf.square(tf.sub(yHat, y)))) as tf.Scalar;
      });
    const select = (paths: string[]) => or(...paths.map((p) => pathGlob(p)));
    const optimizer = multirate(fromVariables(variables), {
      k: run.k,
      lr: run.lr,
      momentum: run.momentum,
      weightDecay: run.weight_decay,
      drift: run.drift,
      fast: select(c.groups.fast),
      slow: select(c.groups.slow),
      onWarning: () => {},
    });
    const steps: MultirateRunResult["steps"] = [];
    for (let t = 0; t < run.steps; t++) {
      const cost = optimizer.minimize(loss, true)!;
      const value = cost.dataSync()[0]!;
      cost.dispose();
      steps.push({
        t,
        loss: value,
        params_after: Object.fromEntries(Object.entries(variables).map(([p, w]) => [p, w.arraySync()])),
      });
    }
    out[run.id] = { steps };
    optimizer.dispose();
    tf.dispose(Object.values(variables));
  }
  tf.dispose([x, y]);
  return out;
}
