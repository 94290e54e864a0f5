import { describe, expect, it } from "vitest";
import { canonicalJson, trialId } from "./trialId";

describe("trialId", () => {
  it("names plain values as field=value pairs in the axes' order, strings without quotes", () => {
    expect(trialId({ seed: 3, "method.name": "samOn", "method.rho": 0.05, flag: true, gone: null })).toBe(
      "seed=3,method.name=samOn,method.rho=0.05,flag=true,gone=null",
    );
  });
  it("is a function of the values alone (the same id on every run and machine)", () => {
    const a = trialId({ "data.options": { noise: 0.2, turns: 2 } });
    expect(a).toBe(trialId({ "data.options": { turns: 2, noise: 0.2 } }));
    // the hash is of the canonical JSON: keys sorted
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });
  it("replaces unsafe characters and adds a hash, so the name is a safe directory that no other trial shares", () => {
    const id = trialId({ "data.dir": "../etc/passwd" });
    expect(id).toMatch(/^data\.dir=\.\._etc_passwd~[0-9a-f]{10}$/);
    expect(id).not.toContain("/");
    const obj = trialId({ "data.options": { noise: 0.2 } });
    expect(obj).toMatch(/^data\.options=__noise__0\.2_~[0-9a-f]{10}$/);
    // "a b" and "a_b" would both read a_b: the hashes differ
    expect(trialId({ x: "a b" })).not.toBe(trialId({ x: "a_b" }));
  });
  it("tells the number 1 from the string \"1\", and a value holding ',' or '=' from two fields", () => {
    expect(trialId({ seed: 1 })).toBe("seed=1");
    expect(trialId({ seed: "1" })).toMatch(/^seed=1~[0-9a-f]{10}$/);
    expect(trialId({ a: "x,b=y" })).not.toBe(trialId({ a: "x", b: "y" }));
    expect(trialId({ a: "x,b=y" })).toMatch(/~[0-9a-f]{10}$/);
  });
  it("cuts long names to 120 characters and a hash", () => {
    const id = trialId({ "method.hyper.lr": Array.from({ length: 60 }, (_, i) => i) });
    expect(id.length).toBe(120 + 11);
    expect(id).toMatch(/~[0-9a-f]{10}$/);
    expect(trialId({})).toMatch(/^~[0-9a-f]{10}$/);
  });
});
