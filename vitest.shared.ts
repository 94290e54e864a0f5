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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
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
