/**
 * Merges ROOT files like ROOT's `hadd`: histograms at the same path are summed (contents, sum
 * of squared weights, entries, statistics), trees at the same path are concatenated (same
 * branches and types required), directories are recreated.
 */
import { HepflowError, claimOutputFile, type ProgressListener } from "../../util/index.js";
import { openFile, type RootFile } from "../file.js";
import type { RootHistogram } from "../histogram.js";
import type { TreeLike } from "../treelike.js";
import { createFile, type CreateOptions } from "./file.js";
import type { BranchSpec, LeafType } from "./tree.js";

const HIST = /^TH[12][FDI]$/;
const TREE_TYPES: Record<string, LeafType | "string"> = {
  Bool_t: "bool",
  Char_t: "i8",
  UChar_t: "u8",
  Short_t: "i16",
  UShort_t: "u16",
  Int_t: "i32",
  UInt_t: "u32",
  Long64_t: "i64",
  ULong64_t: "u64",
  Float_t: "f32",
  Double_t: "f64",
  "char*": "string",
};

const VECTOR_TYPES: Record<string, LeafType> = {
  bool: "bool",
  char: "i8",
  "unsigned char": "u8",
  short: "i16",
  "unsigned short": "u16",
  int: "i32",
  "unsigned int": "u32",
  Long64_t: "i64",
  ULong64_t: "u64",
  long: "i64",
  float: "f32",
  double: "f64",
};

export interface HaddResult {
  histograms: number;
  trees: number;
  entries: number;
}

/**
 * Writes `output` as the merge of `inputs`. An existing `output` is replaced only with `force`
 * (atomically, at the end); an output that is one of the inputs is always refused.
 */
export async function hadd(output: string, inputs: string[], options: CreateOptions & { onProgress?: ProgressListener; force?: boolean } = {}): Promise<HaddResult> {
  if (inputs.length === 0) throw new HepflowError("CONFIG_INVALID", "hadd needs at least one input file");
  claimOutputFile(output, { force: options.force, inputs });
  const files: RootFile[] = [];
  const w = await createFile(output, options);
  const result: HaddResult = { histograms: 0, trees: 0, entries: 0 };
  try {
    for (const p of inputs) files.push(await openFile(p));
    const seen = new Map<string, string>();
    for (const f of files) for (const k of await f.keys()) if (!seen.has(k.path)) seen.set(k.path, k.className);
    for (const [p, cls] of seen) {
      if (cls === "TDirectory" || cls === "TDirectoryFile") w.mkdir(p);
    }
    for (const [p, cls] of seen) {
      if (HIST.test(cls)) {
        let sum: RootHistogram | undefined;
        for (const f of files) {
          const h = await getOptional(f, p);
          if (!h) continue;
          sum = sum ? addHistograms(sum, h as RootHistogram, p, f.name) : clone(h as RootHistogram);
        }
        w.putHistogram(p, sum!);
        result.histograms++;
      } else if (cls === "TTree") {
        let writer: ReturnType<typeof w.writeTree> | undefined;
        let schema: BranchSpec[] | undefined;
        for (const f of files) {
          const tree = await getTreeOptional(f, p);
          if (!tree) continue;
          const s = schemaOf(tree, f.name, p);
          if (!schema) {
            schema = s;
            writer = w.writeTree(p, s);
          } else if (JSON.stringify(s) !== JSON.stringify(schema)) {
            throw new HepflowError("HADD_MISMATCH", `tree "${p}" has different branches than in ${inputs[0]}; only trees of the same schema can be concatenated`, { file: f.name, object: p });
          }
          for await (const chunk of tree.iterate()) {
            writer!.write(chunk.columns);
            result.entries += chunk.entryStop - chunk.entryStart;
            options.onProgress?.({ unit: "entries", done: result.entries, label: `${f.name}:${p}` });
          }
        }
        writer?.close();
        result.trees++;
      }
    }
    await w.close();
    return result;
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    for (const f of files) await f.close();
  }
}

async function getOptional(f: RootFile, p: string): Promise<unknown> {
  try {
    return await f.get(p);
  } catch (e) {
    if (e instanceof HepflowError && e.code === "ROOT_NOT_FOUND") return undefined;
    throw e;
  }
}

async function getTreeOptional(f: RootFile, p: string): Promise<TreeLike | undefined> {
  try {
    return await f.tree(p);
  } catch (e) {
    if (e instanceof HepflowError && e.code === "ROOT_NOT_FOUND") return undefined;
    throw e;
  }
}

function schemaOf(tree: TreeLike, file: string, p: string): BranchSpec[] {
  return tree.branches.map((b) => {
    const vec = /^(?:std::)?vector<(.+)>$/.exec(b.typeName);
    if (vec) {
      const t = VECTOR_TYPES[vec[1]!.trim()];
      if (t) return { name: b.name, type: t, vector: true };
    }
    const base = b.typeName.replace(/\[.*\]$/, "");
    const type = TREE_TYPES[base];
    if (!type) throw new HepflowError("HADD_UNSUPPORTED", `branch ${b.name} has type ${b.typeName}, which hadd cannot copy yet`, { file, object: p });
    return b.counter ? { name: b.name, type, counter: b.counter } : { name: b.name, type };
  });
}

function clone(h: RootHistogram): RootHistogram {
  return { ...h, contents: h.contents.slice(), sumw2: (h.sumw2 ?? h.contents).slice(), stats: { ...h.stats } };
}

/** a += b, after checking the binning agrees. */
function addHistograms(a: RootHistogram, b: RootHistogram, p: string, file: string): RootHistogram {
  const same =
    a.className === b.className && a.contents.length === b.contents.length && a.xaxis.nbins === b.xaxis.nbins && a.xaxis.xmin === b.xaxis.xmin && a.xaxis.xmax === b.xaxis.xmax && String(a.xaxis.edges ?? "") === String(b.xaxis.edges ?? "");
  if (!same) throw new HepflowError("HADD_MISMATCH", `histogram "${p}" has a different class or binning than in the first file`, { file, object: p });
  const bw2 = b.sumw2 ?? b.contents;
  for (let i = 0; i < a.contents.length; i++) {
    a.contents[i] = a.contents[i]! + b.contents[i]!;
    a.sumw2![i] = a.sumw2![i]! + bw2[i]!;
  }
  a.entries += b.entries;
  const s = a.stats as Record<string, number | undefined>;
  for (const [k, v] of Object.entries(b.stats)) if (v !== undefined) s[k] = (s[k] ?? 0) + v;
  return a;
}
