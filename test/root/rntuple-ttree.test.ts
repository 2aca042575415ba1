import { afterAll, describe, expect, it } from "vitest";
import { RootFile } from "../../src/root/file.js";
import { Jagged, type Column, type Columns } from "../../src/util/index.js";
import type { TreeLike } from "../../src/root/treelike.js";
import { rootFile } from "../shared.js";

/**
 * The corpus has CMS 2015 ttbar NanoAOD both as a TTree and converted to RNTuple by ROOT's RNTupleImporter
 * (different events of the same dataset). An analysis must not care which it reads: the same column names,
 * column types, counters and offsets sharing. This checks hepflow's RNTuple reader against its TTree reader.
 */
const opened: RootFile[] = [];
afterAll(async () => {
  for (const f of opened) await f.close();
});

async function events(file: string): Promise<{ tree: TreeLike; columns: Columns }> {
  const f = await RootFile.open(rootFile(file));
  opened.push(f);
  const tree = await f.tree("Events");
  return { tree, columns: await tree.arrays() };
}

function shape(c: Column): string {
  if (c instanceof Jagged) return `Jagged<${shape(c.content)}>`;
  return Array.isArray(c) ? "string[]" : c.constructor.name;
}

describe("RNTuple NanoAOD looks exactly like TTree NanoAOD", () => {
  it("has the same columns, types, counters and shared offsets", async () => {
    const ttree = await events("nanoAOD_2015_CMS_Open_Data_ttbar.root");
    const rntuple = await events("cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root");
    expect(ttree.tree.kind).toBe("TTree");
    expect(rntuple.tree.kind).toBe("RNTuple");
    const names = Object.keys(ttree.columns).sort();
    expect(names.length).toBeGreaterThan(900);
    expect(Object.keys(rntuple.columns).sort()).toEqual(names);
    for (const n of names) expect(shape(rntuple.columns[n]!), n).toBe(shape(ttree.columns[n]!));
    const counters = (t: TreeLike) => Object.fromEntries(t.branches.map((b) => [b.name, b.counter ?? ""]));
    const counterOf = counters(ttree.tree);
    expect(counters(rntuple.tree)).toEqual(counterOf);
    // Columns of one collection share one offsets object in both readers.
    const jagged = names.filter((n) => ttree.columns[n] instanceof Jagged);
    for (const a of jagged) {
      const b = counterOf[a] ? jagged.find((x) => x !== a && counterOf[x] === counterOf[a]) : undefined;
      if (!b) continue;
      expect((rntuple.columns[a] as Jagged).offsets, `${a} / ${b}`).toBe((rntuple.columns[b] as Jagged).offsets);
    }
  });
});
