"""Writes src/__fixtures__/referenceSteps.json: the reference harness's first training steps.

The data (4-turn two spirals, 500 points), the PyTorch-style initialization, the mini-batch
order and the Adam / momentum-SGD updates of `langevin_reference.py spiral` (seed 2), run for
STEPS steps in float64; the example's test replays them with its own model, loss and
optimizers (`trainSpirals.test.ts`). Run from the repository root:

    python3 examples/spirals-adlala/scripts/reference_steps.py ../shared/reference
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
import langevin_reference as R  # noqa: E402

SEED, STEPS, BATCH, H = 2, 40, 25, 100
rng = np.random.default_rng(SEED)
x, y = R.spiral_points(500, rng=rng)
b1, b2 = 1 / math.sqrt(2), 1 / math.sqrt(H)  # torch.nn.Linear default bounds, 1/sqrt(fan_in)
init = {"W1": rng.uniform(-b1, b1, (H, 2)), "b1": rng.uniform(-b1, b1, (H,)),
        "W2": rng.uniform(-b2, b2, (1, H)), "b2": rng.uniform(-b2, b2, (1,))}
x, init = np.float32(x).astype(float), {k: np.float32(v).astype(float) for k, v in init.items()}
perms = [rng.permutation(500).tolist() for _ in range(math.ceil(STEPS * BATCH / 500))]


def grads(p, xb, yb):
    """Mean binary cross-entropy of the logits and its gradient (the harness's loss_grad)."""
    a1 = np.maximum(xb @ p["W1"].T + p["b1"], 0.0)
    z = (a1 @ p["W2"].T + p["b2"])[:, 0]
    dz = (1 / (1 + np.exp(-z)) - yb) / xb.shape[0]
    dz1 = (dz[:, None] @ p["W2"]) * (a1 > 0)
    loss = float(np.mean(np.logaddexp(0.0, z) - yb * z))
    return {"W1": dz1.T @ xb, "b1": dz1.sum(0), "W2": dz[None, :] @ a1, "b2": np.array([dz.sum()])}, loss


out = {"seed": SEED, "steps": STEPS, "batch": BATCH, "x": x.ravel().tolist(), "y": y.tolist(),
       "init": {k: v.tolist() for k, v in init.items()}, "perms": perms}
for name in ("sgd", "adam"):
    p = {k: v.copy() for k, v in init.items()}
    buf, m, v = {}, {k: np.zeros_like(a) for k, a in p.items()}, {k: np.zeros_like(a) for k, a in p.items()}
    losses = []
    for n in range(STEPS):
        start = (n * BATCH) % 500
        idx = perms[(n * BATCH) // 500][start:start + BATCH]
        g, loss = grads(p, x[idx], y[idx])
        losses.append(loss)
        for k in p:
            if name == "sgd":  # HeavyBall(0.05, 0.9): torch.optim.SGD semantics
                buf[k] = g[k].copy() if n == 0 else 0.9 * buf[k] + g[k]
                p[k] -= 0.05 * buf[k]
            else:  # the harness's Adam(0.005): betas 0.9, 0.999, eps 1e-8
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
                p[k] -= 0.005 * (m[k] / (1 - 0.9 ** (n + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (n + 1))) + 1e-8)
    out[name] = {"losses": losses, "params": {k: a.tolist() for k, a in p.items()}}


def short(value):
    """9 significant digits: float32 values round-trip exactly, float64 ones to ~1e-9."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [short(item) for item in value]
    if isinstance(value, dict):
        return {key: short(item) for key, item in value.items()}
    return value


with open("examples/spirals-adlala/src/__fixtures__/referenceSteps.json", "w") as f:
    json.dump(short(out), f, separators=(",", ":"))
