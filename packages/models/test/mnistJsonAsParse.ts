import { createRequire } from "node:module";
import type { Plugin } from "vitest/config";

/**
 * A vite plugin for tests: loads the `mnist` package's digit files (20 MB of JSON) with Node's own `JSON.parse`: vite's
 * JSON transform takes about 35 s for them, this about 2 s. Other workspace packages whose tests
 * load `mnistDigits` add it to their vitest config too. The published code is untouched (it
 * imports the files by literal paths, which Node and bundlers follow).
 */
export function mnistJsonAsParse(): Plugin {
  const prefix = "\0sam-mnist-digit:";
  const require = createRequire(import.meta.url);
  return {
    name: "sam-mnist-json-as-parse",
    enforce: "pre",
    resolveId(source) {
      const m = /^mnist\/src\/digits\/(\d)\.json$/.exec(source);
      return m ? prefix + m[1] : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const file = JSON.stringify(require.resolve(`mnist/src/digits/${id.slice(prefix.length)}.json`));
      return `import { readFileSync } from "node:fs";\nexport default JSON.parse(readFileSync(${file}, "utf8"));\n`;
    },
  };
}
