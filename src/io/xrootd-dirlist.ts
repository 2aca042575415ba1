/**
 * Directory listing (kXR_dirlist) and globbing of root:// URLs, so a dataset may name
 * root://host//store/…/*.root. Wildcards may sit in any path component; `**` is not supported
 * (a recursive listing of a grid directory can be enormous).
 */
import { createRequire } from "node:module";
import { HepflowError } from "../util/index.js";
import { Req, StatFlag } from "./xrootd-protocol.js";
import { formatXrdUrl, parseXrdUrl, pathWithCgi, release, sendFollowing, statUrl, type XrdOptions } from "./xrootd-session.js";

// picomatch ships no type declarations; this is the one call used.
const picomatch = createRequire(import.meta.url)("picomatch") as (glob: string, options?: { dot?: boolean }) => (name: string) => boolean;

/** Names in a directory on the server (no "." or ".."), sorted. */
export async function listDirectory(url: string, opt: XrdOptions = {}): Promise<string[]> {
  const u = parseXrdUrl(url);
  const landed = await sendFollowing(u, opt, url, "dirlist", (c, at) => c.send(Req.dirlist, undefined, pathWithCgi(at), "dirlist"));
  release(landed.conn);
  // Entries are separated by newlines; the last partial answer ends with a NUL.
  return landed.body
    .toString("utf8")
    .split(/[\n\0]/)
    .filter((n) => n && n !== "." && n !== "..")
    .sort();
}

const GLOB = /[*?[\]{}]/;

/** True when the path of a root:// URL holds wildcards. */
export function hasGlob(url: string): boolean {
  return GLOB.test(parseXrdUrl(url).path);
}

/**
 * The files a root:// URL with wildcards names, as full URLs in sorted order; a URL without
 * wildcards comes back as is. No match is an error naming the pattern.
 */
export async function expandGlob(url: string, opt: XrdOptions = {}): Promise<string[]> {
  const u = parseXrdUrl(url);
  if (!GLOB.test(u.path)) return [url];
  if (u.path.includes("**")) throw new HepflowError("IO_BAD_URL", "`**` (recursive) globs are not supported in root:// URLs; name each directory level with `*`", { file: url });
  const parts = u.path.split("/").filter(Boolean);
  let prefixes = ["/"];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (!GLOB.test(part)) {
      prefixes = prefixes.map((p) => `${p}${part}${last ? "" : "/"}`);
      continue;
    }
    const match = picomatch(part, { dot: false });
    const next: string[] = [];
    for (const dir of prefixes) {
      let names: string[];
      try {
        names = await listDirectory(formatXrdUrl(u, dir), opt);
      } catch (e) {
        // A wildcard above may have matched a file, not a directory: skip it.
        if (e instanceof HepflowError && (e.code === "IO_NOT_FOUND" || e.code === "IO_XROOTD")) continue;
        throw e;
      }
      for (const n of names) if (match(n)) next.push(`${dir}${n}${last ? "" : "/"}`);
    }
    prefixes = next;
  }
  // Keep files only: a pattern like /data/* may match subdirectories too.
  const files: string[] = [];
  for (const p of prefixes) {
    const st = await statUrl(formatXrdUrl(u, p), opt).catch(() => undefined);
    if (st && !(st.flags & StatFlag.isDir)) files.push(p);
  }
  if (files.length === 0) throw new HepflowError("IO_NOT_FOUND", "no file on the server matches this pattern", { file: url });
  return files.sort().map((p) => formatXrdUrl(u, p));
}
