/**
 * The browser's stand-in for ../node/fs.ts: a page has no file system, so every function throws,
 * naming what to use instead. Nothing here runs at import time, so a bundle that never writes
 * or opens a local path never notices.
 */
import type * as Node from "../node/fs.js";

function absent(what: string): never {
  throw new Error(`${what}: there is no file system in the browser; open files by URL (HttpSource) or from memory (MemorySource)`);
}
const fn = (what: string) => ((..._args: unknown[]) => absent(what)) as never;
/** Every property a function that throws, for the namespace-like exports. */
const namespace = (what: string) => new Proxy({}, { get: (_t, key) => fn(`${what}.${String(key)}`) }) as never;

export const existsSync: typeof Node.existsSync = fn("existsSync");
export const mkdirSync: typeof Node.mkdirSync = fn("mkdirSync");
export const readdirSync: typeof Node.readdirSync = fn("readdirSync");
export const readSync: typeof Node.readSync = fn("readSync");
export const realpathSync: typeof Node.realpathSync = fn("realpathSync");
export const renameSync: typeof Node.renameSync = fn("renameSync");
export const rmSync: typeof Node.rmSync = fn("rmSync");
export const statSync: typeof Node.statSync = fn("statSync");
export const writeFileSync: typeof Node.writeFileSync = fn("writeFileSync");
export const mkdir: typeof Node.mkdir = fn("mkdir");
export const open: typeof Node.open = fn("open");
export const readFile: typeof Node.readFile = fn("readFile");
export const rename: typeof Node.rename = fn("rename");
export const rm: typeof Node.rm = fn("rm");
export const writeFile: typeof Node.writeFile = fn("writeFile");
export type FileHandle = Node.FileHandle;
export const fsSync: typeof Node.fsSync = namespace("fs");
export const path: typeof Node.path = namespace("path");
