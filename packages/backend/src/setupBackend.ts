import * as tf from "@tensorflow/tfjs-core";
import { loadOptional } from "./internal/loadOptional";
import { guardWasmHeap } from "./memory/guardWasmHeap";
import type { WasmThreadsResult } from "./node/initWasmWithThreads";
import { registerTrainingGradients } from "./registerTrainingGradients";
import { registerWasmTrainingKernels } from "./registerWasmTrainingKernels";
import { setupWebGpu } from "./setupWebGpu";

/**
 * Backends {@link setupBackend} can choose. `tensorflow` is libtensorflow through
 * `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`.
 */
export type BackendKind = "tensorflow" | "wasm" | "webgpu" | "cpu";

const KINDS: readonly BackendKind[] = ["tensorflow", "wasm", "webgpu", "cpu"];

/**
 * Default order: native libtensorflow, then wasm with this package's kernels, then cpu.
 *
 * @example
 * ```ts
 * await setupBackend({ prefer: DEFAULT_BACKEND_ORDER.filter((k) => k !== "tensorflow") }); // never tfjs-node
 * ```
 */
export const DEFAULT_BACKEND_ORDER: readonly BackendKind[] = ["tensorflow", "wasm", "cpu"];

/** Options of {@link setupBackend}. */
export interface SetupBackendOptions {
  /**
   * Backends to try, best first (default {@link DEFAULT_BACKEND_ORDER}). A single kind is
   * tried first, then the rest of the default order. `webgpu` is tried only when named.
   */
  prefer?: BackendKind | readonly BackendKind[];
  /**
   * wasm threads (default 1); > 1 uses the experimental `initWasmWithThreads` and needs the
   * `setupBackend` of `@sam/backend/node` (it writes worker scripts to files).
   */
  threads?: number;
  /** Environment to read `SAM_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Called with one line per decision (default: nothing is printed). */
  log?: (line: string) => void;
}

/** One attempt of {@link setupBackend}. */
export interface BackendAttempt {
  kind: BackendKind;
  ok: boolean;
  /** Why it was chosen or skipped. */
  reason: string;
}

/** What {@link setupBackend} chose, and why. */
export interface BackendChoice {
  /** The kind chosen. */
  kind: BackendKind;
  /** `tf.getBackend()` afterwards: "tensorflow", "wasm", "webgpu" or "cpu". */
  backend: string;
  /** The package that provides it, e.g. "@tensorflow/tfjs-node-gpu". */
  source: string;
  /** wasm threads in use (1 for other backends). */
  threads: number;
  /** Why this one: the SAM_BACKEND override, or the first that worked in the order. */
  reason: string;
  /** Every attempt, in order. */
  attempts: BackendAttempt[];
}

/**
 * The environment variable that overrides the order: `SAM_BACKEND=wasm|cpu|tensorflow|webgpu`.
 *
 * @example
 * ```ts
 * process.env[BACKEND_ENV_VAR] = "cpu"; // same as running with SAM_BACKEND=cpu
 * const choice = await setupBackend(); // choice.kind === "cpu", choice.reason names the override
 * ```
 */
export const BACKEND_ENV_VAR = "SAM_BACKEND";

type Attempt = { ok: true; source: string; threads: number; reason: string } | { ok: false; reason: string };

/** The multi-threaded wasm start, given by `@sam/backend/node` (it needs Node built-ins). */
export type InitWasmThreads = (threads: number) => Promise<WasmThreadsResult>;

// Literal specifiers, so bundlers can see (and, through this package's "browser" field, drop)
// them; `as string` spares TypeScript from needing the optional packages' types.
const TENSORFLOW_PACKAGES = [
  ["@tensorflow/tfjs-node-gpu", () => import("@tensorflow/tfjs-node-gpu" as string)],
  ["@tensorflow/tfjs-node", () => import("@tensorflow/tfjs-node" as string)],
] as const;

