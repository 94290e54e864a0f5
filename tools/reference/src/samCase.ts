import {
  adamw,
  chunkedLoss,
  fromVariables,
  GroupedOptimizer,
  gsamOracle,
  lookSamOracle,
  momentumSamOracle,
  ParamSet,
  type SamOracle,
  type SamOracleOptions,
  type SelectorSpec,
  samOracle,
  sgd,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { checkRunFields } from "./checkRunFields";

/**
 * A SAM-family case file of `shared/reference` (see `sam_reference.py --help`): an MLP
 * `logits = fc2(act(norm(fc1(x))))` in PyTorch layout, data, and runs of the SAM family.
 */
export interface SamCase {
  model: {
    in_dim: number;
    hidden: number;
    out_dim: number;
    norm: "layernorm" | "batchnorm" | "none";
    norm_eps: number;
    bn_momentum: number;
    activation: "tanh" | "relu";
    fc1_bias?: boolean;
  };
  init: {
    params: Record<string, number[] | number[][]>;
    bn?: { running_mean: number[]; running_var: number[] };
  };
  data: { x: number[][]; y: number[] };
  loss?: { label_smoothing?: number };
  steps: number;
  runs: SamRun[];
}

/** One run of a case (the harness's RunConfig). */
export interface SamRun {
  id: string;
  method: "sgd" | "sam" | "asam" | "usam" | "gsam" | "looksam" | "msam";
  rho?: number;
  norm_p?: "2" | "inf";
  perturb_eps?: number;
  subset?: "all" | "only_norm" | "no_norm";
  adaptive_mode?: "elementwise" | "layerwise" | "abs" | "raw";
  eta?: number;
  adaptive_params?: "weights_only" | "all";
  m?: number | null;
  bn_stats?: "first_pass_only" | "both_passes";
  l2_in_loss?: number;
  clip_grad_norm?: number | null;
  /** gsam: weight of g's part orthogonal to g_p; looksam: weight of the reused direction. */
  alpha?: number;
  /** looksam: a full SAM step every k steps. */
  k?: number;
  /** The batch as this many equal micro-batches. */
  accumulate?: number | null;
  /** "global": one e from the accumulated gradient; "per_micro": one e per micro-batch. */
  accumulate_mode?: "global" | "per_micro";
  base: {
    type: "sgd" | "adamw";
    lr?: number;
    momentum?: number;
    dampening?: number;
    nesterov?: boolean;
    weight_decay?: number;
    betas?: [number, number];
    eps?: number;
  };
}

/** The fields of {@link SamRun} this replayer reads; any other field is refused. */
const SAM_RUN_FIELDS = [
  "id",
  "method",
  "rho",
  "norm_p",
  "perturb_eps",
  "subset",
  "adaptive_mode",
  "eta",
  "adaptive_params",
  "m",
  "bn_stats",
  "l2_in_loss",
  "clip_grad_norm",
  "alpha",
  "k",
  "accumulate",
  "accumulate_mode",
  "base",
] as const;
const SAM_METHODS = ["sgd", "sam", "asam", "usam", "gsam", "looksam", "msam"] as const;
const BASE_FIELDS = [
  "type",
  "lr",
  "momentum",
  "dampening",
  "nesterov",
  "weight_decay",
  "betas",
  "eps",
] as const;

/** What the harness's `compare` reads for one run. */
export interface SamRunResult {
  steps: {
    t: number;
    loss: number;
    /** Absent on a one-pass step (LookSAM's reuse steps, momentum-SAM, SGD). */
    loss_perturbed?: number;
    params_after: Record<string, unknown>;
    bn_after?: Record<string, number[]>;
  }[];
}

/** PyTorch name -> (our path, whether the tensor is a transposed Linear weight). */
const LAYOUT: Record<string, { path: string; transpose: boolean; tags: string[] }> = {
  "fc1.weight": { path: "fc1/kernel", transpose: true, tags: ["weight"] },
  "fc1.bias": { path: "fc1/bias", transpose: false, tags: ["bias"] },
  "norm.weight": { path: "norm/gamma", transpose: false, tags: ["norm", "norm-scale"] },
  "norm.bias": { path: "norm/beta", transpose: false, tags: ["norm", "norm-shift"] },
  "fc2.weight": { path: "fc2/kernel", transpose: true, tags: ["weight"] },
  "fc2.bias": { path: "fc2/bias", transpose: false, tags: ["bias"] },
};

const WEIGHTS: SelectorSpec = { or: [{ tag: "weight" }, { tag: "norm-scale" }] };
const SUBSETS: Record<string, SelectorSpec> = {
  all: { all: true },
  only_norm: { tag: "norm" },
  no_norm: { not: { tag: "norm" } },
};

/**
 * The case's model as tfjs variables. BatchNorm follows the case's PyTorch conventions,
 * converted here: the batch is normalized with the biased variance, the running variance
 * is updated with the unbiased one, and `bn_momentum` is the weight of the new batch
 * (Keras' `momentum` is the weight of the old value). The running statistics are the
 * parameter set's state variables, updated inside the loss closure exactly as a
 * tf.layers.batchNormalization layer does, so the SAM oracle's handling of them is what
 * is tested.
 */
function buildModel(c: SamCase) {
  const variables: Record<string, tf.Variable> = {};
  const tags: Record<string, string[]> = {};
  const names = Object.keys(LAYOUT).filter((n) => n in c.init.params);
  for (const name of names) {
    const { path, transpose, tags: t } = LAYOUT[name]!;
    const value = tf.tensor(c.init.params[name]!);
    variables[path] = tf.variable(transpose ? tf.transpose(value) : value, true);
    tags[path] = t;
    value.dispose();
  }
  const base = fromVariables(variables, { tags });
  const running =
    c.model.norm === "batchnorm"
      ? {
          mean: tf.variable(tf.tensor1d(c.init.bn!.running_mean), false),
          variance: tf.variable(tf.tensor1d(c.init.bn!.running_var), false),
        }
      : null;
  const params: ParamSet = running
    ? new ParamSet(base.params, [
        { path: "norm/moving_mean", variable: running.mean },
        { path: "norm/moving_variance", variable: running.variance },
      ])
    : base;
  const v = (path: string) => variables[path]!;
  const { norm_eps: eps, bn_momentum: momentum } = c.model;
  const smoothing = c.loss?.label_smoothing ?? 0;

  const loss = (x: tf.Tensor, yOneHot: tf.Tensor): tf.Scalar => {
    let h = tf.matMul(x, v("fc1/kernel"));
    if (variables["fc1/bias"]) h = tf.add(h, v("fc1/bias"));
    if (c.model.norm === "layernorm") {
      const { mean, variance } = tf.moments(h, -1, true);
      h = tf.add(
        tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps))), v("norm/gamma")),
        v("norm/beta"),
      );
    } else if (c.model.norm === "batchnorm" && running) {
      const { mean, variance } = tf.moments(h, 0);
      const n = h.shape[0]!;
      const unbiased = tf.mul(variance, n / (n - 1));
      running.mean.assign(tf.add(tf.mul(1 - momentum, running.mean), tf.mul(momentum, mean)));
      running.variance.assign(tf.add(tf.mul(1 - momentum, running.variance), tf.mul(momentum, unbiased)));
      h = tf.add(
        tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps))), v("norm/gamma")),
        v("norm/beta"),
      );
    }
    h = c.model.activation === "tanh" ? tf.tanh(h) : tf.relu(h);
    const logits = tf.add(tf.matMul(h, v("fc2/kernel")), v("fc2/bias"));
    return tf.losses.softmaxCrossEntropy(yOneHot, logits, undefined, smoothing) as tf.Scalar;
  };

  const snapshot = () => {
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const { path, transpose } = LAYOUT[name]!;
      out[name] = tf.tidy(() => (transpose ? tf.transpose(v(path)) : v(path).clone())).arraySync();
    }
    return out;
  };
  const bnSnapshot = () =>
    running
      ? {
          running_mean: Array.from(running.mean.dataSync()),
          running_var: Array.from(running.variance.dataSync()),
        }
      : undefined;
  const dispose = () =>
    tf.dispose([...Object.values(variables), ...(running ? [running.mean, running.variance] : [])]);
  return { params, loss, snapshot, bnSnapshot, dispose };
}

