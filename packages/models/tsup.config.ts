import { samPackage } from "../../tsup.shared";

export default samPackage();
