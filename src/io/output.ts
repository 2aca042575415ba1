/**
 * Outputs on an XRootD server (`--out root://host//path`): the command writes into a local
 * staging path, and `commit()` uploads what it wrote — one file, or a directory tree — with
 * `copyFile` (checksum verified against the server). The rules are those of util/output.ts:
 * an existing remote file, or a non-empty remote directory, is refused unless `force` (checked
 * before any work, with kXR_stat/kXR_dirlist); an output that is also an input is refused always;
 * with `force` the old output stays until the new one is uploaded, then files of the old
 * directory that the new output does not have are removed, so no earlier result survives.
 * The staging area is removed on commit, abort, or when the process ends.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HepflowError, trackTemporary, type OutputRule } from "../util/index.js";
import { copyFile } from "./xrootd-copy.js";
import { listDirectory } from "./xrootd-dirlist.js";
import { StatFlag } from "./xrootd-protocol.js";
import { formatXrdUrl, isXrootdUrl, parseXrdUrl, statUrl, type XrdOptions } from "./xrootd-session.js";
import { removeUrl } from "./xrootd-writer.js";

/** True for an output location that is not a local path (root://, roots://, and http(s), which is refused). */
export function isRemoteOutput(target: string): boolean {
  return isXrootdUrl(target) || /^https?:\/\//i.test(target);
}

/** A remote output being written: the command writes at `path`; `commit()` uploads it to `url`. */
export interface StagedOutput {
  readonly url: string;
  /** Local path the command writes instead of `url` (a file or a directory; it does not exist yet). */
  readonly path: string;
  /** Uploads what was written at `path` and removes the staging area; resolves with the URLs written. */
  commit(): Promise<string[]>;
  /** Drops the staging area; nothing is uploaded. */
  abort(): void;
}

/** `input` is `output`, or lies below it, on the same server (whatever the spelling: default port, doubled slashes, opaque data). */
function within(input: string, output: string): boolean {
  if (!isXrootdUrl(input)) return false;
  const x = parseXrdUrl(input),
    y = parseXrdUrl(output);
  const norm = (p: string) => path.posix.normalize(p).replace(/\/+$/, "");
  const a = norm(x.path),
    b = norm(y.path);
  return x.host === y.host && x.port === y.port && (a === b || a.startsWith(`${b}/`));
}

/** Every file below `url` on the server, as paths relative to it. */
async function remoteFiles(url: string, opt: XrdOptions, rel = ""): Promise<string[]> {
  const u = parseXrdUrl(url);
  const out: string[] = [];
  for (const name of await listDirectory(url, opt)) {
    const child = formatXrdUrl(u, `${u.path.replace(/\/+$/, "")}/${name}`);
    const st = await statUrl(child, opt);
    if (st.flags & StatFlag.isDir) out.push(...(await remoteFiles(child, opt, `${rel}${name}/`)));
    else out.push(`${rel}${name}`);
  }
  return out;
}

function localFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...localFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * Claims `url` for a command's output under the rule (before the command does any work) and
 * returns the local staging path to write instead.
 */
export async function stageOutput(url: string, rule: OutputRule = {}, opt: XrdOptions = {}): Promise<StagedOutput> {
  if (!isXrootdUrl(url)) throw new HepflowError("IO_UNSUPPORTED", "outputs can be written to a local path or root://, not to http(s)://", { file: url });
  for (const input of rule.inputs ?? []) {
    // An input may name an object in the file (f.root:Events): the file is what counts.
    if (within(input, url) || within(input.replace(/:[^/:]*$/, ""), url)) {
      throw new HepflowError("OUTPUT_IS_INPUT", `the output is (or contains) the input ${input}; writing would destroy what is being read (even with --force)`, { file: url });
    }
  }
  let existed: "none" | "file" | "dir" = "none";
  try {
    const st = await statUrl(url, opt);
    existed = st.flags & StatFlag.isDir ? "dir" : "file";
  } catch (e) {
    if (!(e instanceof HepflowError && e.code === "IO_NOT_FOUND")) throw e;
  }
  if (existed === "file" && !rule.force) throw new HepflowError("OUTPUT_EXISTS", "the output file exists on the server; choose another name or pass --force to replace it", { file: url });
  if (existed === "dir" && !rule.force) {
    const n = (await listDirectory(url, opt)).length;
    if (n > 0) throw new HepflowError("OUTPUT_EXISTS", `the output directory on the server is not empty (${n} entries); choose another or pass --force to replace it`, { file: url });
  }
  const area = mkdtempSync(path.join(os.tmpdir(), "hepflow-out-"));
  const held = trackTemporary(area);
  const name = path.posix.basename(parseXrdUrl(url).path.replace(/\/+$/, "")) || "output";
  const local = path.join(area, name);
  let done = false;
  const drop = (): void => {
    done = true;
    rmSync(area, { recursive: true, force: true });
    held.release();
  };
  return {
    url,
    path: local,
    abort: () => {
      if (!done) drop();
    },
    async commit() {
      if (done) return [];
      try {
        let st;
        try {
          st = statSync(local);
        } catch {
          return [];
        } // the command wrote nothing there
        const force = rule.force === true;
        if (!st.isDirectory()) {
          if (existed === "dir") throw new HepflowError("OUTPUT_EXISTS", "the output is a directory on the server, but the command wrote a file", { file: url });
          await copyFile(local, url, { ...opt, force });
          return [url];
        }
        if (existed === "file") throw new HepflowError("OUTPUT_EXISTS", "the output is a file on the server, but the command wrote a directory", { file: url });
        const base = url.replace(/\/+(\?|$)/, "$1");
        const at = (rel: string) => base.replace(/(\?|$)/, `/${rel}$1`);
        const files = localFiles(local);
        let next = 0;
        // Two uploads at a time: each is already pipelined, more only adds contention.
        const worker = async (): Promise<void> => {
          while (next < files.length) {
            const rel = files[next++]!;
            await copyFile(path.join(local, rel), at(rel), { ...opt, force });
          }
        };
        await Promise.all([worker(), worker()]);
        if (existed === "dir" && force) {
          const keep = new Set(files);
          for (const rel of await remoteFiles(base, opt)) if (!keep.has(rel)) await removeUrl(at(rel), opt);
        }
        return files.map(at);
      } finally {
        drop();
      }
    },
  };
}
