import { homedir } from "node:os";
import { join } from "node:path";

/**
 * What {@link installTfjsNode} builds: this tfjs-node against the TensorFlow C libraries of this
 * `tensorflow-cpu` wheel. tfjs-node 4.22's binding speaks N-API 8, so one build serves every
 * Node version >= 20 on the same platform and architecture.
 *
 * @example
 * ```ts
 * const target = { ...TFJS_NODE_DEFAULTS, tfjsNodeVersion: "4.22.0" };
 * ```
 */
export const TFJS_NODE_DEFAULTS = {
  /** The `@tensorflow/tfjs-node` version (must match the project's `@tensorflow/tfjs`). */
  tfjsNodeVersion: "4.22.0",
  /** The `tensorflow-cpu` wheel whose `libtensorflow_cc.so.2` provides the C API. */
  tensorflowVersion: "2.21.0",
} as const;

/**
 * The build cache directory: `$SAM_TFJS_NODE_CACHE`, else `$XDG_CACHE_HOME/sam-backend`, else
 * `~/.cache/sam-backend`. One sub-directory per tfjs-node version, TensorFlow version, platform
 * and architecture, so CI can cache the whole folder.
 *
 * @example
 * ```ts
 * defaultCacheDir({ SAM_TFJS_NODE_CACHE: "/ci/cache" }); // "/ci/cache"
 * ```
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SAM_TFJS_NODE_CACHE) return env.SAM_TFJS_NODE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "sam-backend");
}

/**
 * Name of one build inside the cache, e.g. `tfjs-node-4.22.0-tensorflow-cpu-2.21.0-linux-x64`.
 *
 * @example
 * ```ts
 * buildKey("4.22.0", "2.21.0", "linux", "x64"); // "tfjs-node-4.22.0-tensorflow-cpu-2.21.0-linux-x64"
 * ```
 */
export function buildKey(tfjsNode: string, tensorflow: string, platform: string, arch: string): string {
  return `tfjs-node-${tfjsNode}-tensorflow-cpu-${tensorflow}-${platform}-${arch}`;
}
