import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * Every published package bundles for the browser with zero configuration: esbuild
 * `--bundle --platform=browser --format=esm` over `import * as m from "<pkg>"`, TensorFlow.js
 * external (a user's bundle brings its own), and no shim for any Node built-in. Any unresolved
 * import fails the build. Entries resolve through the `@sam/source` condition, i.e. the packages'
 * TypeScript sources: the import graph the published `dist` files have (tsup keeps `@sam/*` and
 * `@tensorflow/*` external and inlines nothing else), without a build first.
 */
const PACKAGES = [
  "@sam/core",
  "@sam/langevin",
  "@sam/multirate",
  "@sam/models",
  "@sam/landscape",
  // Passes once the `backend` branch (thread shim behind `./node`, literal wasm import) is merged.
  "@sam/backend",
] as const;

async function bundle(pkg: string) {
  return build({
    stdin: { contents: `export * from "${pkg}";`, resolveDir: import.meta.dirname, loader: "js" },
    bundle: true,
    platform: "browser",
    format: "esm",
    conditions: ["@sam/source"],
    external: ["@tensorflow/*"],
    write: false,
    outfile: "bundle.js",
    logLevel: "silent",
    metafile: true,
  });
}

describe("browser bundles (esbuild, platform browser, no shims)", () => {
  for (const pkg of PACKAGES) {
    it(`${pkg} bundles with no unresolved import and no Node built-in`, async () => {
      let result: Awaited<ReturnType<typeof bundle>>;
      try {
        result = await bundle(pkg);
      } catch (e) {
        const errors =
          (e as { errors?: { text: string; location?: { file: string } | null }[] }).errors ?? [];
        const lines = errors.map((m) => `${m.location?.file ?? "?"}: ${m.text}`);
        throw new Error(`${pkg} does not bundle for the browser:\n${lines.join("\n") || String(e)}`);
      }
      expect(result.errors).toEqual([]);
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((f) => /^node:|^(fs|path|os|crypto|zlib|url|module)$/.test(f))).toEqual([]);
      const code = result.outputFiles[0]!.text;
      // Only TensorFlow.js (external on purpose) may remain as a bare static import.
      const bare = [...code.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((m) => m[1]!);
      expect(bare.filter((s) => !s.startsWith("@tensorflow/"))).toEqual([]);
    });
  }
});
