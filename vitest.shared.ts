import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Shared vitest configuration: every package's `vitest.config.ts` re-exports this.
 * The `@sam/source` condition resolves sibling workspace packages to their TypeScript
 * sources, so tests never need a build of their dependencies first.
 */
export default defineConfig({
  ssr: { resolve: { conditions: ["@sam/source", "node", "import", "default"] } },
  resolve: { conditions: ["@sam/source", "node", "import", "default"] },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // SAM_BACKEND=tensorflow|wasm|... runs every test file on that backend (no-op when unset)
    setupFiles: [fileURLToPath(new URL("./packages/backend/test/vitestBackendSetup.ts", import.meta.url))],
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});
