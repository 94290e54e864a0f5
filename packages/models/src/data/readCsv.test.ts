import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "./parseCsv";
import { readCsv } from "./readCsv";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sam-models-csv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("CSV reader", () => {
  it("reads a file with a header and string labels", async () => {
    const path = join(dir, "iris.csv");
    await writeFile(path, "a,b,species\r\n1,2,setosa\n3,4.5,virginica\n\n5,6,setosa\n");
    const ds = await readCsv(path, { labelColumn: "species" });
    expect(ds.size).toBe(3);
    expect(Array.from(ds.xs)).toEqual([1, 2, 3, 4.5, 5, 6]);
    expect(Array.from(ds.ys)).toEqual([0, 1, 0]);
    expect(ds.classNames).toEqual(["setosa", "virginica"]);
    expect(ds.numClasses).toBe(2);
  });

  it("numeric labels, first column, no header, regression", () => {
    const ds = parseCsv("2,0.5,1\n0,1.5,2\n", { labelColumn: 0 });
    expect(Array.from(ds.ys)).toEqual([2, 0]);
    expect(ds.numClasses).toBe(3);
    const reg = parseCsv("0.5,1.25\n1,2.5\n", { task: "regression" });
    expect(Array.from(reg.ys)).toEqual([1.25, 2.5]);
    expect(reg.numClasses).toBeUndefined();
  });

  it("names the line and column of bad input", () => {
    expect(() => parseCsv("x,y\n1,0\n2,x1\n")).not.toThrow(); // string label -> classes
    expect(() => parseCsv("x,y,l\n1,2,0\nfoo,2,1\n")).toThrow(
      /line 3, column 1 \('x'\) .* is 'foo', not a number/,
    );
    expect(() => parseCsv("1,2,0\n1,2\n")).toThrow(/line 2 .* has 2 fields, expected 3/);
    expect(() => parseCsv("1,2,0.5\n")).toThrow(/class label '0.5' must be an integer >= 0/);
    expect(() => parseCsv("a,b\n1,2\n", { labelColumn: "c" })).toThrow(/no column 'c'.*columns are a, b/);
  });
});
