/**
 * What `hepflow ls` shows, as data: every key with its class, trees and RNTuples with entries and
 * branches. Shared by the command line and the web app so both report the same numbers.
 */
import { HepflowError } from "../util/index.js";
import type { RootFile } from "./file.js";
import type { BranchInfo } from "./treelike.js";

/** One key as `ls` reports it; trees carry entries and branches. */
export interface ListingEntry {
  path: string;
  className: string;
  title: string;
  cycle: number;
  entries?: number;
  kind?: string;
  branches?: BranchInfo[];
  error?: string;
}

/** Classes whose keys are trees or RNTuples (listed with entries and branches). */
export const TREE_CLASSES = /^(TTree|TNtuple|TNtupleD|ROOT::(Experimental::)?RNTuple)$/;

/** The entries of `ls`; an unreadable tree or directory throws, or with `keepGoing` is marked with its error. */
export async function listFile(file: RootFile, keepGoing = false): Promise<ListingEntry[]> {
  const out: ListingEntry[] = [];
  const broken = new Map<string, string>();
  const keys = await file.keys(keepGoing ? { onError: (p, err) => broken.set(p, (err as Error).message) } : {});
  for (const k of keys) {
    const e: ListingEntry = { path: k.path, className: k.className, title: k.title, cycle: k.cycle };
    if (TREE_CLASSES.test(k.className)) {
      try {
        const t = await file.tree(k.path);
        e.kind = t.kind;
        e.entries = t.numEntries;
        e.branches = [...t.branches];
      } catch (err) {
        if (!keepGoing) {
          if (err instanceof HepflowError) throw err;
          throw new HepflowError("ROOT_CORRUPT", `cannot read ${k.className} "${k.path}": ${(err as Error).message}`, { file: file.name, object: k.path }, { cause: err });
        }
        e.error = (err as Error).message;
      }
    }
    if (broken.has(k.path)) e.error = broken.get(k.path);
    out.push(e);
  }
  return out;
}

const TAGS: Record<string, string> = { ZL: "zlib", CS: "zlib (old ROOT)", XZ: "lzma", ZS: "zstd", L4: "lz4" };

/**
 * The codec of each TTree branch, from the 2-letter tag of its first basket written on its own
 * (a basket stored uncompressed has no tag: "none"). One small read per branch.
 */
export async function branchCodecs(file: RootFile, tree: { models?: ReadonlyArray<{ name: string; baskets: ReadonlyArray<{ seek?: number; bytes?: number }> }> }): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of tree.models ?? []) {
    const b = m.baskets.find((x) => x.seek !== undefined && x.bytes !== undefined);
    if (!b) continue;
    // TKey header: Nbytes(4) Version(2) ObjLen(4) Datime(4) KeyLen(2) → the payload starts at KeyLen
    const head = await file.source.read(b.seek!, 18);
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const nbytes = dv.getInt32(0),
      objLen = dv.getInt32(6),
      keyLen = dv.getInt16(14);
    if (nbytes - keyLen >= objLen) {
      out[m.name] = "none";
      continue;
    }
    const tag = await file.source.read(b.seek! + keyLen, 2);
    // a truncated file may give fewer than the two bytes of the block tag
    out[m.name] = tag.length < 2 ? "unknown" : (TAGS[String.fromCharCode(...tag.subarray(0, 2))] ?? "unknown");
  }
  return out;
}
