import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/** Where tests live, beside the code. */
const TESTS = ["src/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"];
/** Long tests (statistical runs of thousands of steps, anything over ~20 s): `*.long.test.ts`. */
const LONG = ["src/**/*.long.test.ts", "test/**/*.long.test.ts", "bench/**/*.long.test.ts"];

/**
 * Shared vitest configuration: every package's `vitest.config.ts` re-exports this.
 * The `@sam/source` condition resolves sibling workspace packages to their TypeScript
 * sources, so tests never need a build of their dependencies first.
 *
 * Two projects: `fast` (every `*.test.ts` but the long ones: what `pnpm test` runs, a few
 * minutes) and `long` (`*.long.test.ts`: `pnpm test:long`, which CI also runs). A package with
 * long tests runs `vitest run --project fast` as `test` and `vitest run --project long
 * --outputFile.json=test-results.long.json` as `test:long`; `scripts/testSummary.mjs` sums both
 * reports.
 */
export default defineConfig({
  ssr: { resolve: { conditions: ["@sam/source", "node", "import", "default"] } },
  resolve: { conditions: ["@sam/source", "node", "import", "default"] },
  test: {
    // Hang guards, not speed tests (speed lives in benchmarks): in CI every package's tests run
    // at once on 2 cores, 5-10x slower than alone (the edge-of-stability experiment: 7 s alone,
    // 61 s in a CI run, where a 60 s limit failed it). A test that needs more says so.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    // SAM_BACKEND=tensorflow|wasm|... runs every test file on that backend (no-op when unset)
    setupFiles: [fileURLToPath(new URL("./packages/backend/test/vitestBackendSetup.ts", import.meta.url))],
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
    projects: [
      {
        extends: true,
        test: { name: "fast", include: TESTS, exclude: [...configDefaults.exclude, ...LONG] },
      },
      { extends: true, test: { name: "long", include: LONG } },
    ],
  },
});
