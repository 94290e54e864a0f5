import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";
import { mnistJsonAsParse } from "./test/mnistJsonAsParse.ts";

export default mergeConfig(shared, { plugins: [mnistJsonAsParse()] });
