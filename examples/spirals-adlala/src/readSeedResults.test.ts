import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSeedResults } from "./readSeedResults";

const runFile = (seed: number, epochs: number, tests: Record<string, number>) =>
  JSON.stringify({
    epochs,
    seed,
    results: Object.entries(tests).map(([method, test]) => ({
      method,
      history: [
        { epoch: epochs / 2, train: 50, test: 50 },
        { epoch: epochs, train: 90, test },
      ],
    })),
  });

describe("readSeedResults", () => {
  let root = "";
  const dirs = () => {
    root = mkdtempSync(join(tmpdir(), "spirals-"));
    const a = join(root, "a");
    const b = join(root, "b");
    mkdirSync(a);
    mkdirSync(b);
    return [a, b] as const;
  };
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("takes the last checkpoint's test accuracy and merges one seed's methods across directories", () => {
    const [a, b] = dirs();
    writeFileSync(join(a, "spirals-seed10.json"), runFile(10, 4000, { adam: 74.9, sgd: 79.2 }));
    writeFileSync(join(a, "spirals-seed9.json"), runFile(9, 4000, { adam: 88.2, sgd: 70.7 }));
    writeFileSync(join(b, "spirals-seed9.json"), runFile(9, 4000, { adlala: 90.1 }));
    writeFileSync(join(b, "notes.json"), "{}");
    expect(readSeedResults([a, b])).toEqual([
      { seed: 9, test: { adam: 88.2, sgd: 70.7, adlala: 90.1 } },
      { seed: 10, test: { adam: 74.9, sgd: 79.2 } },
    ]);
  });

  it("refuses mixed run lengths unless epochs picks one, and a method twice for one seed", () => {
    const [a, b] = dirs();
    writeFileSync(join(a, "spirals-seed1.json"), runFile(1, 4000, { adam: 70 }));
    writeFileSync(join(b, "spirals-seed1.json"), runFile(1, 100, { adam: 60 }));
    expect(() => readSeedResults([a, b])).toThrow(/runs of 4000, 100 epochs .*pass --epochs <n>/);
    expect(readSeedResults([a, b], { epochs: 100 })).toEqual([{ seed: 1, test: { adam: 60 } }]);
    writeFileSync(join(b, "spirals-seed1.json"), runFile(1, 4000, { adam: 60 }));
    expect(() => readSeedResults([a, b])).toThrow(/seed 1 has two 'adam' runs .*keep one/);
  });
});
