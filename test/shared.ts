import { existsSync } from "node:fs";
import { afterAll } from "vitest";
import { openFile, type RootFile } from "../src/root/index.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** `../shared` beside the repository: real ROOT files and pyhf/JSROOT references (CI has it). */
export const SHARED = path.resolve(fileURLToPath(new URL("../../shared", import.meta.url)));
export const ROOT_DATA = path.join(SHARED, "data", "root");
export const REFERENCE = path.join(SHARED, "reference");

export function rootFile(name: string): string {
  const p = path.join(ROOT_DATA, name);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (tests need ../shared beside the repository)`);
  return p;
}

/** An opener of corpus files by name for one test file; everything it opened is closed after the file's tests. */
export function corpusOpener(): (name: string) => Promise<RootFile> {
  const opened: RootFile[] = [];
  afterAll(async () => {
    for (const f of opened) await f.close();
  });
  return async (name) => {
    const f = await openFile(rootFile(name));
    opened.push(f);
    return f;
  };
}
