import { T, type StreamerElement, type StreamerInfo } from "./types.js";

/**
 * Streamer infos of ROOT's own TTree classes that some writers leave out of the file (groot, Go's
 * ROOT implementation, writes TTrees without the TLeaf* infos), so their leaves can still be read.
 * They are used only when the file has no info for the class; layouts as ROOT 6 writes them.
 */
function element(kind: string, name: string, type: number, typeName: string): StreamerElement {
  return { kind, name, title: "", type, size: 0, arrayLength: 0, arrayDim: 0, maxIndex: [0, 0, 0, 0, 0], typeName, xmin: 0, xmax: 0, factor: 0, nbits: 0 };
}

function info(name: string, classVersion: number, elements: StreamerElement[]): StreamerInfo {
  return { name, title: "", classVersion, checksum: 0, elements };
}

const base = (name: string): StreamerElement => element("TStreamerBase", name, name === "TNamed" ? T.TNamed : 0, "BASE");
const basic = (name: string, type: number, typeName: string): StreamerElement => element("TStreamerBasicType", name, type, typeName);

/** A TLeafX: the TLeaf base, then the minimum and maximum of its type. */
function leaf(name: string, type: number, typeName: string): StreamerInfo {
  return info(name, 1, [base("TLeaf"), basic("fMinimum", type, typeName), basic("fMaximum", type, typeName)]);
}

const BUILTIN: ReadonlyMap<string, StreamerInfo> = new Map([
  [
    "TLeaf",
    info("TLeaf", 2, [
      base("TNamed"),
      basic("fLen", T.Int, "Int_t"),
      basic("fLenType", T.Int, "Int_t"),
      basic("fOffset", T.Int, "Int_t"),
      basic("fIsRange", T.Bool, "Bool_t"),
      basic("fIsUnsigned", T.Bool, "Bool_t"),
      element("TStreamerObjectPointer", "fLeafCount", T.ObjectP, "TLeaf*"),
    ]),
  ],
  ["TLeafB", leaf("TLeafB", T.Char, "Char_t")],
  ["TLeafS", leaf("TLeafS", T.Short, "Short_t")],
  ["TLeafI", leaf("TLeafI", T.Int, "Int_t")],
  ["TLeafL", leaf("TLeafL", T.Long64, "Long64_t")],
  ["TLeafG", leaf("TLeafG", T.Long64, "Long_t")],
  ["TLeafF", leaf("TLeafF", T.Float, "Float_t")],
  ["TLeafD", leaf("TLeafD", T.Double, "Double_t")],
  ["TLeafC", leaf("TLeafC", T.Int, "Int_t")],
  ["TLeafO", leaf("TLeafO", T.Bool, "Bool_t")],
  ["TLeafElement", info("TLeafElement", 1, [base("TLeaf"), basic("fID", T.Int, "Int_t"), basic("fType", T.Int, "Int_t")])],
]);

/** ROOT's own streamer info for a TTree-internal class the file did not store, if this module knows it. */
export function builtinStreamerInfo(className: string): StreamerInfo | undefined {
  return BUILTIN.get(className);
}
