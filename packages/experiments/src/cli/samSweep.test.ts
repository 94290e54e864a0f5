import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { samSweep } from "./samSweep";

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await samSweep(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe("sam-sweep (the command)", () => {
  it("says what is wrong with its arguments, exit code 2", async () => {
    const spec = join(tempDir("sam-sweep-cli-"), "spec.json");
    writeFileSync(
      spec,
      JSON.stringify({ name: "s", base: tinyConfig({ name: "sgd" }), axes: { grid: { seed: [1] } } }),
    );
    expect(await run([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("give a command: run, worker or report."),
    });
    expect((await run(["launch"])).stderr).toContain('unknown command "launch": run, worker or report.');
    expect((await run(["run", spec])).stderr).toContain("--out is required.");
    const w = await run(["run", spec, "--out", "x", "--workers", "0"]);
    expect(w).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--workers is "0": give a whole number of at least 1.'),
    });
    expect((await run(["run", spec, "--out", "x", "--backend", "gpu"])).stderr).toContain(
      '--backend is "gpu": allowed values are wasm, tensorflow, cpu.',
    );
    expect((await run(["worker", "--root", "r"])).stderr).toContain("worker needs --redis URL.");
    expect(
      (await run(["worker", "--redis", "redis://h", "--root", "r", "--concurrency", "two"])).stderr,
    ).toContain('--concurrency is "two": give a whole number of at least 1.');
    expect((await run(["run", spec, "--out", "x", "--bogus"])).stderr).toMatch(/Unknown option '--bogus'/);
  });

  it("refuses an invalid spec before running anything, and a directory that is not a sweep's", async () => {
    const dir = tempDir("sam-sweep-cli-");
    const spec = join(dir, "spec.json");
    writeFileSync(
      spec,
      JSON.stringify({ name: "s", base: tinyConfig({ name: "sam" }), axes: { grid: { seed: [1, 2] } } }),
    );
    const r = await run(["run", spec, "--out", join(dir, "out")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `sam-sweep: sweep spec ${spec} is invalid:\n- trial seed=1 is invalid:\n  - method.rho is missing`,
    );
    const rep = await run(["report", dir]);
    expect(rep.code).toBe(2);
    expect(rep.stderr).toContain("sweep.json: cannot read it");
    expect(rep.stderr).toContain("give the --out directory of a sam-sweep run.");
  });

  it("prints the spec's JSON schema", async () => {
    const r = await run(["--print-schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(Object.keys(schema.properties)).toEqual(["$schema", "name", "base", "axes", "report"]);
    expect(schema.required).toEqual(["name", "base", "axes"]);
  });
});
