/**
 * Snapshots (RDataFrame's Snapshot): a processor returns the events to keep under
 * `$snapshot: { columns }` in its accumulator (typed arrays, string arrays, or `{ offsets, content }`
 * for collections — plain data). The chunk runner writes them as one part file per chunk and puts
 * a plain-data part record `[{ sample, index, file, entries }]` in the accumulator instead; records
 * concatenate in the collector's fixed chunk order, so `assembleSnapshots` builds one file per sample
 * in canonical order whatever the number of workers or the executor (local threads, a queue).
 * Parts go to `<snapshotDir>/parts/`: the executor option `snapshotDir`, carried with the work to
 * every worker (local threads, the in-thread runner, Redis workers), never a process-wide setting.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { HepflowError, Jagged, type Column, type Columns } from "../util/index.js";
import type { Accumulator } from "./accumulate.js";
import type { WorkItem } from "./runner.js";

export const SNAPSHOT_KEY = "$snapshot";

/**
 * The ROOT writer and the expression layer's schema, loaded by the first snapshot: every worker
 * thread imports this module, and most processors write no snapshot.
 */
async function writerModules(): Promise<[typeof import("../root/index.js"), typeof import("../expr/index.js")]> {
  return Promise.all([import("../root/index.js"), import("../expr/index.js")]);
}

/** One written part, as carried in the accumulator. */
export interface SnapshotPart {
  sample: string;
  index: number;
  file: string;
  entries: number;
}

function toColumns(raw: unknown, file: string): Columns {
  if (typeof raw !== "object" || raw === null) throw new HepflowError("PROCESSOR_INVALID", `${SNAPSHOT_KEY}.columns must be an object of columns`, { file });
  const out: Columns = {};
  for (const [name, c] of Object.entries(raw as Record<string, unknown>)) {
    if (ArrayBuffer.isView(c) || Array.isArray(c)) out[name] = c as Column;
    else if (c && typeof c === "object" && "offsets" in c && "content" in c) {
      const o = c as { offsets: ArrayLike<number>; content: Column };
      out[name] = new Jagged(Int32Array.from(o.offsets), o.content);
    } else throw new HepflowError("PROCESSOR_INVALID", `snapshot column ${name} is neither an array nor { offsets, content }`, { file, object: name });
  }
  return out;
}

/** Writes the chunk's snapshot (if any) as a part file and replaces it by its part record. */
export async function writeSnapshotPart(acc: Accumulator, item: WorkItem, dir: string | undefined): Promise<Accumulator> {
  if (typeof acc !== "object" || acc === null || Array.isArray(acc) || ArrayBuffer.isView(acc) || !(SNAPSHOT_KEY in acc)) return acc;
  if (!dir) throw new HepflowError("SNAPSHOT_DIR", "the processor returned a snapshot but the run gave no snapshot directory (executor option snapshotDir; `hepflow run` sets it to OUT/.snapshot-parts)", { file: item.file });
  const rec = acc as Record<string, unknown>;
  const snap = rec[SNAPSHOT_KEY] as { columns?: unknown };
  const columns = toColumns(snap?.columns, item.file);
  const names = Object.keys(columns);
  const file = path.join(dir, "parts", `${encodeURIComponent(item.sample)}.${item.index}.root`);
  mkdirSync(path.dirname(file), { recursive: true });
  const [{ createFile }, { schemaOf }] = await writerModules();
  const w = await createFile(file, { compression: "lz4" });
  const t = w.writeTree("Events", schemaOf(columns, names));
  t.write(columns);
  await w.close();
  const entries = names.length ? (columns[names[0]!] instanceof Jagged ? (columns[names[0]!] as Jagged).length : (columns[names[0]!] as ArrayLike<unknown>).length) : 0;
  const { [SNAPSHOT_KEY]: _, ...rest } = rec;
  return { ...rest, [SNAPSHOT_KEY]: [{ sample: item.sample, index: item.index, file, entries }] } as Accumulator;
}

/**
 * Concatenates the parts of each sample, in the order given (the run's merged accumulator keeps the
 * canonical chunk order), into `outDir/<sample>.root` (tree `Events`); removes the parts.
 */
export async function assembleSnapshots(parts: readonly SnapshotPart[], outDir: string, options: { compression?: string } = {}): Promise<Record<string, { file: string; entries: number }>> {
  const bySample = new Map<string, SnapshotPart[]>();
  for (const p of parts) bySample.set(p.sample, [...(bySample.get(p.sample) ?? []), p]);
  const out: Record<string, { file: string; entries: number }> = {};
  mkdirSync(outDir, { recursive: true });
  const [{ createFile, openFile }, { schemaOf }] = await writerModules();
  for (const [sample, list] of bySample) {
    const file = path.join(outDir, `${sample}.root`);
    const w = await createFile(file, { compression: options.compression ?? "zlib:1" });
    let tree: { write(c: Columns): void } | undefined;
    let entries = 0;
    try {
      for (const p of list) {
        const f = await openFile(p.file);
        const t = await f.tree("Events");
        for await (const chunk of t.iterate(undefined, { stepSize: 100_000 })) {
          tree ??= w.writeTree(
            "Events",
            schemaOf(
              chunk.columns,
              t.branches.map((b) => b.name),
              [],
              new Map(t.branches.map((b) => [b.name, b])),
            ),
          );
          tree.write(chunk.columns);
          entries += chunk.entryStop - chunk.entryStart;
        }
        await f.close();
      }
      await w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    for (const p of list) rmSync(p.file, { force: true });
    out[sample] = { file, entries };
  }
  return out;
}
