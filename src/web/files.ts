/** The Files view's data: folders under the root, a ROOT file's listing (as `hepflow ls`), its histograms as plot specs. */
import { readdirSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { branchCodecs, listFile, openFile, type ListingEntry, type RootHistogram, type TTree } from "../root/index.js";
import { hist1dFromRoot, hist2dFromRoot, histogramPlot, hist2dPlot, stackPlot, type VegaLiteSpec } from "../plot/index.js";
import { HepflowError } from "../util/index.js";

export interface FolderEntry {
  name: string;
  type: "dir" | "file";
  size: number;
  mtime: number;
  kind?: "root" | "json" | "workflow-run" | "live-run";
}

/** A folder's entries, folders first; hidden entries (dot files) and symbolic links that leave the root are left out. */
export function listFolder(root: string, dir: string): FolderEntry[] {
  const out: FolderEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    const abs = path.join(dir, name);
    let st;
    try {
      const real = realpathSync(abs);
      if (real !== root && !real.startsWith(root + path.sep)) continue; // a link out of the root is not shown (nor followed)
      st = statSync(real);
    } catch {
      continue;
    } // a dangling link
    const isDir = st.isDirectory();
    const e: FolderEntry = { name, type: isDir ? "dir" : "file", size: isDir ? 0 : st.size, mtime: st.mtimeMs };
    if (!isDir && /\.root$/i.test(name)) e.kind = "root";
    else if (!isDir && /\.json$/i.test(name)) e.kind = "json";
    else if (isDir && exists(path.join(abs, "_hepflow", "state.json"))) e.kind = "workflow-run";
    else if (isDir && exists(path.join(abs, "live.json"))) e.kind = "live-run";
    out.push(e);
  }
  return out.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1));
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A ROOT file (a path, or a remote URL already checked) as `hepflow ls` lists it, plus the file's compression setting and each TTree branch's codec. */
export async function describeRootFile(file: string): Promise<{ compression: string; size: number; entries: Array<ListingEntry & { codecs?: Record<string, string> }> }> {
  const f = await openFile(file);
  try {
    const entries: Array<ListingEntry & { codecs?: Record<string, string> }> = await listFile(f, true);
    for (const e of entries) {
      if (e.kind !== "TTree" || e.error) continue;
      try {
        e.codecs = await branchCodecs(f, (await f.tree(e.path)) as TTree);
      } catch {
        /* codecs are extra information */
      }
    }
    const c = f.header.compression;
    return { compression: c.codec === "none" ? "none" : `${c.codec}:${c.level}`, size: await f.source.size(), entries };
  } finally {
    await f.close();
  }
}

/** A histogram of a ROOT file as a plot-layer spec: 1D (optionally with the ratio to another) or a 2D heat map. */
export async function rootHistogramSpec(file: string, object: string, o: { logY?: boolean; ratioTo?: string }): Promise<{ spec: VegaLiteSpec; dimension: number; entries: number }> {
  const f = await openFile(file);
  try {
    const read = async (name: string): Promise<RootHistogram> => {
      const obj = await f.get(name);
      if (typeof obj !== "object" || obj === null || !("contents" in obj) || !("xaxis" in obj)) throw new HepflowError("UI_NOT_HISTOGRAM", "not a histogram", { file, object: name });
      return obj as RootHistogram;
    };
    const h = await read(object);
    const title = h.title || h.name;
    if (h.dimension === 2) return { spec: hist2dPlot(hist2dFromRoot(h, title), { xTitle: h.xaxis.title || "x", yTitle: h.yaxis?.title || "y", experiment: "none", title }), dimension: 2, entries: h.entries };
    if (h.dimension !== 1) throw new HepflowError("UI_NOT_HISTOGRAM", `a ${h.dimension}D histogram cannot be drawn here (1D and 2D only)`, { file, object });
    const one = hist1dFromRoot(h, h.name);
    const xTitle = h.xaxis.title || h.name;
    if (o.ratioTo) {
      const other = hist1dFromRoot(await read(o.ratioTo), o.ratioTo);
      return { spec: stackPlot({ mc: [other], data: { ...one, label: h.name } }, { xTitle, logY: o.logY, experiment: "none", ratioTitle: `${h.name} / ${o.ratioTo}` }), dimension: 1, entries: h.entries };
    }
    return { spec: histogramPlot(one, { xTitle, logY: o.logY, experiment: "none", title }), dimension: 1, entries: h.entries };
  } finally {
    await f.close();
  }
}
