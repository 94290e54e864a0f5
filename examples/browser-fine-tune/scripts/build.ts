/**
 * Builds the static page into `dist/`: `app.js` (esbuild: the page, TensorFlow.js, vega, the
 * digit files as lazily loaded chunks), `index.html`, and the pretrained body from `public/`.
 */
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const t0 = Date.now();
await build({
  entryPoints: { app: `${root}src/main.ts` },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  conditions: ["@sam/source"],
  outdir: dist,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "error",
});
cpSync(`${root}index.html`, `${dist}/index.html`);
cpSync(`${root}public`, dist, { recursive: true });
console.log(`built ${dist} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
