import { type Param, type ParamSet, ParamSnapshot } from "@sam/core";

/**
 * A `ParamSnapshot` over a set's state variables (BatchNorm moving statistics). `@sam/core`
 * snapshots `Param`s; a state variable has the fields a snapshot reads (`variable`,
 * `path`), so it is wrapped as a tag-less parameter.
 */
export function statSnapshot(params: ParamSet): ParamSnapshot {
  const wrapped: Param[] = params.stateVariables.map((s, index) => ({
    path: s.path,
    variable: s.variable,
    tags: new Set(),
    index,
    shape: [...s.variable.shape],
    size: s.variable.size,
    ...(s.layer ? { layer: s.layer } : {}),
  }));
  return new ParamSnapshot(wrapped);
}
