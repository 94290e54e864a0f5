import type { StepProgress } from "../run/trainRun";

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * One line of the terminal progress bar: epoch, step, a 20-cell bar, the last loss, images/s
 * and the estimated time left.
 *
 * @example
 * ```ts
 * progressLine({ step: 50, totalSteps: 100, epoch: 1, epochs: 2, loss: 0.5, imagesPerSecond: 800, eta: 4 });
 * // "epoch 1/2  step 50/100 [##########----------] loss 0.5000  800 img/s  ETA 0:04"
 * ```
 */
export function progressLine(p: StepProgress): string {
  const cells = Math.round((20 * p.step) / p.totalSteps);
  const bar = `${"#".repeat(cells)}${"-".repeat(20 - cells)}`;
  return `epoch ${p.epoch}/${p.epochs}  step ${p.step}/${p.totalSteps} [${bar}] loss ${p.loss.toFixed(4)}  ${Math.round(p.imagesPerSecond)} img/s  ETA ${clock(p.eta)}`;
}
