// Rewrites docs/sam-train-config.md from the config schema (see configDoc).
import { writeFileSync } from "node:fs";
import { configDoc } from "../src/docs/configDoc";

const target = new URL("../../../docs/sam-train-config.md", import.meta.url);
writeFileSync(target, configDoc());
console.log(`wrote ${target.pathname}`);
