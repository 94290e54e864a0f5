"""Adam and momentum SGD only, on more seeds than `langevin_reference.py spiral` is cheap for.

Same data generator (`spiral_points`), PyTorch-style initialization, mini-batches of 25 from a
fresh permutation each epoch, mean binary cross-entropy, Adam(lr 0.005) and heavy-ball SGD
(lr 0.05, momentum 0.9, torch semantics) as the harness's `spiral` subcommand, in float64; the
random stream is consumed in a different order (no AdLaLa or BAOAB run in between), so a seed
here is not the same run as that seed there. A fourth argument `float32` runs the same
arithmetic in float32. Prints one JSON line per seed with the test accuracy (%) at the last
epoch. From the repository root:

    python3 examples/spirals-adlala/scripts/reference_baselines.py ../shared/reference 11 31
    python3 examples/spirals-adlala/scripts/reference_baselines.py ../shared/reference 11 21 float32
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import langevin_reference as R  # noqa: E402


def run(seed, dt, epochs=4000):
    rng = np.random.default_rng(seed)
    x_train, y_train = R.spiral_points(500, rng=rng)
    x_test, y_test = R.spiral_points(1000, rng=rng)
    x_train, y_train, x_test = x_train.astype(dt), y_train.astype(dt), x_test.astype(dt)
    hidden = 100
    b1, b2 = 1 / math.sqrt(2), 1 / math.sqrt(hidden)
    result = {}
    for name in ("adam", "sgd"):
        p = {"W1": rng.uniform(-b1, b1, (hidden, 2)), "b1": rng.uniform(-b1, b1, (hidden,)),
             "W2": rng.uniform(-b2, b2, (1, hidden)), "b2": rng.uniform(-b2, b2, (1,))}
        p = {k: a.astype(dt) for k, a in p.items()}
        buf, m, v = {}, {k: np.zeros_like(a) for k, a in p.items()}, {k: np.zeros_like(a) for k, a in p.items()}
        n = 0
        for _ in range(epochs):
            perm = rng.permutation(500)
            for b in range(0, 500, 25):
                idx = perm[b:b + 25]
                x, y = x_train[idx], y_train[idx]
                a1 = np.maximum(x @ p["W1"].T + p["b1"], 0.0)
                z = (a1 @ p["W2"].T + p["b2"])[:, 0]
                dz = ((dt(1) / (dt(1) + np.exp(-z)) - y) / dt(25)).astype(dt)
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
        result[name] = round(100 * float(np.mean((z > 0) == (y_test > 0.5))), 1)
    return result


dtype = np.float32 if len(sys.argv) > 4 and sys.argv[4] == "float32" else np.float64
for seed in range(int(sys.argv[2]), int(sys.argv[3])):
    print(json.dumps({"seed": seed, **run(seed, dtype)}), flush=True)
