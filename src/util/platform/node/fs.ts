/**
 * File access for Node. Modules of the layers a browser bundle may import (util, io, root, plot)
 * take node:fs and node:path from here, through the package's `#util/fs` import, so a bundler's
 * "browser" condition swaps in ../browser/fs.ts and no node: module is reachable from the page.
 */
export { existsSync, mkdirSync, readdirSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
export { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
export * as fsSync from "node:fs";
export { default as path } from "node:path";
