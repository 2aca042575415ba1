/** Reading workspaces and patches from JSON files, with errors that name the file. */
import { readFileSync } from "node:fs";
import { HepflowError } from "../util/index.js";
import { Workspace } from "./workspace.js";
import type { PatchSet, WorkspacePatch } from "./workspace.js";

function readJson(file: string, code: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError(code, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file }, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HepflowError(code, `not valid JSON: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/**
 * Load a workspace file and apply patch files in order. A patch is a JSON-patch file, or a pyhf
 * patchset written as `patchset.json#name` to pick one of its patches.
 */
export function loadWorkspace(file: string, patches: string[] = []): Workspace {
  let ws = Workspace.fromJSON(readJson(file, "WORKSPACE_INVALID"), { file });
  for (const spec of patches) {
    const hash = spec.lastIndexOf("#");
    const path = hash > 0 ? spec.slice(0, hash) : spec;
    const name = hash > 0 ? spec.slice(hash + 1) : undefined;
    const json = readJson(path, "PATCH_INVALID");
    try {
      ws = Array.isArray(json) ? ws.applyPatches([json as WorkspacePatch]) : ws.applyPatches(json as PatchSet, { name });
    } catch (e) {
      if (e instanceof HepflowError && e.file === undefined) throw new HepflowError(e.code, e.message, { file: path }, { cause: e });
      throw e;
    }
  }
  return ws;
}
