import { defineConfig, type Options } from "tsup";

/** Shared tsup settings: ESM + CJS + declarations for Node 20, tfjs always external. */
export function samPackage(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    external: [/^@tensorflow\//, /^@sam\//],
    ...overrides,
  });
}
