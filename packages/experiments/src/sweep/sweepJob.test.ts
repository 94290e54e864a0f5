import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunConfig } from "../config/parseRunConfig";
import { configSha256 } from "../run/trainRun";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { checkSweepJob, JOB_FORMAT, sweepJob } from "./sweepJob";

const config = parseRunConfig(tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }));
const trial = { id: "seed=3", values: { seed: 3 }, config, configSha256: configSha256(config) };
const errorOf = (data: unknown, root: string): string => {
  try {
    checkSweepJob(data, root);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the job was accepted");
};

describe("checkSweepJob (a worker trusts nothing it is sent)", () => {
  it("accepts what the submitter sends, and puts the run directory under --root", () => {
    const root = tempDir("sam-sweep-job-");
    const data = JSON.parse(JSON.stringify(sweepJob("s", trial, "sweeps/s/trials/seed=3")));
    const checked = checkSweepJob(data, root);
    expect(checked.runDir).toBe(join(root, "sweeps/s/trials/seed=3"));
    expect(checked.trial.configSha256).toBe(trial.configSha256);
    expect(checked.sweep).toBe("s");
  });

  it("refuses run directories out of --root: '..', absolute paths, symlinks leading out", () => {
    const root = tempDir("sam-sweep-job-");
    const job = sweepJob("s", trial, "x");
    expect(errorOf({ ...job, out: "../x" }, root)).toMatch(/^job seed=3: out is "\.\.\/x", which leaves /);
    expect(errorOf({ ...job, out: "/etc" }, root)).toMatch(/^job seed=3: out is "\/etc", an absolute path/);
    mkdirSync(join(root, "in"));
    symlinkSync(tempDir("elsewhere-"), join(root, "in", "link"));
    expect(errorOf({ ...job, out: "in/link/run" }, root)).toMatch(/which a symlink leads out of/);
  });

  it("checks the config with the train schema, and the job's own fields, naming each", () => {
    const root = tempDir("sam-sweep-job-");
    const job = sweepJob("s", trial, "x");
    expect(errorOf({ ...job, config: { ...config, method: { name: "sam" } } }, root)).toContain(
      "job seed=3: config is invalid:\n- method.rho is missing: sam needs a radius",
    );
    const msg = errorOf({ ...job, format: "v0", id: "../up", extra: 1 }, root);
    expect(msg).toContain("job data is invalid:");
    expect(msg).toContain(`- format is "v0": allowed values are "${JOB_FORMAT}".`);
    expect(msg).toContain('- id is "../up": a trial id (see trialId).');
    expect(msg).toContain("- extra is 1, but extra is not a field of (the config)");
    expect(errorOf("not an object", root)).toContain("job data is invalid:");
  });
});
