#!/usr/bin/env node
// sam-backend install-tfjs-node [--dir <project>] [--tfjs-node <v>] [--tensorflow <v>]
//   [--cache <dir>] [--python <exe>] [--force] [--keep-wheel] [--json]
import { parseArgs } from "node:util";
import { diskUsage, installTfjsNode } from "./node/installTfjsNode";
import { TFJS_NODE_DEFAULTS } from "./node/tfjsNodeTarget";

const USAGE = `usage: sam-backend install-tfjs-node [options]

Installs a working @tensorflow/tfjs-node into a project when its own install cannot download
libtensorflow: builds it against the TensorFlow libraries of the tensorflow-cpu wheel (pip),
caches the build, and places it in <dir>/node_modules/@tensorflow/tfjs-node. Idempotent.

  --dir <project>      project folder (default: the current folder, or INIT_CWD under pnpm/npm)
  --tfjs-node <v>      @tensorflow/tfjs-node version (default ${TFJS_NODE_DEFAULTS.tfjsNodeVersion})
  --tensorflow <v>     tensorflow-cpu wheel version (default ${TFJS_NODE_DEFAULTS.tensorflowVersion})
  --cache <dir>        build cache (default $SAM_TFJS_NODE_CACHE or ~/.cache/sam-backend)
  --python <exe>       Python with pip (default $PYTHON or python3)
  --force              rebuild even when an install or a cached build works
  --keep-wheel         keep the downloaded wheel in the cache
  --json               print the result as one JSON line`;

function main(argv: string[]): Promise<number> | number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`sam-backend: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] !== "install-tfjs-node" || positionals.length > 1) {
    console.error(`sam-backend: unknown command '${positionals.join(" ")}'\n\n${USAGE}`);
    return 2;
  }
  return installTfjsNode({
    project: values.dir ?? process.env.INIT_CWD ?? process.cwd(),
    tfjsNodeVersion: values["tfjs-node"],
    tensorflowVersion: values.tensorflow,
    cacheDir: values.cache,
    python: values.python,
    force: values.force,
    keepWheel: values["keep-wheel"],
    log: (line) => console.error(line),
  }).then(
    (r) => {
      const summary = {
        action: r.action,
        target: r.target,
        build: r.build,
        backend: r.check.backend,
        tfjs_node: r.check.version,
        seconds: Number(r.seconds.toFixed(1)),
        build_disk_mb: Math.round(diskUsage(r.build) / 2 ** 20),
      };
      console.log(values.json ? JSON.stringify(summary) : `${r.action}: ${r.target} (${summary.seconds} s)`);
      return 0;
    },
    (error: Error) => {
      console.error(error.message);
      return 1;
    },
  );
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      "tfjs-node": { type: "string" },
      tensorflow: { type: "string" },
      cache: { type: "string" },
      python: { type: "string" },
      force: { type: "boolean" },
      "keep-wheel": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

void Promise.resolve(main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
