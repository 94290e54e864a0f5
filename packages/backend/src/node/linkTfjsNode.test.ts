import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LINK_MARKER, linkTfjsNode } from "./linkTfjsNode";

function write(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const manifest = (name: string, version: string, dependencies: Record<string, string> = {}) =>
  JSON.stringify({ name, version, dependencies });

/** A build folder shaped like installTfjsNode's: tfjs-node with deps/, build/, and its dependencies. */
function fakeStage(): string {
  const stage = mkdtempSync(join(tmpdir(), "sam-stage-"));
  const m = join(stage, "node_modules");
  const pkg = join(m, "@tensorflow", "tfjs-node");
  write(
    join(pkg, "package.json"),
    manifest("@tensorflow/tfjs-node", "4.22.0", { "@tensorflow/tfjs": "4.22.0" }),
  );
  write(join(pkg, "dist", "index.js"), "module.exports = 1;");
  write(join(pkg, "lib", "napi-v8", "tfjs_binding.node"), "binary");
  write(join(pkg, "deps", "lib", "libtensorflow_cc.so.2"), "big");
  write(join(pkg, "build", "Release", "obj"), "intermediate");
  write(join(m, "@tensorflow", "tfjs", "package.json"), manifest("@tensorflow/tfjs", "4.22.0"));
  write(join(m, "@tensorflow", "tfjs-core", "package.json"), manifest("@tensorflow/tfjs-core", "4.22.0"));
  write(join(m, "@mapbox", "node-pre-gyp", "package.json"), manifest("@mapbox/node-pre-gyp", "1.0.9"));
  write(join(m, "adm-zip", "package.json"), manifest("adm-zip", "0.5.16"));
  write(join(m, ".package-lock.json"), "{}");
  return stage;
}

function fakeProject(tfjsVersion?: string): string {
  const project = mkdtempSync(join(tmpdir(), "sam-project-"));
  write(join(project, "package.json"), manifest("app", "1.0.0"));
  write(join(project, "node_modules", "left-pad", "index.js"), "untouched");
  if (tfjsVersion) {
    write(
      join(project, "node_modules", "@tensorflow", "tfjs", "package.json"),
      manifest("@tensorflow/tfjs", tfjsVersion),
    );
    write(
      join(project, "node_modules", "@tensorflow", "tfjs-core", "package.json"),
      manifest("@tensorflow/tfjs-core", tfjsVersion),
    );
  }
  return project;
}

describe("linkTfjsNode", () => {
  it("copies the JavaScript, links deps/ and the dependencies, and takes the project's tfjs", () => {
    const stage = fakeStage();
    const project = fakeProject("4.22.0");
    const r = linkTfjsNode(stage, project);
    const target = join(project, "node_modules", "@tensorflow", "tfjs-node");
    expect(r).toEqual({ target, fromProject: ["@tensorflow/tfjs", "@tensorflow/tfjs-core"], fromBuild: [] });
    // real files: Node resolves @tensorflow/tfjs from here, i.e. the project's copy
    expect(lstatSync(join(target, "dist")).isDirectory()).toBe(true);
    expect(lstatSync(join(target, "lib", "napi-v8", "tfjs_binding.node")).isFile()).toBe(true);
    const built = join(stage, "node_modules", "@tensorflow", "tfjs-node");
    expect(readlinkSync(join(target, "deps"))).toBe(join(built, "deps"));
    expect(existsSync(join(target, "build"))).toBe(false);
    expect(realpathSync(join(target, "node_modules", "@mapbox", "node-pre-gyp"))).toBe(
      realpathSync(join(stage, "node_modules", "@mapbox", "node-pre-gyp")),
    );
    expect(existsSync(join(target, "node_modules", "adm-zip", "package.json"))).toBe(true);
    expect(existsSync(join(target, "node_modules", ".package-lock.json"))).toBe(false);
    expect(existsSync(join(target, "node_modules", "@tensorflow", "tfjs"))).toBe(false);
    expect(JSON.parse(readFileSync(join(target, LINK_MARKER), "utf8"))).toMatchObject({
      stage,
      fromBuild: [],
    });
    // nothing else of the project changed
    expect(readFileSync(join(project, "node_modules", "left-pad", "index.js"), "utf8")).toBe("untouched");
    expect(readFileSync(join(project, "package.json"), "utf8")).toBe(manifest("app", "1.0.0"));
  });

  it("links the build's tfjs when the project has another version or none, and replaces an earlier install", () => {
    const stage = fakeStage();
    for (const project of [fakeProject("4.21.0"), fakeProject()]) {
      linkTfjsNode(stage, project);
      const r = linkTfjsNode(stage, project); // again, over the first
      expect(r.fromBuild).toEqual(["@tensorflow/tfjs", "@tensorflow/tfjs-core"]);
      expect(readlinkSync(join(r.target, "node_modules", "@tensorflow", "tfjs"))).toBe(
        join(stage, "node_modules", "@tensorflow", "tfjs"),
      );
      expect(existsSync(`${r.target}.tmp-${process.pid}`)).toBe(false);
    }
  });
});