async function tryTensorflow(): Promise<Attempt> {
  if (typeof process === "undefined" || !process.versions?.node) {
    return { ok: false, reason: "libtensorflow (tfjs-node) runs only in Node" };
  }
  const reasons: string[] = [];
  for (const [pkg, load] of TENSORFLOW_PACKAGES) {
    const loaded = await loadOptional(pkg, load);
    if (!loaded.ok) {
      reasons.push(`${pkg}: ${loaded.reason}`);
      continue;
    }
    if (tf.findBackendFactory("tensorflow") == null) {
      // e.g. a bundle that replaced tfjs-node by an empty module (this package's "browser" field)
      reasons.push(`${pkg}: loaded but registered no 'tensorflow' backend`);
      continue;
    }
    if (await tf.setBackend("tensorflow")) {
      // The cheaper batch-norm/reduction gradients: 1.5x faster ResNet-20 steps on libtensorflow
      // too (tfjs-node imports @tensorflow/tfjs, so tfjs-core's gradients are registered).
      if (!tf.getGradient(tf.FusedBatchNorm))
        return { ok: true, source: pkg, threads: 1, reason: `${pkg} loaded` };
      registerTrainingGradients();
      return {
        ok: true,
        source: pkg,
        threads: 1,
        reason: `${pkg} loaded, with the @sam/backend training gradients`,
      };
    }
    reasons.push(`${pkg}: loaded but the 'tensorflow' backend failed to initialise`);
  }
  return { ok: false, reason: reasons.join("; ") };
}

async function tryWasm(threads: number, initThreads: InitWasmThreads | undefined): Promise<Attempt> {
  const loaded = await loadOptional<{ getThreadsCount(): number }>(
    "@tensorflow/tfjs-backend-wasm",
    () => import("@tensorflow/tfjs-backend-wasm"),
  );
  if (!loaded.ok) return { ok: false, reason: `@tensorflow/tfjs-backend-wasm: ${loaded.reason}` };
  registerWasmTrainingKernels();
  // The cheaper batch-norm/reduction gradients (exact on every backend); they need tfjs-core's
  // gradients registered first, i.e. the application imported @tensorflow/tfjs.
  if (tf.getGradient(tf.FusedBatchNorm)) registerTrainingGradients();
  if (threads > 1 && tf.findBackend("wasm") == null) {
    if (!initThreads) {
      return {
        ok: false,
        reason:
          `threads: ${threads} needs the Node thread shim; import { setupBackend } from "@sam/backend/node" ` +
          "(or pass threads: 1)",
      };
    }
    const r = await initThreads(threads);
    guardWasmHeap(tf.findBackend("wasm"));
    return {
      ok: true,
      source: "@tensorflow/tfjs-backend-wasm",
      threads: r.threads,
      reason: `wasm with ${r.threads} threads (experimental shim) and the @sam/backend training kernels`,
    };
  }
  if (!(await tf.setBackend("wasm")))
    return { ok: false, reason: "tf.setBackend('wasm') failed to initialise" };
  // out of memory becomes a WasmOutOfMemoryError naming the fixes, not Aborted()
  guardWasmHeap(tf.backend());
  const n = loaded.module.getThreadsCount();
  return {
    ok: true,
    source: "@tensorflow/tfjs-backend-wasm",
    threads: n,
    reason: "wasm with the @sam/backend training kernels",
  };
}

