import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MemorySource } from "../../src/io/index.js";
import { openFile } from "../../src/root/index.js";
import { HepflowError } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
import { seekInfoOf } from "./fault-cases.js";

/** Small deterministic PRNG (mulberry32) so every run mutates the same bytes. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads everything a user could ask for: all keys, all branches of all trees, all other objects. */
async function readAll(bytes: Uint8Array, name: string): Promise<void> {
  const f = await openFile(new MemorySource(bytes, name));
  try {
    for (const k of await f.keys()) {
      if (/^(TTree|TNtuple)$/.test(k.className)) {
        const t = await f.tree(k.path);
        await t.arrays(undefined, { entryStart: 0, entryStop: Math.min(t.numEntries, 5000) });
      } else if (!/^(TDirectory|TDirectoryFile)$/.test(k.className) && !/RNTuple/.test(k.className)) {
        await f.get(k.path);
      }
    }
  } finally {
    await f.close();
  }
}

/** Per-mutation time bound: a corrupt file must fail fast, never hang. Generous for a loaded 2-core machine. */
const TIME_LIMIT_MS = 5000;

async function bounded(p: Promise<void>): Promise<"ok" | "error"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), TIME_LIMIT_MS);
  });
  try {
    await Promise.race([p, timeout]);
    return "ok";
  } catch (e) {
    if (e instanceof HepflowError) return "error";
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

const FILES = ["uproot-HZZ-zlib.root", "uproot-sample-6.20.04-lz4.root", "uproot-small-dy-nooffsets.root", "uproot-histograms.root", "uproot-Zmumu-zstd.root", "uproot-HZZ-lzma.root", "nanoAOD_2015_CMS_Open_Data_ttbar.root"];

describe("corrupt files end in a HepflowError or data, in bounded time", () => {
  for (const [fi, name] of FILES.entries()) {
    it(`${name}: truncations and flipped bytes`, async () => {
      const orig = new Uint8Array(readFileSync(rootFile(name)));
      const rand = rng(1234 + fi);
      const outcomes = { ok: 0, error: 0 };
      // Where keys, streamer infos and baskets live: the header names the first two; the rest is spread over the file.
      const seekInfo = seekInfoOf(orig);
      const trials = name.startsWith("nanoAOD") ? 30 : 60;
      for (let t = 0; t < trials; t++) {
        let bytes: Uint8Array;
        const kind = t % 4;
        if (kind === 0) {
          bytes = orig.subarray(0, Math.floor(rand() * orig.length)); // truncation
        } else {
          bytes = orig.slice();
          const region = kind === 1 ? [0, 100] : kind === 2 ? [Math.max(0, seekInfo - 200), Math.min(orig.length, seekInfo + 400)] : [100, orig.length];
          const flips = 1 + Math.floor(rand() * 4);
          for (let k = 0; k < flips; k++) {
            const at = region[0]! + Math.floor(rand() * (region[1]! - region[0]!));
            bytes[at] = bytes[at]! ^ (1 << Math.floor(rand() * 8));
          }
        }
        outcomes[await bounded(readAll(bytes, `${name}#${t}`))]++;
      }
      expect(outcomes.ok + outcomes.error).toBe(trials);
      // Truncations always damage something the reader needs; at least those must be reported.
      expect(outcomes.error).toBeGreaterThan(0);
    }, 120_000);
  }
});