function optimizerFor(
  run: SamRun,
  params: ParamSet,
): { optimizer: GroupedOptimizer; oracle: Pick<SamOracle, "diagnostics"> | null } {
  const b = run.base;
  if (b.dampening) {
    throw new Error(`run ${run.id}: SGD dampening ${b.dampening} is not supported (the sgd rule has none).`);
  }
  const rule =
    b.type === "sgd"
      ? sgd({
          lr: b.lr ?? 0.1,
          momentum: b.momentum ?? 0,
          nesterov: b.nesterov ?? false,
          weightDecay: b.weight_decay ?? 0,
        })
      : adamw({
          lr: b.lr ?? 0.1,
          beta1: b.betas?.[0] ?? 0.9,
          beta2: b.betas?.[1] ?? 0.999,
          epsilon: b.eps ?? 1e-8,
          weightDecay: b.weight_decay ?? 0,
        });
  if (run.method === "sgd") return { optimizer: new GroupedOptimizer({ params, rule }), oracle: null };
  const perturb = SUBSETS[run.subset ?? "all"]!;
  if (run.method === "msam") {
    // the harness's epsilon for momentum-SAM is 1e-12 whatever perturb_eps says
    const oracle = momentumSamOracle({
      rho: run.rho ?? 0.05,
      perturb,
      epsilon: 1e-12,
      l2InLoss: run.l2_in_loss ?? 0,
    });
    return { optimizer: new GroupedOptimizer({ params, rule, oracle }), oracle: null };
  }
  if (run.adaptive_mode === "raw")
    throw new Error(`run ${run.id}: adaptive_mode "raw" (signed T = w) is a parity mode we do not ship.`);
  const options: SamOracleOptions = {
    rho: run.rho ?? 0.05,
    perturb,
    epsilon: run.perturb_eps ?? 1e-12,
    norm: run.norm_p === "inf" ? "inf" : 2,
    normalized: run.method !== "usam",
    adaptive:
      run.method === "asam"
        ? {
            mode: run.adaptive_mode ?? "elementwise",
            eta: run.eta ?? 0,
            params: run.adaptive_params === "all" ? { all: true } : WEIGHTS,
          }
        : false,
    bnStats: run.bn_stats === "both_passes" ? "both-passes" : "first-pass",
    l2InLoss: run.l2_in_loss ?? 0,
    ...(run.clip_grad_norm ? { clipGradNorm: run.clip_grad_norm } : {}),
    checkFinite: true, // fills oracle.diagnostics, whose perturbed loss the case records
    ...(run.accumulate ? { accumulation: run.accumulate_mode === "per_micro" ? "per-micro" : "global" } : {}),
  };
  const oracle =
    run.method === "gsam"
      ? gsamOracle({ ...options, alpha: run.alpha ?? 0 })
      : run.method === "looksam"
        ? lookSamOracle({ ...options, k: run.k ?? 1, alpha: run.alpha ?? 0 })
        : samOracle(options);
  return { optimizer: new GroupedOptimizer({ params, rule, oracle }), oracle };
}

