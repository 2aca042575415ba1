import { HepflowError } from "../util/index.js";
import type { RootFile } from "./file.js";
import type { Key } from "./key.js";

/** Reads a stored object by its class's streamer. (Filled in by the streamer layer.) */
export async function readObject(file: RootFile, key: Key): Promise<unknown> {
  throw new HepflowError("ROOT_UNSUPPORTED", `reading objects of class ${key.className} is not implemented yet`, { file: file.name, object: key.name });
}
