#!/usr/bin/env node
// The sam-train bin: tfjs (with its gradients) first, then the command.
import "@tensorflow/tfjs";
import { samTrain } from "./cli/samTrain";

samTrain(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
});