/** Micro-batch size of a run with `accumulate` (the batch in that many equal parts). */
function chunkSize(run: SamRun, batch: number): number {
  const n = run.accumulate!;
  if (run.m)
    throw new Error(`run ${run.id}: accumulate and m together are not defined by the harness; give one.`);
  if (!(Number.isInteger(n) && n >= 1 && batch % n === 0)) {
    throw new Error(
      `run ${run.id}: accumulate ${n} must be a whole number of micro-batches dividing the batch (${batch}).`,
    );
  }
  if (run.accumulate_mode !== undefined && !["global", "per_micro"].includes(run.accumulate_mode)) {
    throw new Error(
      `run ${run.id}: accumulate_mode ${JSON.stringify(run.accumulate_mode)} is unknown; use "global" or "per_micro".`,
    );
  }
  return batch / n;
}

/**
 * Replays every run of a SAM-family case file and returns `{ expected: { [run id]: { steps } } }`,
 * the layout `sam_reference.py compare --actual` reads (parameters back in PyTorch layout).
 *
 * @example
 * ```ts
 * const actual = replaySamCase(JSON.parse(fs.readFileSync("sam_mlp_case1.json", "utf8")));
 * ```
 */
export function replaySamCase(c: SamCase): { expected: Record<string, SamRunResult> } {
  for (const run of c.runs) {
    checkRunFields("SAM case", run as unknown as Record<string, unknown>, SAM_RUN_FIELDS, SAM_METHODS);
    checkRunFields(
      `SAM case run ${JSON.stringify(run.id)}: base`,
      run.base as Record<string, unknown>,
      BASE_FIELDS,
    );
  }
  const expected: Record<string, SamRunResult> = {};
  for (const run of c.runs) {
    const model = buildModel(c);
    const x = tf.tensor2d(c.data.x);
    const y = tf.oneHot(tf.tensor1d(c.data.y, "int32"), c.model.out_dim);
    const { optimizer, oracle } = optimizerFor(run, model.params);
    // m-sharpness / micro-batches without L2 terms in the chunks: means over their examples
    const size = run.accumulate ? chunkSize(run, c.data.x.length) : run.m;
    const lossFn = size
      ? chunkedLoss([x, y], size, (cx, cy) => model.loss(cx!, cy!))
      : () => model.loss(x, y);
    const steps: SamRunResult["steps"] = [];
    for (let t = 0; t < c.steps; t++) {
      const loss = optimizer.minimize(lossFn, true)!;
      const lossValue = loss.dataSync()[0]!;
      loss.dispose();
      const bn = model.bnSnapshot();
      steps.push({
        t,
        loss: oracle?.diagnostics?.loss ?? lossValue,
        ...(oracle?.diagnostics ? { loss_perturbed: oracle.diagnostics.perturbedLoss } : {}),
        params_after: model.snapshot(),
        ...(bn ? { bn_after: bn } : {}),
      });
    }
    expected[run.id] = { steps };
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
  return { expected };
}
