import { HepflowError } from "../../util/index.js";
import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import type { TreeLike } from "../treelike.js";

export async function readTTree(file: RootFile, key: Key): Promise<TreeLike> {
  throw new HepflowError("ROOT_UNSUPPORTED", "TTree reading is not implemented yet", { file: file.name, object: key.name });
}
