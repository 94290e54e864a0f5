/**
 * The quick-start demo: a small MLP on two-moons-like data the script generates, trained
 * with a grouped optimizer (no weight decay on biases, a faster head) and then with SAM.
 * Prints the groups, the loss every 50 steps and the final accuracy of both.
 */
import * as tf from "@tensorflow/tfjs";
import { collectParams, describeGroups, everything, GroupedOptimizer, type GroupSpec, hasTag, sam, sgd } from "@sam/core";
import { makeData, makeModel } from "./problem";

const { x, y } = makeData(256, 7);
const groups: GroupSpec[] = [
  { label: "bias", select: hasTag("bias"), hyper: { weightDecay: 0 } },
  { label: "head", select: { path: "head/*" }, hyper: { lrScale: 2 } },
  { label: "body", select: everything },
];
const defaults = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };

function train(name: string, build: (model: tf.Sequential) => GroupedOptimizer, steps = 300) {
  const model = makeModel(1);
  const optimizer = build(model);
  if (name === "sgd") console.log(`${String(describeGroups(optimizer.groups))}\n`);
  const lossFn = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  for (let step = 0; step <= steps; step++) {
    const loss = optimizer.minimize(lossFn, true)!;
    if (step % 100 === 0) console.log(`${name.padEnd(4)} step ${String(step).padStart(3)}  loss ${loss.dataSync()[0]!.toFixed(4)}`);
    loss.dispose();
  }
  const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)), "float32")).dataSync()[0]!);
  console.log(`${name.padEnd(4)} train accuracy ${(accuracy * 100).toFixed(1)}%\n`);
  optimizer.dispose();
  model.dispose();
  return accuracy;
}

console.log(`backend: ${tf.getBackend()}\n`);
train("sgd", (model) => new GroupedOptimizer({ params: collectParams(model), groups, defaults, rule: sgd() }));
train("sam", (model) => sam({ params: collectParams(model), groups, defaults, rule: sgd(), rho: 0.05 }));
