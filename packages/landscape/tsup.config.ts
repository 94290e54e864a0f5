import { samPackage } from "../../tsup.shared";

// Two entries: the browser-safe main entry, and `./node` (file I/O, Node built-ins).
export default samPackage({ entry: ["src/index.ts", "src/node.ts"] });
