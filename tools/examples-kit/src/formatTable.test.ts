import { describe, expect, it } from "vitest";
import { formatTable } from "./formatTable";

describe("formatTable", () => {
  it("aligns text left and numbers right", () => {
    expect(formatTable([
      { method: "sgd", accuracy: "91.2%", seconds: 12.5 },
      { method: "multirate", accuracy: "90.8%", seconds: 6.1 },
    ])).toBe(
      ["method     accuracy  seconds", "---------  --------  -------", "sgd           91.2%     12.5", "multirate     90.8%      6.1"].join("\n"),
    );
  });
});
