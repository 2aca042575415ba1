import { HepflowError } from "../../util/index.js";
import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import type { TreeLike } from "../treelike.js";

export function isRNTupleClass(className: string): boolean {
  return className === "ROOT::RNTuple" || className === "ROOT::Experimental::RNTuple";
}

export async function readRNTuple(file: RootFile, key: Key): Promise<TreeLike> {
  throw new HepflowError("ROOT_UNSUPPORTED", "RNTuple reading is not implemented yet", { file: file.name, object: key.name });
}
