#!/usr/bin/env node
// The sam-train bin: tfjs (with its gradients) first, then the command.
import "@tensorflow/tfjs";
import { samTrain } from "./cli/samTrain";

// Started by sam-sweep (SAM_EXIT_WITH_PARENT=1): exit when that process dies, even by kill -9,
// so that no orphaned trial goes on writing into a run directory that another worker resumes.
if (process.env.SAM_EXIT_WITH_PARENT === "1") {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(137);
  }, 250).unref();
}

samTrain(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
});
