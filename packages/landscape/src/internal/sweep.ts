import { type ParamSet, ParamSnapshot } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { EvaluateStep, Evaluation } from "../evaluation/evaluator";
import type { ParamState } from "../paramState";
import { type OnProgress, yieldToEventLoop } from "../progress";
import type { Direction } from "../slices/direction";

/**
 * Evaluates theta = center + sum_k c_k d_k at each coefficient tuple, restoring the weights
 * exactly at the end (also when the evaluator throws).
 */
export async function sweep(
  params: ParamSet,
  center: ParamState | undefined,
  directions: readonly Direction[],
  points: readonly (readonly number[])[],
  evaluate: EvaluateStep,
  onProgress?: OnProgress,
): Promise<Evaluation[]> {
  const list = params.params;
  const snapshot = new ParamSnapshot(list);
  snapshot.save();
  const c = list.map((p, i) =>
    center ? tf.tensor(center.params[p.path]!.values, [...p.shape], "float32") : tf.clone(snapshot.saved(i)),
  );
  const d = directions.map((dir) => list.map((p) => tf.tensor(dir[p.path]!.values, [...p.shape], "float32")));
  const out: Evaluation[] = [];
  try {
    for (const coef of points) {
      list.forEach((p, i) =>
        tf.tidy(() => {
          let v: tf.Tensor = c[i]!;
          coef.forEach((a, k) => {
            if (a !== 0) v = tf.add(v, tf.mul(d[k]![i]!, a));
          });
          p.variable.assign(v);
        }),
      );
      out.push(await evaluate());
      onProgress?.({ done: out.length, total: points.length });
      await yieldToEventLoop();
    }
  } finally {
    snapshot.restore();
    snapshot.dispose();
    tf.dispose([...c, ...d.flat()]);
  }
  return out;
}

/** Cosine between two directions over all paths. */
export function directionCosine(a: Direction, b: Direction): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (const path of Object.keys(a)) {
    const x = a[path]!.values;
    const y = b[path]?.values;
    if (!y) continue;
    for (let i = 0; i < x.length; i++) {
      ab += x[i]! * y[i]!;
      aa += x[i]! ** 2;
      bb += y[i]! ** 2;
    }
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
