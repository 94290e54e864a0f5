import "@tensorflow/tfjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunConfig } from "../config/parseRunConfig";
import { tempDir } from "../test/tinyConfig";
import { loadRunData } from "./loadRunData";

const config = (data: Record<string, unknown>) =>
  parseRunConfig({ model: { builder: "mlp" }, data, method: { name: "sgd" }, steps: 1 });

describe("loadRunData", () => {
  it("draws a generated set once and splits it train:test, then holds out the validation fraction", async () => {
    const d = await loadRunData(
      config({
        source: "shapes",
        train: 80,
        test: 20,
        validation: 0.25,
        batchSize: 16,
        options: { size: 8 },
      }),
      tempDir(),
    );
    expect([d.train.size, d.validation!.size, d.test.size]).toEqual([60, 20, 20]);
    expect(d.numClasses).toBe(5);
  });

  it("keeps and relabels data.classes, and resizes images", async () => {
    const d = await loadRunData(
      config({ source: "shapes", train: 200, test: 50, classes: [3, 1], resize: 4, options: { size: 8 } }),
      tempDir(),
    );
    expect(d.numClasses).toBe(2);
    expect(new Set(d.train.ys)).toEqual(new Set([0, 1]));
    expect(d.train.xShape).toEqual([4, 4, 3]);
    expect(d.train.xs.length).toBe(d.train.size * 48);
  });

  it("reads CSV files inside the config's root and refuses one outside it", async () => {
    const root = tempDir();
    mkdirSync(join(root, "data"));
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${i / 40},${(i * 7) % 5}`).join("\n");
    writeFileSync(join(root, "data", "train.csv"), `label,a,b\n${rows}\n`);
    const d = await loadRunData(
      config({
        source: "csv",
        csv: { train: "data/train.csv", labelColumn: "label" },
        test: 10,
        batchSize: 8,
      }),
      root,
    );
    expect([d.train.size, d.test.size]).toEqual([30, 10]);
    await expect(
      loadRunData(
        config({ source: "csv", csv: { train: "../train.csv" }, batchSize: 8 }),
        join(root, "data"),
      ),
    ).rejects.toThrow(/config data\.csv\.train is "\.\.\/train\.csv", which leaves/);
  });
});
