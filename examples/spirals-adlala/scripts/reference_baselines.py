"""Adam and momentum SGD only, in the reference harness's arithmetic, on more seeds than
`langevin_reference.py spiral` is cheap for, or on the example's own random streams.

Same data generator (`spiral_points`), PyTorch-style initialization, mini-batches of 25 from a
fresh permutation each epoch, mean binary cross-entropy, Adam(lr 0.005) and heavy-ball SGD
(lr 0.05, momentum 0.9, torch semantics) as the harness's `spiral` subcommand, in float64.
Prints one JSON line per seed with the test accuracy (%) at the last epoch.

Harness streams (numpy's generator; the stream is consumed in a different order from the
harness, which runs AdLaLa and BAOAB in between, so a seed here is not that seed there):

    python3 examples/spirals-adlala/scripts/reference_baselines.py ../shared/reference 11 31
    python3 examples/spirals-adlala/scripts/reference_baselines.py ../shared/reference 11 21 float32

The example's streams (its data, initialization and per-epoch permutations for one seed, as
`scripts/dump_streams.ts` writes them), so that the same draws are trained in float64 here and
in float32 tfjs by `main.ts`:

    pnpm --filter @sam/example-spirals-adlala exec tsx --conditions=@sam/source scripts/dump_streams.ts 3 /tmp/s3.json
    python3 examples/spirals-adlala/scripts/reference_baselines.py ../shared/reference --streams /tmp/s3.json
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import langevin_reference as R  # noqa: E402

HIDDEN, EPOCHS, N_TRAIN, BATCH = 100, 4000, 500, 25


def train(name, data, init, permutation, dt):
    """Trains `name` ('adam' or 'sgd') from `init`; `permutation(epoch)` gives each epoch's order.

    Returns the test accuracy (%) after EPOCHS epochs.
    """
    x_train, y_train, x_test, y_test = (a.astype(dt) for a in data)
    p = {k: a.astype(dt) for k, a in init.items()}
    buf, m, v = {}, {k: np.zeros_like(a) for k, a in p.items()}, {k: np.zeros_like(a) for k, a in p.items()}
    n = 0
    for epoch in range(EPOCHS):
        perm = permutation(epoch)
        for b in range(0, N_TRAIN, BATCH):
            idx = perm[b:b + BATCH]
            x, y = x_train[idx], y_train[idx]
            a1 = np.maximum(x @ p["W1"].T + p["b1"], 0.0)
            z = (a1 @ p["W2"].T + p["b2"])[:, 0]
            dz = ((dt(1) / (dt(1) + np.exp(-z)) - y) / dt(BATCH)).astype(dt)
            dz1 = (dz[:, None] @ p["W2"]) * (a1 > 0)
            g = {"W1": dz1.T @ x, "b1": dz1.sum(0), "W2": dz[None, :] @ a1, "b2": np.array([dz.sum()])}
            for k in p:
                if name == "sgd":
                    buf[k] = g[k].copy() if n == 0 else dt(0.9) * buf[k] + g[k]
                    p[k] -= dt(0.05) * buf[k]
                else:
                    m[k] = dt(0.9) * m[k] + dt(0.1) * g[k]
                    v[k] = dt(0.999) * v[k] + dt(0.001) * g[k] ** 2
                    c1, c2 = dt(1 - 0.9 ** (n + 1)), dt(1 - 0.999 ** (n + 1))
                    p[k] -= dt(0.005) * (m[k] / c1) / (np.sqrt(v[k] / c2) + dt(1e-8))
            n += 1
    z = (np.maximum(x_test @ p["W1"].T + p["b1"], 0.0) @ p["W2"].T + p["b2"])[:, 0]
    return round(100 * float(np.mean((z > 0) == (y_test > 0.5))), 1)


def harness_streams(seed, dt):
    """Both methods on numpy's draws for `seed`: data, then per method its init and permutations."""
    rng = np.random.default_rng(seed)
    data = (*R.spiral_points(500, rng=rng), *R.spiral_points(1000, rng=rng))
    b1, b2 = 1 / math.sqrt(2), 1 / math.sqrt(HIDDEN)
    result = {}
    for name in ("adam", "sgd"):
        init = {"W1": rng.uniform(-b1, b1, (HIDDEN, 2)), "b1": rng.uniform(-b1, b1, (HIDDEN,)),
                "W2": rng.uniform(-b2, b2, (1, HIDDEN)), "b2": rng.uniform(-b2, b2, (1,))}
        result[name] = train(name, data, init, lambda _: rng.permutation(N_TRAIN), dt)
    return {"seed": seed, **result}


def example_streams(path, dt):
    """Both methods on the example's draws (`dump_streams.ts`): tfjs kernels are [in, out]."""
    s = json.load(open(path))
    data = (np.reshape(s["xTrain"], (-1, 2)), np.array(s["yTrain"]), np.reshape(s["xTest"], (-1, 2)),
            np.array(s["yTest"]))
    init = {"W1": np.reshape(s["kernel1"], (2, HIDDEN)).T, "b1": np.array(s["bias1"]),
            "W2": np.reshape(s["kernel2"], (HIDDEN, 1)).T, "b2": np.array(s["bias2"])}
    result = {}
    for name in ("adam", "sgd"):
        perms = np.reshape(s["permutations"][name], (-1, N_TRAIN))
        result[name] = train(name, data, init, lambda epoch: perms[epoch], dt)
    return {"seed": s["seed"], "streams": "example", **result}


dtype = np.float32 if sys.argv[-1] == "float32" else np.float64
if sys.argv[2] == "--streams":
    print(json.dumps(example_streams(sys.argv[3], dtype)), flush=True)
else:
    for seed in range(int(sys.argv[2]), int(sys.argv[3])):
        print(json.dumps(harness_streams(seed, dtype)), flush=True)
