#!/usr/bin/env node
// Regenerates src/root/writer/streamerdefs.ts: the TStreamerInfo records (class versions,
// checksums, members) of every class hepflow's writer stores, taken with JSROOT from ROOT-written
// files in ../shared/data/root (the newest version of each class found there).
// Usage: node scripts/extract-streamers.mjs
import { openFile } from "jsroot/io";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(repo, "../shared/data/root");
const WANT = [
  "TObject",
  "TNamed",
  "TAttLine",
  "TAttFill",
  "TAttMarker",
  "TAttAxis",
  "TAxis",
  "TH1",
  "TH1F",
  "TH1D",
  "TH1I",
  "TH2",
  "TH2F",
  "TH2D",
  "TArray",
  "TArrayF",
  "TArrayD",
  "TArrayI",
  "TCollection",
  "TSeqCollection",
  "TList",
  "THashList",
  "TObjArray",
  "TObjString",
  "TString",
  "TTree",
  "TBranch",
  "TLeaf",
  "TLeafB",
  "TLeafS",
  "TLeafI",
  "TLeafL",
  "TLeafF",
  "TLeafD",
  "TLeafO",
  "TLeafC",
  "ROOT::TIOFeatures",
  "TBranchElement",
  "TLeafElement",
  "vector<float>",
  "vector<double>",
  "vector<int>",
  "vector<unsigned int>",
  "vector<short>",
  "vector<unsigned short>",
  "vector<char>",
  "vector<unsigned char>",
  "vector<bool>",
  "vector<Long64_t>",
  "vector<ULong64_t>",
  "ROOT::RNTuple",
];

const found = {};
for (const f of fs
  .readdirSync(dataDir)
  .filter((x) => x.endsWith(".root"))
  .sort()) {
  let file;
  try {
    file = await openFile(path.join(dataDir, f));
  } catch {
    continue;
  }
  for (const si of file.fStreamerInfos?.arr ?? []) {
    if (!WANT.includes(si.fName)) continue;
    if (!found[si.fName] || found[si.fName].fClassVersion < si.fClassVersion) found[si.fName] = si;
  }
}
const missing = WANT.filter((n) => !found[n]);
if (missing.length) throw new Error(`no streamer info found for ${missing.join(", ")}`);

const defs = {};
for (const name of WANT) {
  const si = found[name];
  defs[name] = {
    version: si.fClassVersion,
    checksum: si.fCheckSum,
    title: si.fTitle,
    elements: si.fElements.arr.map((e) => {
      const o = { kind: e._typename, name: e.fName, title: e.fTitle, type: e.fType, size: e.fSize, arrayLength: e.fArrayLength, arrayDim: e.fArrayDim, maxIndex: [0, 1, 2, 3, 4].map((i) => e.fMaxIndex?.[i] ?? 0), typeName: e.fTypeName };
      if (e.fBaseVersion !== undefined) o.baseVersion = e.fBaseVersion;
      if (e.fCountName !== undefined) Object.assign(o, { countVersion: e.fCountVersion, countName: e.fCountName, countClass: e.fCountClass });
      if (e.fSTLtype !== undefined) Object.assign(o, { stlType: e.fSTLtype, ctype: e.fCtype });
      return o;
    }),
  };
}
const header = `/**
 * Streamer descriptions (TStreamerInfo) of every class the writer stores, as ROOT 6 itself wrote
 * them: extracted once from ROOT-written files in the scikit-hep-testdata collection
 * (shared/data/root) with JSROOT. The class checksums must match ROOT's own, so they are
 * data taken from ROOT, not computed here. Regenerate with scripts/extract-streamers.mjs.
 */
import type { StreamerDef } from "./streamerinfo.js";

export const STREAMER_DEFS: Record<string, StreamerDef> = `;
const body = JSON.stringify(defs).replace(/\},"/g, '},\n  "');
fs.writeFileSync(path.join(repo, "src/root/writer/streamerdefs.ts"), header + body + ";\n");
console.log(`wrote ${Object.keys(defs).length} classes`);
