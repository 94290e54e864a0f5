import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractWheelLibraries } from "./wheelLibraries";

const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** Writes a zip (a wheel is one) holding `files` (name -> text) with Python's zipfile. */
function fakeWheel(dir: string, files: Record<string, string>): string {
  const path = join(dir, "tensorflow_cpu-0.0.0-py3-none-any.whl");
  const script =
    "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w')\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()";
  expect(spawnSync("python3", ["-c", script, path, JSON.stringify(files)]).status).toBe(0);
  return path;
}

describe.runIf(hasPython)("extractWheelLibraries", () => {
  it("copies the two libraries and the four header folders, and links the names tfjs-node wants", () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-wheel-"));
    const wheel = fakeWheel(dir, {
      "tensorflow/libtensorflow_cc.so.2": "cc",
      "tensorflow/libtensorflow_framework.so.2": "fw",
      "tensorflow/python/unrelated.py": "x",
      "tensorflow/include/tensorflow/c/c_api.h": "c api",
      "tensorflow/include/tensorflow/c/eager/c_api.h": "eager",
      "tensorflow/include/tensorflow/core/platform/ctstring.h": "p",
      "tensorflow/include/tsl/platform/x.h": "tsl",
      "tensorflow/include/xla/tsl/c/tsl_status.h": "xla",
      "tensorflow/include/tensorflow/core/framework/big.h": "not needed",
    });
    const deps = join(dir, "deps");
    extractWheelLibraries("python3", wheel, deps);
    expect(readFileSync(join(deps, "lib", "libtensorflow_cc.so.2"), "utf8")).toBe("cc");
    expect(readFileSync(join(deps, "include", "tensorflow", "c", "eager", "c_api.h"), "utf8")).toBe("eager");
    expect(readFileSync(join(deps, "include", "xla", "tsl", "c", "tsl_status.h"), "utf8")).toBe("xla");
    expect(existsSync(join(deps, "include", "tensorflow", "core", "framework"))).toBe(false);
    expect(existsSync(join(deps, "python"))).toBe(false);
    expect(readlinkSync(join(deps, "lib", "libtensorflow.so"))).toBe("libtensorflow_cc.so.2");
    expect(readlinkSync(join(deps, "lib", "libtensorflow.so.2.9.1"))).toBe("libtensorflow_cc.so.2");
    expect(readlinkSync(join(deps, "lib", "libtensorflow_framework.so"))).toBe(
      "libtensorflow_framework.so.2",
    );
    expect(readFileSync(join(deps, "lib", "libtensorflow_framework.so.2.9.1"), "utf8")).toBe("fw");
  });

  it("names what a wheel without the libraries lacks, and what to use instead", () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-wheel-"));
    const wheel = fakeWheel(dir, {
      "tensorflow/libtensorflow_framework.so.2": "fw",
      "tensorflow/include/tensorflow/c/c_api.h": "c api",
    });
    expect(() => extractWheelLibraries("python3", wheel, join(dir, "deps"))).toThrow(
      /has no tensorflow\/libtensorflow_cc\.so\.2, tensorflow\/include\/tensorflow\/core\/platform\/, tensorflow\/include\/tsl\/, tensorflow\/include\/xla\/tsl\/; .*--tensorflow 2\.21\.0/,
    );
    expect(existsSync(join(dir, "deps", "lib"))).toBe(false);
  });
});
