import { HepflowError } from "../../util/index.js";
import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import type { TreeLike } from "../treelike.js";
import { readKeyObject, type RootObject } from "../streamers/index.js";
import { buildBranches } from "./model.js";
import { TTree, asHepflow } from "./tree.js";

export { decompressionWorkers } from "#root/parallel";
export { TTree } from "./tree.js";
export type { BranchModel, Interpretation, BasketRef } from "./model.js";

/** Reads a TTree's metadata (branches, leaves, basket index, embedded baskets) from its key. */
export async function readTTree(file: RootFile, key: Key): Promise<TreeLike> {
  try {
    return await readTTreeUnchecked(file, key);
  } catch (e) {
    throw asHepflow(e, { file: file.name, object: key.name });
  }
}

async function readTTreeUnchecked(file: RootFile, key: Key): Promise<TreeLike> {
  const streamers = await file.streamerInfos();
  if (!streamers.has("TTree")) {
    throw new HepflowError("ROOT_UNSUPPORTED", "the file has no streamer info for TTree, so the tree's layout is unknown", { file: file.name, object: key.name });
  }
  const obj = (await readKeyObject(file, key, streamers)) as RootObject;
  const entries = Number(obj.fEntries ?? 0);
  if (!Number.isSafeInteger(entries) || entries < 0) {
    throw new HepflowError("ROOT_CORRUPT", `tree claims ${String(obj.fEntries)} entries`, { file: file.name, object: key.name });
  }
  return new TTree(file, key.name, entries, buildBranches(obj, streamers), obj);
}
