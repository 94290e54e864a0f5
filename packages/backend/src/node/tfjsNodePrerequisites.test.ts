import { describe, expect, it } from "vitest";
import { type MachineProbe, tfjsNodePrerequisites } from "./tfjsNodePrerequisites";

/** A machine with everything: linux-x64, Node 20, npm, python3 with pip, g++, make, headers. */
const good: MachineProbe = {
  platform: "linux",
  arch: "x64",
  nodeVersion: "20.19.0",
  runs: () => true,
  exists: () => true,
  env: { npm_config_nodedir: "/usr" },
};

describe("tfjsNodePrerequisites", () => {
  it("returns the toolchain on a complete machine", () => {
    expect(tfjsNodePrerequisites({ probe: good })).toEqual({
      ok: true,
      toolchain: { python: "python3", nodedir: "/usr" },
    });
    expect(tfjsNodePrerequisites({ probe: good, python: "/opt/py/bin/python" })).toMatchObject({
      toolchain: { python: "/opt/py/bin/python" },
    });
  });

  it("names every missing piece with its fix", () => {
    const r = tfjsNodePrerequisites({
      probe: {
        ...good,
        platform: "darwin",
        arch: "arm64",
        nodeVersion: "18.20.1",
        // python3 runs, but has no pip; no g++; make and npm are there
        runs: (cmd, args) => (cmd === "python3" ? args[0] === "--version" : cmd !== "g++"),
        exists: () => false,
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.missing.map((m) => m.missing)).toEqual([
      expect.stringMatching(/^a supported platform \(this is darwin-arm64; .*linux-x64\)/),
      "Node >= 20 (this is 18.20.1)",
      "pip ('python3 -m pip' does not run)",
      "a C++ compiler ('g++' does not run)",
      "the Node headers (no /usr/include/node/node_api.h)",
    ]);
    expect(r.missing[0]!.fix).toMatch(/npm i @tensorflow\/tfjs-node/);
    expect(r.missing[2]!.fix).toMatch(/apt-get install -y python3-pip/);
    expect(r.missing[3]!.fix).toMatch(/apt-get install -y g\+\+ make/);
    expect(r.missing[4]!.fix).toMatch(/npm_config_nodedir/);
  });

  it("tells a missing Python from a missing pip, and honours CXX and PYTHON", () => {
    const r = tfjsNodePrerequisites({
      probe: {
        ...good,
        env: { ...good.env, PYTHON: "py3", CXX: "clang++" },
        runs: (cmd) => cmd !== "py3" && cmd !== "clang++",
      },
    });
    expect(r.ok ? [] : r.missing.map((m) => m.missing)).toEqual([
      "Python ('py3' does not run)",
      "a C++ compiler ('clang++' does not run)",
    ]);
  });
});
