import { afterEach, describe, expect, it, vi } from "vitest";
import { yieldToEventLoop } from "./progress";

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Resolves `yieldToEventLoop()` and says whether a microtask queued after the call ran first. */
async function yieldsAMacrotask(): Promise<boolean> {
  let microtaskRan = false;
  const done = yieldToEventLoop();
  queueMicrotask(() => {
    microtaskRan = true;
  });
  await done;
  return microtaskRan;
}

describe("yieldToEventLoop", () => {
  it("yields a macrotask through setImmediate (Node)", async () => {
    const spy = vi.spyOn(globalThis, "setImmediate");
    expect(await yieldsAMacrotask()).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it("works without setImmediate, as in a browser (MessageChannel)", async () => {
    vi.stubGlobal("setImmediate", undefined);
    const posted = vi.spyOn(MessagePort.prototype, "postMessage");
    expect(await yieldsAMacrotask()).toBe(true);
    expect(posted).toHaveBeenCalledTimes(1);
    posted.mockRestore();
  });

  it("falls back to setTimeout(0) with neither", async () => {
    vi.stubGlobal("setImmediate", undefined);
    vi.stubGlobal("MessageChannel", undefined);
    expect(await yieldsAMacrotask()).toBe(true);
  });
});