async function tryWebGpu(): Promise<Attempt> {
  try {
    await setupWebGpu();
    return {
      ok: true,
      source: "@tensorflow/tfjs-backend-webgpu",
      threads: 1,
      reason: "webgpu through Dawn (opt-in)",
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

async function tryCpu(): Promise<Attempt> {
  if (tf.findBackendFactory("cpu") == null) {
    const loaded = await loadOptional(
      "@tensorflow/tfjs-backend-cpu",
      () => import("@tensorflow/tfjs-backend-cpu"),
    );
    if (!loaded.ok) return { ok: false, reason: `@tensorflow/tfjs-backend-cpu: ${loaded.reason}` };
  }
  if (!(await tf.setBackend("cpu"))) return { ok: false, reason: "tf.setBackend('cpu') failed" };
  return {
    ok: true,
    source: "@tensorflow/tfjs-backend-cpu",
    threads: 1,
    reason: "pure JavaScript cpu backend (slow)",
  };
}

function order(prefer: SetupBackendOptions["prefer"], override: string | undefined): BackendKind[] {
  if (override) {
    const kind = override.trim().toLowerCase();
    if (!KINDS.includes(kind as BackendKind)) {
      throw new Error(
        `setupBackend: ${BACKEND_ENV_VAR}='${override}' is not a backend; use one of ${KINDS.join(", ")} or unset it.`,
      );
    }
    return [kind as BackendKind];
  }
  const list = prefer == null ? [] : typeof prefer === "string" ? [prefer] : [...prefer];
  for (const k of list) {
    if (!KINDS.includes(k))
      throw new Error(`setupBackend: prefer contains '${k}'; use some of ${KINDS.join(", ")}.`);
  }
  if (prefer != null && typeof prefer !== "string") return list;
  return [...list, ...DEFAULT_BACKEND_ORDER.filter((k) => !list.includes(k))];
}

/**
 * Picks and initialises the fastest TensorFlow.js backend available, and says which and why.
 *
 * Default order: `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (libtensorflow),
 * when they can be loaded; else `wasm` with this package's training kernels
 * ({@link registerWasmTrainingKernels}); else `cpu`. All of them are optional peers: a missing
 * one is skipped with its reason. `SAM_BACKEND=wasm|cpu|tensorflow|webgpu` overrides the order
 * (only that backend is tried, and failing to start it throws). `webgpu` is opt-in.
 *
 * Call it once, before building models. Import `@tensorflow/tfjs` (or tfjs-layers) yourself for
 * the gradients.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "@sam/backend";
 * const choice = await setupBackend({ log: console.log });
 * // e.g. { kind: "wasm", backend: "wasm", reason: "first available of tensorflow > wasm > cpu: ...", ... }
 * ```
 */
export function setupBackend(options: SetupBackendOptions = {}): Promise<BackendChoice> {
  return setupBackendWith(options, undefined);
}

/**
 * {@link setupBackend} with the multi-threaded wasm start supplied (by `@sam/backend/node`,
 * whose `setupBackend` passes `initWasmWithThreads`); not exported from the main entry.
 *
 * @example
 * ```ts
 * const { initWasmWithThreads } = await import("@sam/backend/node"); // Node only
 * const choice = await setupBackendWith({ threads: 2 }, initWasmWithThreads);
 * ```
 */
export async function setupBackendWith(
  options: SetupBackendOptions,
  initThreads: InitWasmThreads | undefined,
): Promise<BackendChoice> {
  const env = options.env ?? (typeof process !== "undefined" ? process.env : {});
  const override = env[BACKEND_ENV_VAR];
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`setupBackend: threads must be a positive integer, got ${threads}; pass e.g. 1 or 2.`);
  }
  const kinds = order(options.prefer, override);
  const attempts: BackendAttempt[] = [];
  for (const kind of kinds) {
    const r =
      kind === "tensorflow"
        ? await tryTensorflow()
        : kind === "wasm"
          ? await tryWasm(threads, initThreads)
          : kind === "webgpu"
            ? await tryWebGpu()
            : await tryCpu();
    attempts.push({ kind, ok: r.ok, reason: r.reason });
    options.log?.(`@sam/backend: ${kind}: ${r.ok ? "chosen" : "skipped"} (${r.reason})`);
    if (r.ok) {
      const why = override ? `${BACKEND_ENV_VAR}=${override}` : `first available of ${kinds.join(" > ")}`;
      return {
        kind,
        backend: tf.getBackend(),
        source: r.source,
        threads: r.threads,
        reason: `${why}: ${r.reason}`,
        attempts,
      };
    }
  }
  const fix = kinds.includes("tensorflow")
    ? "for tensorflow install @tensorflow/tfjs-node (where its download is unreachable: npx sam-backend install-tfjs-node); "
    : "";
  throw new Error(
    `setupBackend: no backend could be started (${attempts.map((a) => `${a.kind}: ${a.reason}`).join("; ")}); ` +
      `${fix}install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu${override ? `, or unset ${BACKEND_ENV_VAR}` : ""}.`,
  );
}
