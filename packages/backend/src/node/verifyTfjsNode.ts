import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** Outcome of {@link verifyTfjsNode}. */
export type TfjsNodeCheck =
  | { ok: true; backend: "tensorflow"; version: string; seconds: number }
  | { ok: false; reason: string; seconds: number };

// Loads tfjs-node as the project would and checks the backend and one real computation.
const CHECK = `
const { createRequire } = require("node:module");
const req = createRequire(process.argv[1]);
const tf = req("@tensorflow/tfjs-node");
const m = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 2], [3, 4]])).arraySync();
const ok = tf.getBackend() === "tensorflow" && JSON.stringify(m) === "[[7,10],[15,22]]";
console.log(JSON.stringify({ ok, backend: tf.getBackend(), version: tf.version["tfjs-node"], matmul: m }));
`;

/**
 * Loads `@tensorflow/tfjs-node` as resolved from `dir` in a child process (a broken native
 * library cannot take this process down) and checks that `tf.getBackend() === "tensorflow"`
 * and that a 2x2 matMul is right.
 *
 * @example
 * ```ts
 * const check = verifyTfjsNode(process.cwd());
 * if (!check.ok) console.error(check.reason);
 * ```
 */
export function verifyTfjsNode(dir: string): TfjsNodeCheck {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", CHECK, join(dir, "noop.js")], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
  });
  const seconds = (performance.now() - t0) / 1000;
  const last = r.stdout?.trim().split("\n").at(-1) ?? "";
  try {
    const out = JSON.parse(last) as { ok: boolean; backend: string; version: string };
    if (out.ok) return { ok: true, backend: "tensorflow", version: out.version, seconds };
    return {
      ok: false,
      reason: `loads, but tf.getBackend() is '${out.backend}' or matMul is wrong`,
      seconds,
    };
  } catch {
    const err = (r.stderr ?? "").split("\n").find((l) => /Error|error:/.test(l)) ?? r.error?.message ?? "";
    return {
      ok: false,
      reason: /Cannot find module '@tensorflow\/tfjs-node'/.test(err)
        ? "not installed"
        : err.trim() || `exit ${r.status}`,
      seconds,
    };
  }
}
