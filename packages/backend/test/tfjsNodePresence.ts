import { createRequire } from "node:module";

/**
 * Whether this run must exercise libtensorflow: `SAM_BACKEND=tensorflow` (then a missing
 * tfjs-node fails the tests instead of skipping them), or `@tensorflow/tfjs-node` resolves from
 * here (`pnpm setup:tfjs-node` placed it at the workspace root).
 */
export const tfjsNodePresent: boolean = (() => {
  if (process.env.SAM_BACKEND === "tensorflow") return true;
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
})();
