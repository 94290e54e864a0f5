import "@tensorflow/tfjs";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RESUME_METHODS, tempDir, tinyConfig } from "../test/tinyConfig";
import { samTrain } from "./samTrain";

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await samTrain(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTty: false,
  });
  return { code, stdout, stderr };
}

describe("sam-train", () => {
  it("--print-schema prints the config's JSON schema", async () => {
    const { code, stdout } = await cli(["--print-schema"]);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["model", "data", "method", "epochs", "steps", "seed", "keep"]),
    );
    expect(schema.properties.method.properties.name.enum).toContain("samOn");
  });

  it("exits 2 with the field, the value and the allowed values on a bad config, writing nothing", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "run.json"), JSON.stringify({ ...tinyConfig(RESUME_METHODS.sgd!), keep: 0 }));
    const out = join(dir, "out");
    const { code, stderr } = await cli(["--config", join(dir, "run.json"), "--out", out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/keep is 0: it must be >=1\./);
    expect(() => readFileSync(join(out, "config.json"))).toThrow();
  });

  it("exits 2 on an unknown option or backend", async () => {
    expect((await cli(["--confg", "x"])).code).toBe(2);
    const r = await cli(["--config", "x", "--out", "y", "--backend", "gpu"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--backend is "gpu": allowed values are wasm, tensorflow, cpu.');
  });

  it("prints one line per eval and the summary as the last line", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "run.json"), JSON.stringify(tinyConfig(RESUME_METHODS.sgd!, { steps: 8 })));
    const { code, stdout } = await cli([
      "--config",
      join(dir, "run.json"),
      "--out",
      join(dir, "out"),
      "--backend",
      "cpu",
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^step 4 {2}epoch 0\.33 {2}train_loss \d\.\d{4} {2}test_loss \d\.\d{4} {2}test_acc \d\.\d{4} {2}\d+ img\/s$/,
    );
    const summary = JSON.parse(lines[2]!);
    expect(summary.steps).toBe(8);
    expect(summary.backend).toBe("cpu");
    expect(summary).toEqual(JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8")));
  });
});
