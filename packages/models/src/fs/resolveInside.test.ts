import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { resolveInside } from "./resolveInside";

describe("resolveInside", () => {
  const root = mkdtempSync(join(tmpdir(), "resolve-inside-"));
  mkdirSync(join(root, "run", "sub"), { recursive: true });
  writeFileSync(join(root, "secret.bin"), "x");
  writeFileSync(join(root, "run", "w.bin"), "x");
  symlinkSync(join(root, "secret.bin"), join(root, "run", "out.bin"));
  symlinkSync(join(root, "run", "w.bin"), join(root, "run", "in.bin"));
  symlinkSync(root, join(root, "run", "up"));
  const run = join(root, "run");

  it("returns the absolute path of a path inside", () => {
    expect(resolveInside(run, "w.bin", "f")).toBe(join(run, "w.bin"));
    expect(resolveInside(run, "./sub/../w.bin", "f")).toBe(join(run, "w.bin"));
    expect(resolveInside(run, "sub/not-yet.bin", "f")).toBe(join(run, "sub", "not-yet.bin"));
    expect(resolveInside(run, "in.bin", "f")).toBe(join(run, "in.bin")); // a symlink that stays inside
  });

  it("refuses .. escapes, naming the field and the path", () => {
    expect(() => resolveInside(run, "../secret.bin", "model.json weightsManifest path")).toThrow(
      `model.json weightsManifest path is "../secret.bin", which leaves ${run}`,
    );
    expect(() => resolveInside(run, "sub/../../secret.bin", "f")).toThrow(/which leaves/);
  });

  it("refuses absolute paths", () => {
    expect(() => resolveInside(run, join(root, "secret.bin"), "config data.dir")).toThrow(
      /config data\.dir is ".*secret\.bin", which is absolute/,
    );
  });

  it("refuses symlinks that lead out, also through a directory and for a file not there yet", () => {
    expect(() => resolveInside(run, "out.bin", "f")).toThrow(/"out\.bin", which a symbolic link leads out of/);
    expect(() => resolveInside(run, "up/secret.bin", "f")).toThrow(/which a symbolic link leads out of/);
    expect(() => resolveInside(run, "up/new.bin", "f")).toThrow(/which a symbolic link leads out of/);
  });

  it("refuses Windows absolute paths and URLs", () => {
    expect(() => resolveInside(run, "C:\\secret.bin", "f")).toThrow(/"C:\\\\secret\.bin", which is absolute/);
    expect(() => resolveInside(run, "\\\\host\\share", "f")).toThrow(/which is absolute/);
    expect(() => resolveInside(run, "file:///etc/passwd", "f")).toThrow(/"file:\/\/\/etc\/passwd", which is a URL/);
  });

  it("refuses an empty path", () => {
    expect(() => resolveInside(run, "", "f")).toThrow('f is "": it must be a non-empty relative path without NUL bytes.');
  });
});
