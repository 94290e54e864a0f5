#!/usr/bin/env node
// The sam-sweep bin. The trials run in sam-train child processes: this process needs no tfjs.
// SIGINT/SIGTERM stop it: running trials are killed (they resume from their last checkpoint
// next time); a second signal exits at once.
import { samSweep } from "./cli/samSweep";

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`sam-sweep: ${sig}: stopping the running trials (a second ${sig} exits at once)\n`);
    controller.abort();
  });
}

samSweep(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
