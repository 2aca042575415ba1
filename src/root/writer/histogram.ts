/**
 * Serialises a RootHistogram (TH1F/D/I, TH2F/D) with ROOT's own member layout (TH1 version 8,
 * TAxis version 10), so any ROOT reader can use it without hepflow.
 */
import { HepflowError } from "../../util/index.js";
import type { RootAxis, RootHistogram } from "../histogram.js";
import type { WBuffer } from "./wbuffer.js";

const SUPPORTED = new Set(["TH1F", "TH1D", "TH1I", "TH2F", "TH2D"]);

/** Classes whose streamer infos a histogram of `className` needs. */
export function histogramClasses(h: RootHistogram): string[] {
  const classes = [h.className];
  if (h.xaxis.labels || h.yaxis?.labels) classes.push("THashList", "TObjString");
  return classes;
}

/** Checks that `h` is a histogram the writer can store and that its arrays have ROOT's sizes. */
export function validateHistogram(h: RootHistogram, where: string): void {
  const fail = (msg: string): never => {
    throw new HepflowError("ROOT_WRITE", msg, { object: where });
  };
  if (!SUPPORTED.has(h.className)) fail(`cannot write ${h.className}; supported: ${[...SUPPORTED].join(", ")}`);
  const is2d = h.className.startsWith("TH2");
  if (is2d && !h.yaxis) fail(`${h.className} needs a y axis`);
  const ncells = (h.xaxis.nbins + 2) * (is2d ? h.yaxis!.nbins + 2 : 1);
  if (h.contents.length !== ncells) fail(`contents has ${h.contents.length} values, expected ${ncells} (bins including under/overflow)`);
  if (h.sumw2 && h.sumw2.length !== ncells) fail(`sumw2 has ${h.sumw2.length} values, expected ${ncells}`);
  for (const [name, ax] of [
    ["x", h.xaxis],
    ["y", h.yaxis],
  ] as const) {
    if (!ax) continue;
    if (!(ax.nbins >= 1)) fail(`${name} axis needs at least one bin`);
    if (ax.edges && ax.edges.length !== ax.nbins + 1) fail(`${name} axis has ${ax.edges.length} edges for ${ax.nbins} bins`);
    if (ax.labels && ax.labels.length !== ax.nbins) fail(`${name} axis has ${ax.labels.length} labels for ${ax.nbins} bins`);
  }
}

/** Writes the histogram object (without key) into `b`. */
export function writeHistogram(b: WBuffer, h: RootHistogram): void {
  const is2d = h.className.startsWith("TH2");
  const outer = b.startVersion(is2d ? 4 : 3);
  if (is2d) {
    const th2 = b.startVersion(5);
    writeTH1(b, h);
    b.f64(1); // fScalefactor
    b.f64(h.stats.tsumwy ?? 0);
    b.f64(h.stats.tsumwy2 ?? 0);
    b.f64(h.stats.tsumwxy ?? 0);
    b.endVersion(th2);
  } else {
    writeTH1(b, h);
  }
  // The TArray base: bin contents with flow bins, in the histogram's storage type.
  const n = h.contents.length;
  b.i32(n);
  const kind = h.className.at(-1);
  for (let i = 0; i < n; i++) {
    const v = h.contents[i]!;
    if (kind === "D") b.f64(v);
    else if (kind === "F") b.f32(v);
    else b.i32(Math.round(v));
  }
  b.endVersion(outer);
}

function writeTH1(b: WBuffer, h: RootHistogram): void {
  const th1 = b.startVersion(8);
  const named = b.startVersion(1);
  b.tobject();
  b.tstring(h.name);
  b.tstring(h.title);
  b.endVersion(named);
  const line = b.startVersion(2);
  b.i16(602);
  b.i16(1);
  b.i16(1); // ROOT's default histogram line: blue, solid, width 1
  b.endVersion(line);
  const fill = b.startVersion(2);
  b.i16(0);
  b.i16(1001);
  b.endVersion(fill);
  const marker = b.startVersion(3);
  b.i16(1);
  b.i16(1);
  b.f32(1);
  b.endVersion(marker);
  b.i32(h.contents.length); // fNcells
  writeAxis(b, "xaxis", h.xaxis);
  writeAxis(b, "yaxis", h.yaxis ?? { nbins: 1, xmin: 0, xmax: 1, title: "" });
  writeAxis(b, "zaxis", h.zaxis ?? { nbins: 1, xmin: 0, xmax: 1, title: "" });
  b.i16(0); // fBarOffset
  b.i16(1000); // fBarWidth
  b.f64(h.entries);
  b.f64(h.stats.tsumw);
  b.f64(h.stats.tsumw2);
  b.f64(h.stats.tsumwx);
  b.f64(h.stats.tsumwx2);
  b.f64(-1111); // fMaximum: ROOT's "unset"
  b.f64(-1111); // fMinimum
  b.f64(0); // fNormFactor
  b.i32(0); // fContour (empty TArrayD)
  const sumw2 = h.sumw2;
  b.i32(sumw2 ? sumw2.length : 0);
  if (sumw2) for (let i = 0; i < sumw2.length; i++) b.f64(sumw2[i]!);
  b.tstring(""); // fOption
  // fFunctions is a "->" pointer (never null): streamed in place, without a class tag.
  emptyList(b);
  b.i32(0); // fBufferSize
  b.u8(0); // fBuffer: null pointer
  b.i32(0); // fBinStatErrOpt: kNormal
  b.i32(2); // fStatOverflows: kNeutral (follow the global setting)
  b.endVersion(th1);
}

function writeAxis(b: WBuffer, name: string, ax: RootAxis): void {
  const at = b.startVersion(10);
  const named = b.startVersion(1);
  b.tobject();
  b.tstring(name);
  b.tstring(ax.title);
  b.endVersion(named);
  const att = b.startVersion(4);
  b.i32(510);
  b.i16(1);
  b.i16(1);
  b.i16(42);
  b.f32(0.005);
  b.f32(0.035);
  b.f32(0.03);
  b.f32(1);
  b.f32(0.035);
  b.i16(1);
  b.i16(42);
  b.endVersion(att);
  b.i32(ax.nbins);
  b.f64(ax.edges ? ax.edges[0]! : ax.xmin);
  b.f64(ax.edges ? ax.edges[ax.nbins]! : ax.xmax);
  b.i32(ax.edges ? ax.edges.length : 0);
  if (ax.edges) for (let i = 0; i < ax.edges.length; i++) b.f64(ax.edges[i]!);
  b.i32(0); // fFirst
  b.i32(0); // fLast
  b.u16(0); // fBits2
  b.bool(false); // fTimeDisplay
  b.tstring(""); // fTimeFormat
  if (ax.labels) {
    const labels = ax.labels;
    b.objectAny("THashList", labels, () => {
      const list = b.startVersion(5);
      b.tobject();
      b.tstring("");
      b.i32(labels.length);
      labels.forEach((label, i) => {
        // ROOT keeps a label's bin number in the TObjString's unique id.
        b.objectAny("TObjString", { label }, () => {
          const s = b.startVersion(1);
          b.tobject(0x03000000, i + 1);
          b.tstring(label);
          b.endVersion(s);
        });
        b.u8(0);
      });
      b.endVersion(list);
    });
  } else {
    b.u32(0);
  }
  b.u32(0); // fModLabs
  b.endVersion(at);
}

function emptyList(b: WBuffer): void {
  const at = b.startVersion(5);
  b.tobject();
  b.tstring("");
  b.i32(0);
  b.endVersion(at);
}
