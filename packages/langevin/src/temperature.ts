import { rejectValue } from "@sam/core";

/**
 * The temperature that makes a Langevin method sample the Bayesian posterior when the loss is
 * the mean over `datasetSize` examples (with the prior, if any, scaled by `1/datasetSize`
 * inside the loss): `tau = 1 / N`. Target density `exp(-L/tau) = exp(-N L)`.
 *
 * @example
 * ```ts
 * import { temperatureFromDatasetSize } from "@sam/langevin";
 *
 * temperatureFromDatasetSize(50_000); // 2e-5
 * ```
 */
export function temperatureFromDatasetSize(datasetSize: number): number {
  if (!(Number.isFinite(datasetSize) && datasetSize > 0)) {
    rejectValue(
      "temperatureFromDatasetSize(datasetSize)",
      datasetSize,
      "it must be a number > 0",
      "Pass the number of training examples.",
    );
  }
  return 1 / datasetSize;
}

/**
 * SGLD settings from Welling and Teh's parameterization (`theta += (epsilon/2) grad log p + N(0, epsilon)`
 * with `U = N L + prior`; also TFP's `StochasticGradientLangevinDynamics(learning_rate, data_size)`):
 * `lr = epsilon N / 2`, `temperature = 1 / N`.
 *
 * @example
 * ```ts
 * import { fromWellingTeh, sgld } from "@sam/langevin";
 *
 * const rule = sgld(fromWellingTeh({ epsilon: 1e-6, datasetSize: 60_000 })); // lr 0.03, temperature 1/60000
 * ```
 */
export function fromWellingTeh(options: { epsilon: number; datasetSize: number }): {
  lr: number;
  temperature: number;
} {
  const tau = temperatureFromDatasetSize(options.datasetSize);
  return { lr: (options.epsilon * options.datasetSize) / 2, temperature: tau };
}

/**
 * The heavy-ball SGD (`torch.optim.SGD` / `sgd({ momentum })` of `@sam/core`) that BAOAB at
 * temperature 0 equals: `momentum = c = exp(-gamma h)`, `lr = h^2 (1 + c) / 2` (order BAOAB,
 * full first kick) or `lr = h^2` (order OBA). Spec 1 and 5.3.
 *
 * @example
 * ```ts
 * import { toHeavyBall } from "@sam/langevin";
 *
 * toHeavyBall({ h: 0.25, friction: 0.1 }); // { lr: 0.0615..., momentum: 0.9753... }
 * ```
 */
export function toHeavyBall(
  options: { h: number; friction: number },
  order: "BAOAB" | "OBA" = "BAOAB",
): { lr: number; momentum: number } {
  const c = Math.exp(-options.friction * options.h);
  return { lr: order === "OBA" ? options.h ** 2 : (options.h ** 2 * (1 + c)) / 2, momentum: c };
}

/**
 * The inverse of {@link toHeavyBall}: the BAOAB time step and friction whose temperature-0 limit
 * is heavy-ball SGD with this learning rate and momentum (0 < momentum < 1).
 *
 * @example
 * ```ts
 * import { fromHeavyBall, langevin } from "@sam/langevin";
 *
 * const rule = langevin({ ...fromHeavyBall({ lr: 0.1, momentum: 0.9 }), temperature: 1e-5 });
 * ```
 */
export function fromHeavyBall(
  options: { lr: number; momentum: number },
  order: "BAOAB" | "OBA" = "BAOAB",
): { h: number; friction: number } {
  const { lr, momentum } = options;
  if (!(momentum > 0 && momentum < 1)) {
    rejectValue(
      "fromHeavyBall momentum",
      momentum,
      "it must be in (0, 1)",
      "Langevin friction gamma = -ln(momentum)/h needs 0 < momentum < 1.",
    );
  }
  if (!(lr > 0)) rejectValue("fromHeavyBall lr", lr, "it must be > 0", "Pass the SGD learning rate.");
  const h = order === "OBA" ? Math.sqrt(lr) : Math.sqrt((2 * lr) / (1 + momentum));
  return { h, friction: -Math.log(momentum) / h };
}
