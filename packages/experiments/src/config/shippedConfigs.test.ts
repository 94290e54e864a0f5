import "@tensorflow/tfjs";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trainRun } from "../run/trainRun";
import { tempDir } from "../test/tinyConfig";
import { loadSweepSpec } from "../sweep/resolveSweep";
import { parseRunConfig } from "./parseRunConfig";

const repo = new URL("../../../../", import.meta.url).pathname;
const dirs = [
  "packages/experiments/configs",
  "examples/sam-family/configs",
  "examples/sam-family/sweeps",
  "examples/spirals-adlala/configs",
  "examples/spirals-adlala/sweeps",
  "examples/transfer-demo/configs",
  "examples/transfer-demo/sweeps",
].map((d) => join(repo, d));
const read = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("the shipped configs", () => {
  for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      it(`${dir.slice(repo.length)}/${name} is valid`, () => {
        const json = read(join(dir, name));
        // sweep specs (sam-sweep) beside the run configs: every trial's config is validated
        if ("axes" in json) expect(loadSweepSpec(join(dir, name)).trials.length).toBeGreaterThan(0);
        else expect(() => parseRunConfig(json, name)).not.toThrow();
      });
    }
  }

  for (const method of ["head-only"]) {
    it(`transfer-demo ${method}: loads the shipped backbone and trains (2 steps)`, async () => {
      const demo = join(repo, "examples/transfer-demo");
      const shipped = read(join(demo, "configs", `${method}.json`));
      // the shipped config, shrunk: 2 steps, 64 training and 50 test images
      const config = parseRunConfig({
        ...shipped,
        data: { ...shipped.data, train: 64, test: 50 },
        epochs: undefined,
        steps: 2,
      });
      const summary = await trainRun({ config, root: demo, out: tempDir() });
      expect(summary!.steps).toBe(2);
      expect(Number.isFinite(summary!.final_train_loss)).toBe(true);
    });
  }
});
