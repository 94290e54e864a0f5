import { describe, expect, it } from "vitest";
import type { Dataset } from "./dataset";
import { channelStats, normalizeChannels } from "./normalizeChannels";

describe("channelStats / normalizeChannels", () => {
  // Two 1x2 images with 2 channels: channel 0 = [1, 3, 5, 7], channel 1 = [10, 10, 20, 20].
  const ds: Dataset = {
    xs: Float32Array.from([1, 10, 3, 10, 5, 20, 7, 20]),
    xShape: [1, 2, 2],
    ys: Int32Array.from([0, 1]),
    yShape: [],
    size: 2,
    numClasses: 2,
  };

  it("computes per-channel mean and population std by hand", () => {
    const s = channelStats(ds);
    expect(s.mean).toEqual([4, 15]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(5), 12); // (9 + 1 + 1 + 9) / 4
    expect(s.std[1]).toBe(5);
  });

  it("standardizes every channel and validates stats", () => {
    const out = normalizeChannels(ds);
    const back = channelStats(out);
    expect(back.mean[0]).toBeCloseTo(0, 6);
    expect(back.std[1]).toBeCloseTo(1, 6);
    expect(Array.from(out.xs.subarray(0, 2))).toEqual([Math.fround(-3 / Math.sqrt(5)), -1]);
    expect(ds.xs[0]).toBe(1); // input untouched
    expect(() => normalizeChannels(ds, { mean: [0], std: [1] })).toThrow(/2 channels but stats have 1 means/);
    expect(() => normalizeChannels(ds, { mean: [0, 0], std: [1, 0] })).toThrow(/std of channel 1 is 0/);
  });
});
