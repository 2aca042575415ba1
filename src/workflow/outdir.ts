import { mkdir, readdir } from "node:fs/promises";
import { HepflowError } from "../util/index.js";

/**
 * Creates an output directory, refusing to write into a non-empty one unless `force`: a
 * re-run must never silently replace results the user kept. With `force` files are
 * overwritten one by one; nothing else in the directory is deleted.
 */
export async function prepareOutputDir(dir: string, force = false): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HepflowError("IO_OUTPUT", `cannot use output directory: ${(e as Error).message}`, { file: dir });
  }
  if (entries.length > 0 && !force) {
    throw new HepflowError("OUTPUT_EXISTS", `output directory is not empty (${entries.length} entries); choose another --out or pass --force to overwrite`, { file: dir });
  }
  await mkdir(dir, { recursive: true });
}
