import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configDoc } from "./configDoc";

const PAGE = new URL("../../../../docs/sam-train-config.md", import.meta.url);

describe("configDoc", () => {
  it("is what docs/sam-train-config.md holds (run `pnpm --filter @sam/experiments docs:config` after a schema change)", () => {
    expect(readFileSync(PAGE, "utf8")).toBe(configDoc());
  });

  it("has a row for every field, with its default and its allowed values", () => {
    const doc = configDoc();
    expect(doc).toContain("| `data.batchSize` | integer ≥ 1 |  | `64` | Examples per step. |");
    expect(doc).toContain('| `method.weightDecayIn` | `"rule"` \\| `"loss"` |  | `"rule"` |');
    expect(doc).toContain("| `model.init.backbone` | boolean |  | `false` |");
    expect(doc).toContain("| `langevin` | `h`, `friction`, `temperature` |");
  });
});
