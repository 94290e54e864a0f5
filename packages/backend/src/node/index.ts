/**
 * @packageDocumentation
 * `@sam/backend/node`: the Node-only parts of `@sam/backend` (they use `fs`, `os`,
 * `child_process`): the multi-threaded wasm start, `setupBackend` with threads, and the
 * tfjs-node installer behind `sam-backend install-tfjs-node`. The main entry never imports them,
 * so browser bundles stay free of Node built-ins.
 */
import { type BackendChoice, type SetupBackendOptions, setupBackendWith } from "../setupBackend";
import { initWasmWithThreads } from "./initWasmWithThreads";

export { acquireBuildLock } from "./buildLock";
export { initWasmWithThreads, type WasmThreadsOptions, type WasmThreadsResult } from "./initWasmWithThreads";
export {
  diskUsage,
  type InstallTfjsNodeOptions,
  type InstallTfjsNodeResult,
  installTfjsNode,
} from "./installTfjsNode";
export { LINK_MARKER, type LinkResult, linkTfjsNode } from "./linkTfjsNode";
export { buildKey, defaultCacheDir, TFJS_NODE_DEFAULTS } from "./tfjsNodeTarget";
export {
  type MachineProbe,
  type MissingPrerequisite,
  type Toolchain,
  tfjsNodePrerequisites,
} from "./tfjsNodePrerequisites";
export { type TfjsNodeCheck, verifyTfjsNode } from "./verifyTfjsNode";
export { downloadWheel, extractWheelLibraries, WHEEL_HEADER_DIRS, WHEEL_LIBRARIES } from "./wheelLibraries";

/**
 * `setupBackend` of the main entry, plus `threads > 1` (multi-threaded wasm through the
 * experimental {@link initWasmWithThreads}).
 *
 * @example
 * ```ts
 * import { setupBackend } from "@sam/backend/node";
 * const choice = await setupBackend({ prefer: "wasm", threads: 2 });
 * ```
 */
export function setupBackend(options: SetupBackendOptions = {}): Promise<BackendChoice> {
  return setupBackendWith(options, initWasmWithThreads);
}
