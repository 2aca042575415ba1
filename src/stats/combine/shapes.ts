/** Writes a datacard's shape templates to a ROOT file (one directory per channel, TH1D on unit bins). */
import { itemAt } from "../../util/index.js";
import { createFile } from "../../root/index.js";
import type { RootHistogram } from "../../root/index.js";
import type { ShapeTemplate } from "./datacard.js";

/** A TH1D with bins [0,1), [1,2), ... holding `t` (the workspace has no bin edges). */
export function templateHistogram(t: ShapeTemplate): RootHistogram {
  const n = t.contents.length;
  const name = t.path.slice(t.path.lastIndexOf("/") + 1);
  const contents = Float64Array.from([0, ...t.contents, 0]);
  const sumw2 = Float64Array.from([0, ...t.sumw2, 0]);
  let tsumw = 0,
    tsumw2 = 0,
    tsumwx = 0,
    tsumwx2 = 0;
  t.contents.forEach((w, i) => {
    const x = i + 0.5;
    tsumw += w;
    tsumw2 += itemAt(t.sumw2, i, `sumw2 of ${t.path}`, "WORKSPACE_INVALID");
    tsumwx += w * x;
    tsumwx2 += w * x * x;
  });
  return { className: "TH1D", name, title: name, dimension: 1, xaxis: { nbins: n, xmin: 0, xmax: n, title: "bin" }, contents, sumw2, entries: tsumw, stats: { tsumw, tsumw2, tsumwx, tsumwx2 } };
}

/** Write all templates to `file`. */
export async function writeShapes(file: string, shapes: ShapeTemplate[]): Promise<void> {
  const w = await createFile(file);
  try {
    const dirs = new Set<string>();
    for (const t of shapes) {
      const dir = t.path.slice(0, t.path.lastIndexOf("/"));
      if (dir && !dirs.has(dir)) {
        w.mkdir(dir);
        dirs.add(dir);
      }
      w.putHistogram(t.path, templateHistogram(t));
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
