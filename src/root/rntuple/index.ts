import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import type { TreeLike } from "../treelike.js";
import { RNTuple } from "./ntuple.js";

export { RNTuple } from "./ntuple.js";
export { columnTypeName } from "./columntypes.js";

/** True for the class names of an RNTuple anchor key (ROOT 6.34+ and the pre-release name). */
export function isRNTupleClass(className: string): boolean {
  return className === "ROOT::RNTuple" || className === "ROOT::Experimental::RNTuple";
}

/** Opens the RNTuple whose anchor is `key`; reads metadata only, pages on demand. */
export async function readRNTuple(file: RootFile, key: Key): Promise<TreeLike> {
  return RNTuple.open(file, key);
}
