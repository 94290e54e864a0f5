import * as tf from "@tensorflow/tfjs-core";
import type { ResolvedConstraint } from "./constraint";
import type { NoiseRole } from "./noiseSource";
import {
  ballAugmented,
  circleDrift,
  circleKick,
  circleTangent,
  solve,
  stackSlack,
  tangent,
  unstackSlack,
} from "./internal/geometry";

/** The roles of one momentum refresh's draws: the parameter's, and its slack's (circle, ball). */
export interface RefreshRoles {
  readonly main: NoiseRole;
  readonly slack: NoiseRole;
}

/** Draws `stddev * N(0, I)` for a role, of the parameter's shape or of `shape` (a ball's slack). */
export type DrawNoise = (role: NoiseRole, stddev: number, shape?: readonly number[]) => tf.Tensor;

/** A constrained tensor's phase-space point as stored in the optimizer's variables and slots. */
export interface StoredPoint {
  readonly theta: tf.Variable;
  readonly p: tf.Variable;
  /** Slack s and its momentum p_s (circle and ball constraints). */
  readonly s?: tf.Variable | undefined;
  readonly ps?: tf.Variable | undefined;
}

/**
 * RATTLE (Andersen 1983; Leimkuhler and Matthews, ch. 7) and the other constrained sub-steps:
 * the phase-space point of one constrained tensor (position theta, momentum p, and for circle
 * and ball constraints the slack s and its momentum p_s), with the sub-steps every
 * constrained underdamped integrator is made of (spec 2.5). Pi(theta) is the projection on
 * the tangent space at theta, R, R_s ~ N(0, I):
 *
 * ```
 * kick(g, t)          B_t: p <- Pi(theta) (p - t g)                  (p_s: the slack feels no force)
 * drift(t)            A_t: theta~ = theta + t p; theta' = theta~ + (normal at theta) lambda with
 *                     g(theta') = 0 (RATTLE); p <- Pi(theta') (p + (theta' - theta~) / t)
 *                     (circles: the exact rotation by omega t, omega = (s p_w - w p_s) / r^2)
 * refresh(c, d)       p <- Pi(theta) (c p + d R)   (O_h with c = exp(-gamma h), d = sqrt(tau (1 - c^2));
 *                     an AdLa D-step with c = 1, d = sigma_A sqrt(h/2))
 * scale(f)            p <- f p                      (AdLa C-step: a tangent vector stays tangent)
 * kineticEnergy()     p^T p + p_s^T p_s
 * ```
 * Orthogonal and sphere tensors use the matrix view `[n, m]`; a ball is the sphere one
 * dimension up, on `[M; s]` of shape `[n + 1, m]` (the slack row has zero force); a circle
 * moves each weight with its slack on `w^2 + s^2 = r^2`. All tensors are created inside the
 * caller's `tf.tidy`.
 */
export class Rattle {
  private theta: tf.Tensor;
  private p: tf.Tensor;
  private s: tf.Tensor | null;
  private ps: tf.Tensor | null;
  /** The constraint the sub-steps see (a ball's augmented sphere). */
  private readonly geometry: ResolvedConstraint;
  /** The parameter's shape. */
  private readonly shape: readonly number[];

  constructor(
    private readonly con: ResolvedConstraint,
    stored: StoredPoint,
    private readonly draw: DrawNoise,
  ) {
    this.shape = stored.theta.shape;
    if (con.kind === "ball") {
      this.geometry = ballAugmented(con);
      this.theta = stackSlack(stored.theta, stored.s!, con);
      this.p = stackSlack(stored.p, stored.ps ?? null, con);
      this.s = null;
      this.ps = null;
    } else {
      this.geometry = con;
      this.theta = stored.theta;
      this.p = stored.p;
      this.s = stored.s ?? null;
      this.ps = stored.ps ?? null;
    }
  }

  /** B_t with gradient g (of the parameter's shape). */
  kick(g: tf.Tensor, t: number | tf.Tensor): void {
    if (this.con.kind === "circle") {
      [this.p, this.ps] = circleKick(this.theta, this.s!, this.p, this.ps!, g, t, this.con.radius);
      return;
    }
    const force = this.con.kind === "ball" ? stackSlack(g, null, this.con) : g;
    this.p = tangent(this.theta, tf.sub(this.p, tf.mul(force, t)), this.geometry);
  }

  /** A_t: RATTLE (orthogonal, sphere, ball) or the exact rotation (circle). */
  drift(t: number): void {
    if (this.con.kind === "circle") {
      const x = circleDrift(this.theta, this.s!, this.p, this.ps!, t, this.con.radius);
      this.theta = x.w;
      this.s = x.s;
      this.p = x.pw;
      this.ps = x.ps;
      return;
    }
    const moved = tf.add(this.theta, tf.mul(this.p, t));
    const solved = solve(moved, this.theta, this.geometry);
    this.p = tangent(solved, tf.add(this.p, tf.div(tf.sub(solved, moved), t)), this.geometry);
    this.theta = solved;
  }

  /** `p <- Pi(theta) (c p + d R)`, fresh draws for the roles (c = 0: a new momentum). */
  refresh(c: number, d: number, roles: RefreshRoles): void {
    const mix = (p: tf.Tensor, role: NoiseRole, shape?: readonly number[]) => {
      const damped = c === 0 ? null : c === 1 ? p : tf.mul(p, c);
      if (d === 0) return damped ?? tf.zerosLike(p);
      const r = this.draw(role, d, shape);
      return damped ? tf.add(damped, r) : r;
    };
    if (this.con.kind === "circle") {
      [this.p, this.ps] = circleTangent(
        this.theta,
        this.s!,
        mix(this.p, roles.main),
        mix(this.ps!, roles.slack),
        this.con.radius,
      );
      return;
    }
    if (this.con.kind === "ball") {
      const [pw, ps] = unstackSlack(this.p, this.con, this.shape);
      const mixed = stackSlack(mix(pw, roles.main), mix(ps, roles.slack, [this.con.matrix[1]]), this.con);
      this.p = tangent(this.theta, mixed, this.geometry);
      return;
    }
    this.p = tangent(this.theta, mix(this.p, roles.main), this.geometry);
  }

  /** `p <- f p` (and `p_s <- f p_s`); f a scalar tensor or a number. */
  scale(f: tf.Tensor | number): void {
    this.p = tf.mul(this.p, f);
    if (this.ps) this.ps = tf.mul(this.ps, f);
  }

  /** `p^T p + p_s^T p_s`, a scalar tensor. */
  kineticEnergy(): tf.Scalar {
    const e = tf.sum(tf.square(this.p));
    return (this.ps ? tf.add(e, tf.sum(tf.square(this.ps))) : e) as tf.Scalar;
  }

  /** Writes the point back into the variables it was read from. */
  store(into: StoredPoint): void {
    if (this.con.kind === "ball") {
      const shape = this.shape;
      const [theta, s] = unstackSlack(this.theta, this.con, shape);
      const [p, ps] = unstackSlack(this.p, this.con, shape);
      into.theta.assign(theta);
      into.p.assign(p);
      into.s!.assign(s);
      into.ps?.assign(ps);
      return;
    }
    into.theta.assign(this.theta);
    into.p.assign(this.p);
    if (this.s) into.s!.assign(this.s);
    if (this.ps) into.ps!.assign(this.ps);
  }
}
