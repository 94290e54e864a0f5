import { samPackage } from "../../tsup.shared";

export default samPackage({ entry: ["src/index.ts", "src/cli.ts", "src/sweepCli.ts"] });
