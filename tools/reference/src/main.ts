#!/usr/bin/env node
// pnpm reference <case.json> --out <actual.json>
//
// Replays every run of a reference case file (SAM family, Langevin family or multirate, told apart by
// their fields) and writes the trajectories in the layout the Python harness compares:
//   python3 reference/sam_reference.py compare --expected <case.json> --actual <actual.json>
//   python3 reference/langevin_reference.py ... (see reference/README.md)
import "@tensorflow/tfjs";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMultirateCase, type MultirateCase, replayMultirateCase } from "./multirateCase";
import { replaySamCase, type SamCase } from "./samCase";

const cwd = process.env.INIT_CWD ?? process.cwd();
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const input = args.find((a, i) => !a.startsWith("--") && i !== outIndex + 1);
if (!input || outIndex < 0 || !args[outIndex + 1]) {
  console.error("usage: pnpm reference <case.json> --out <actual.json>");
  process.exit(2);
}
const casePath = resolve(cwd, input);
const outPath = resolve(cwd, args[outIndex + 1]!);
const data = JSON.parse(readFileSync(casePath, "utf8")) as Record<string, unknown>;

async function replay(): Promise<unknown> {
  if (isMultirateCase(data)) return replayMultirateCase(data as unknown as MultirateCase);
  if ("model" in data && Array.isArray(data.runs)) return replaySamCase(data as unknown as SamCase);
  if ("inits" in data && Array.isArray(data.runs)) {
    const langevin = (await import("@sam/langevin")) as { replayLangevinCase?: (c: unknown) => unknown };
    if (!langevin.replayLangevinCase)
      throw new Error("@sam/langevin does not export replayLangevinCase yet.");
    return langevin.replayLangevinCase(data);
  }
  throw new Error(
    `${casePath} is neither a multirate case (groups.fast/slow, runs), a SAM case (model, runs) nor a Langevin case (inits, runs).`,
  );
}

// SAM_BACKEND=tensorflow|wasm|cpu replays on that backend, started as an application would.
if (process.env.SAM_BACKEND) {
  const { setupBackend } = await import("@sam/backend");
  console.log(`backend: ${(await setupBackend()).backend}`);
}
const result = await replay();
// atomic: write beside the target, then rename
writeFileSync(`${outPath}.tmp`, JSON.stringify(result));
renameSync(`${outPath}.tmp`, outPath);
const runs = (data.runs as unknown[]).length;
console.log(`replayed ${runs} run(s) of ${casePath}\nwrote ${outPath}`);
