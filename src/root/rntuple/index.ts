import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import type { TreeLike } from "../treelike.js";
import { RNTuple } from "./ntuple.js";

export { RNTuple } from "./ntuple.js";
export { columnTypeName } from "./columntypes.js";

export { isRNTupleClass } from "./classes.js";

/** Opens the RNTuple whose anchor is `key`; reads metadata only, pages on demand. */
export async function readRNTuple(file: RootFile, key: Key): Promise<TreeLike> {
  return RNTuple.open(file, key);
}
