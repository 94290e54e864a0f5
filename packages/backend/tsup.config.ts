import { samPackage } from "../../tsup.shared";

// The main entry, the Node-only `./node` entry, and the `sam-backend` command.
export default samPackage({ entry: { index: "src/index.ts", node: "src/node/index.ts", cli: "src/cli.ts" } });
