import { HepflowError } from "../../util/index.js";
import type { RootList, RootObject, EmbeddedBasket, StreamerRegistry } from "../streamers/index.js";
import { T, basicTypeCode, isUnsupported, parsePacking } from "../streamers/index.js";
import { storedSize, type Dtype, type Packing } from "./decode.js";
import { leafPaths, parseTypeName, recordOf, type StreamedLayout, type TypeNode } from "./streamed.js";

/** One basket of a branch: where it is (on disk or embedded in the TTree key) and which entries it holds. */
export interface BasketRef {
  first: number;
  stop: number;
  /** On-disk basket: file offset and size. */
  seek?: number;
  bytes?: number;
  embedded?: EmbeddedBasket;
}

/**
 * How a branch's bytes become a column:
 * fixed: `len` values per entry; counted: count×`len` values per entry, counts from `counter`;
 * vector: per entry an optional 6-byte header, a 32-bit size and the values; string: one string per entry.
 */
export type Interpretation =
  | { kind: "fixed"; dtype: Dtype; len: number; packing?: Packing }
  | { kind: "counted"; dtype: Dtype; len: number; counter: string; packing?: Packing }
  | { kind: "vector"; dtype: Dtype; header: boolean }
  /** std::vector<std::string> or std::vector<std::vector<number>>: per entry a header, a size, then the items. */
  | { kind: "nested"; inner: "string" | "vector"; dtype?: Dtype }
  | { kind: "string"; header: boolean }
  /** Several leaves per entry, each of fixed size; `leaf` picks one (the branch is exposed as "branch.leaf" columns). */
  | { kind: "leaf"; dtype: Dtype; len: number; offset: number; stride: number; packing?: Packing }
  /** One member (path like "fP.fX") of objects stored whole (unsplit), one per entry or a std::vector of them per entry. */
  | { kind: "member"; dtype: Dtype; path: string[]; parent: string; className: string; vector: boolean }
  /** Values written through ROOT's STL/string streamers (sets, maps, nested containers, TObject bases), decoded per entry into columns. */
  | ({ kind: "streamed" } & StreamedLayout)
  /**
   * A split object or base class: no data of its own, its sub-branches hold the members. `parts`:
   * columns cut from this branch's own bytes instead (a map's keys and values, a TObject base's members).
   */
  | { kind: "container"; children: number; parts?: { suffix: string; layout: StreamedLayout }[] }
  | { kind: "unsupported"; reason: string };

/** A branch as the reader sees it. */
export interface BranchModel {
  name: string;
  className: string;
  typeName: string;
  entries: number;
  totBytes: number;
  zipBytes: number;
  baskets: BasketRef[];
  interp: Interpretation;
  counter?: string;
}

const LEAF_DTYPES: Record<string, [Dtype, Dtype]> = {
  TLeafB: ["i8", "u8"],
  TLeafS: ["i16", "u16"],
  TLeafI: ["i32", "u32"],
  TLeafL: ["i64", "u64"],
  TLeafG: ["i64", "u64"],
  TLeafF: ["f32", "f32"],
  TLeafD: ["f64", "f64"],
  TLeafO: ["bool", "bool"],
  TLeafF16: ["f16", "f16"],
  TLeafD32: ["d32", "d32"],
};

const CODE_DTYPES: Record<number, Dtype> = {
  [T.Char]: "i8",
  [T.LegacyChar]: "i8",
  [T.UChar]: "u8",
  [T.Bool]: "bool",
  [T.Short]: "i16",
  [T.UShort]: "u16",
  [T.Int]: "i32",
  [T.Counter]: "i32",
  [T.UInt]: "u32",
  [T.Bits]: "u32",
  [T.Long]: "i64",
  [T.Long64]: "i64",
  [T.ULong]: "u64",
  [T.ULong64]: "u64",
  [T.Float]: "f32",
  [T.Double]: "f64",
  [T.Double32]: "d32",
  [T.Float16]: "f16",
};

const TYPE_NAMES: Record<Dtype, string> = {
  i8: "Char_t",
  u8: "UChar_t",
  bool: "Bool_t",
  i16: "Short_t",
  u16: "UShort_t",
  i32: "Int_t",
  u32: "UInt_t",
  i64: "Long64_t",
  u64: "ULong64_t",
  f32: "Float_t",
  f64: "Double_t",
  f16: "Float16_t",
  d32: "Double32_t",
};

function items(list: unknown): RootObject[] {
  const l = list as RootList | null | undefined;
  return (l?.items ?? []).filter((x): x is RootObject => typeof x === "object" && x !== null && !isUnsupported(x));
}

/**
 * The sub-branches of a tree or branch. One that could not be read (its class has no streamer)
 * is an error, not a gap: dropping it would leave a tree that silently lacks columns.
 */
function branchesOf(owner: RootObject): RootObject[] {
  const l = owner.fBranches as RootList | null | undefined;
  for (const x of l?.items ?? []) {
    if (isUnsupported(x)) throw new HepflowError("ROOT_UNSUPPORTED", `a branch of ${String(owner.fName ?? "the tree")} cannot be read (${x._unsupported})`);
  }
  return items(l);
}

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0;
}

/** All branches of a TTree object, depth first, with their leaves interpreted. */
export function buildBranches(tree: RootObject, streamers: StreamerRegistry): BranchModel[] {
  const leafOwner = new Map<object, string>();
  const all: RootObject[] = [];
  const walk = (b: RootObject): void => {
    all.push(b);
    for (const leaf of items(b.fLeaves)) leafOwner.set(leaf, b.fName as string);
    for (const sub of branchesOf(b)) walk(sub);
  };
  for (const b of branchesOf(tree)) walk(b);
  const treeEntries = num(tree.fEntries);
  const out: BranchModel[] = [];
  for (const b of all) {
    const m = model(b, leafOwner, streamers, treeEntries);
    out.push(m);
    if (b._class === "TBranch" && items(b.fLeaves).length > 1) out.push(...leafListColumns(b, m));
    if (m.interp.kind === "container" && m.interp.parts) out.push(...partColumns(m, m.interp.parts));
    else if (b._class === "TBranchElement" && num(b.fID) < 0 && m.interp.kind === "container" && items(b.fBranches).length === 0) out.push(...objectMemberColumns(b, m, streamers));
  }
  return out;
}

/** Basic members of a class, flattened through embedded objects: [path, dtype]; undefined if any member is not simple. */
export function memberPaths(streamers: StreamerRegistry, className: string, depth = 0): [string[], Dtype][] | undefined {
  const versions = streamers.get(className);
  if (!versions || depth > 5) return undefined;
  const info = versions[versions.length - 1]!;
  const out: [string[], Dtype][] = [];
  for (const el of info.elements) {
    if (el.kind === "TStreamerBase") {
      if (el.name === "TObject") {
        out.push([["fUniqueID"], "u32"], [["fBits"], "u32"]);
        continue;
      }
      const sub = memberPaths(streamers, el.name, depth + 1);
      if (!sub) return undefined;
      out.push(...sub);
      continue;
    }
    const dtype = CODE_DTYPES[el.type];
    if (dtype && el.type !== T.Double32 && el.type !== T.Float16) {
      out.push([[el.name], dtype]);
      continue;
    }
    if (el.type === T.Object || el.type === T.Any) {
      const sub = memberPaths(streamers, el.typeName, depth + 1);
      if (!sub) return undefined;
      for (const [p, d] of sub) out.push([[el.name, ...p], d]);
      continue;
    }
    return undefined;
  }
  return out;
}

/** Columns "branch.member.path" for a branch holding whole objects (or a std::vector of them). */
function objectMemberColumns(b: RootObject, parent: BranchModel, streamers: StreamerRegistry): BranchModel[] {
  const cls = String(b.fClassName);
  const vec = /^(?:std::)?vector<\s*(.+?)\s*>$/.exec(cls);
  const inner = vec ? vec[1]!.trim() : cls;
  const paths = memberPaths(streamers, inner) ?? [];
  return paths.map(([p, dtype]) => ({
    ...parent,
    name: memberName(parent.name, p.join(".")),
    typeName: TYPE_NAMES[dtype] + (vec ? `[${parent.name}]` : ""),
    interp: { kind: "member", dtype, path: p, parent: parent.name, className: inner, vector: !!vec },
    totBytes: 0,
    zipBytes: 0,
  }));
}

/** "branch.member", without doubling the dot of a branch named like "obj." (ROOT's convention for split objects). */
function memberName(branch: string, member: string): string {
  return branch.endsWith(".") ? branch + member : `${branch}.${member}`;
}

/** Columns "branch.suffix" decoded from the branch's own bytes (map keys/values, TObject base members). */
function partColumns(parent: BranchModel, parts: { suffix: string; layout: StreamedLayout }[]): BranchModel[] {
  return parts.map(({ suffix, layout }) => ({
    ...parent,
    name: memberName(parent.name, suffix),
    typeName: `${parent.typeName}::${suffix}`,
    interp: { kind: "streamed", ...layout },
    totBytes: 0,
    zipBytes: 0,
  }));
}

/** The interpretation of a value written by ROOT's STL streamers (with a header per entry), or undefined if its type is not handled. */
function streamedOf(typeName: string, streamers: StreamerRegistry, counter?: string): Interpretation | undefined {
  const node = parseTypeName(typeName, streamers);
  if (!node || node.t === "num") return undefined;
  // An object is read with its own version header; an STL container gets one in front of it.
  return layoutOf(node, node.t !== "record", counter);
}

/** One column for a node with a single leaf, else a container whose parts are the leaves ("fX", "first", "second.fY"). */
function layoutOf(node: TypeNode, header: boolean, counter?: string): Interpretation {
  const paths = leafPaths(node);
  if (paths.length === 1 && paths[0]!.length === 0) return { kind: "streamed", node, header, path: [], counter };
  return { kind: "container", children: paths.length, parts: paths.map((path) => ({ suffix: path.join("."), layout: { node, header, path, counter } })) };
}

/** The leaves of a leaf list ("x/D:y/I:z[3]/F") as columns "branch.leaf", each read with a stride. */
function leafListColumns(b: RootObject, parent: BranchModel): BranchModel[] {
  const leaves = items(b.fLeaves);
  const specs: { leaf: RootObject; dtype?: Dtype; len: number; size: number }[] = [];
  let stride = 0;
  let ok = true;
  for (const leaf of leaves) {
    const dtype = leafDtype(leaf);
    const len = Math.max(1, num(leaf.fLen));
    const size = dtype ? storedSize(dtype, packingOf(dtype, leaf.fTitle as string)) : 0;
    if (!dtype || leaf.fLeafCount) ok = false;
    specs.push({ leaf, dtype, len, size });
    stride += size * len;
  }
  let offset = 0;
  return specs.map((s) => {
    const name = `${parent.name}.${String(s.leaf.fName)}`;
    const interp: Interpretation =
      ok && s.dtype
        ? { kind: "leaf", dtype: s.dtype, len: s.len, offset, stride, packing: packingOf(s.dtype, s.leaf.fTitle as string) }
        : { kind: "unsupported", reason: `leaf list with variable-size or non-numeric leaves (${String(b.fTitle)})` };
    offset += s.size * s.len;
    const typeName = s.dtype ? TYPE_NAMES[s.dtype] + (s.len > 1 ? `[${s.len}]` : "") : s.leaf._class;
    return { ...parent, name, typeName, interp, counter: undefined, totBytes: 0, zipBytes: 0 };
  });
}

function model(b: RootObject, leafOwner: Map<object, string>, streamers: StreamerRegistry, treeEntries: number): BranchModel {
  const interp = interpret(b, leafOwner, streamers);
  const counter = interp.kind === "counted" ? interp.counter : undefined;
  return {
    name: b.fName as string,
    className: b._class,
    typeName: typeName(b, interp),
    entries: num(b.fEntries) || treeEntries,
    totBytes: num(b.fTotBytes),
    zipBytes: num(b.fZipBytes),
    baskets: baskets(b),
    interp,
    counter,
  };
}

function typeName(b: RootObject, interp: Interpretation): string {
  if (b._class === "TBranchElement" && typeof b.fClassName === "string" && (b.fID as number) < 0 && b.fClassName) return b.fClassName;
  switch (interp.kind) {
    case "fixed":
      return TYPE_NAMES[interp.dtype] + (interp.len > 1 ? `[${interp.len}]` : "");
    case "counted":
      return `${TYPE_NAMES[interp.dtype]}[${interp.counter}]` + (interp.len > 1 ? `[${interp.len}]` : "");
    case "vector":
      return `std::vector<${TYPE_NAMES[interp.dtype]}>`;
    case "nested":
      return interp.inner === "string" ? "std::vector<std::string>" : `std::vector<std::vector<${TYPE_NAMES[interp.dtype!]}>>`;
    case "string":
      return b._class === "TBranchElement" ? "std::string" : "char*";
    case "container":
      return b._class === "TBranch" ? String(b.fTitle) : String(b.fClassName || b._class);
    default: {
      const leaf = items(b.fLeaves)[0];
      return (b.fClassName as string) || (leaf?._class ?? b._class);
    }
  }
}

function baskets(b: RootObject): BasketRef[] {
  const write = num(b.fWriteBasket);
  const seeks = (b.fBasketSeek as unknown[] | null) ?? [];
  const bytes = (b.fBasketBytes as unknown[] | null) ?? [];
  const entry = (b.fBasketEntry as unknown[] | null) ?? [];
  const entries = num(b.fEntries);
  const out: BasketRef[] = [];
  // Basket slots without a file position (and the slot being filled, `write`) are the ones kept in the TTree key.
  const embeddedSlots: number[] = [];
  for (let i = 0; i < write && i < seeks.length; i++) {
    const first = num(entry[i]);
    if (num(seeks[i]) === 0) {
      embeddedSlots.push(i);
      continue;
    }
    const next = i + 1 < entry.length ? num(entry[i + 1]) : 0;
    const stop = next > first ? next : entries;
    out.push({ first, stop, seek: num(seeks[i]), bytes: num(bytes[i]) });
  }
  embeddedSlots.push(write);
  let slot = 0;
  for (const e of (b.fBaskets as RootList | null)?.items ?? []) {
    if (!e || typeof e !== "object" || (e as EmbeddedBasket)._class !== "TBasket") continue;
    const eb = e as EmbeddedBasket;
    if (eb.nevBuf <= 0) continue;
    const i = embeddedSlots[Math.min(slot++, embeddedSlots.length - 1)]!;
    const first = i < entry.length ? num(entry[i]) : out.length ? out[out.length - 1]!.stop : 0;
    out.push({ first, stop: first + eb.nevBuf, embedded: eb });
  }
  return out.sort((x, y) => x.first - y.first);
}

function leafDtype(leaf: RootObject): Dtype | undefined {
  const pair = LEAF_DTYPES[leaf._class];
  return pair ? pair[leaf.fIsUnsigned ? 1 : 0] : undefined;
}

function packingOf(dtype: Dtype, title: string): Packing | undefined {
  if (dtype !== "d32" && dtype !== "f16") return undefined;
  const p = parsePacking(title, dtype === "f16" ? T.Float16 : T.Double32);
  return { xmin: p.xmin, factor: p.factor, nbits: p.nbits };
}

function interpret(b: RootObject, leafOwner: Map<object, string>, streamers: StreamerRegistry): Interpretation {
  const leaves = items(b.fLeaves);
  if (b._class === "TBranchElement") return interpretElement(b, leaves, leafOwner, streamers);
  if (b._class !== "TBranch") return { kind: "unsupported", reason: `branch class ${b._class}` };
  if (leaves.length === 0) return { kind: "unsupported", reason: "branch without leaves" };
  if (leaves.length > 1) return { kind: "container", children: leaves.length };
  const leaf = leaves[0]!;
  if (leaf._class === "TLeafC") return { kind: "string", header: false };
  const dtype = leafDtype(leaf);
  if (!dtype) return { kind: "unsupported", reason: `leaf class ${leaf._class}` };
  const len = Math.max(1, num(leaf.fLen));
  const packing = packingOf(dtype, leaf.fTitle as string);
  const countLeaf = leaf.fLeafCount as RootObject | null;
  if (countLeaf && typeof countLeaf === "object") {
    const counter = leafOwner.get(countLeaf);
    if (!counter) return { kind: "unsupported", reason: `leaf count ${String(countLeaf.fName)} not found among the branches` };
    return { kind: "counted", dtype, len, counter, packing };
  }
  return { kind: "fixed", dtype, len, packing };
}

function interpretElement(b: RootObject, leaves: RootObject[], leafOwner: Map<object, string>, streamers: StreamerRegistry): Interpretation {
  const type = num(b.fType);
  const stype = num(b.fStreamerType);
  const className = String(b.fClassName ?? "");
  const id = num(b.fID);
  if (items(b.fBranches).length > 0 && (type === 3 || type === 4)) return { kind: "fixed", dtype: "i32", len: 1 };
  if (items(b.fBranches).length > 0) return { kind: "container", children: items(b.fBranches).length };
  if (type === 3 || type === 4) return { kind: "unsupported", reason: `unsplit collection of ${className}` };
  // Top-level object or STL container stored whole.
  if (id < 0) {
    const vec = vectorElement(className);
    if (vec) {
      const code = basicTypeCode(vec[1]!);
      if (code !== undefined && CODE_DTYPES[code] && code !== T.Double32 && code !== T.Float16) return { kind: "vector", dtype: CODE_DTYPES[code]!, header: true };
      const inner = vec[1]!.trim();
      const nested = nestedOf(inner);
      if (nested) return nested;
      if (memberPaths(streamers, inner)) return { kind: "container", children: memberPaths(streamers, inner)!.length };
      const streamed = streamedOf(className, streamers);
      if (streamed) return streamed;
      return { kind: "unsupported", reason: `${className} (only vectors of numbers, strings, STL containers of them or of simple classes are supported)` };
    }
    if (className === "string" || className === "std::string") return { kind: "string", header: false };
    if (className === "TString") return { kind: "string", header: false };
    if (memberPaths(streamers, className)) return { kind: "container", children: memberPaths(streamers, className)!.length };
    const streamed = streamedOf(className, streamers);
    if (streamed) return streamed;
    return { kind: "unsupported", reason: `unsplit object of class ${className}` };
  }
  const el = findElement(streamers, b);
  const packing = el && (el.type % 20 === T.Double32 || el.type % 20 === T.Float16) ? { xmin: el.xmin, factor: el.factor, nbits: el.nbits } : undefined;
  if (type === 31 || type === 41) {
    const count = b.fBranchCount as RootObject | null;
    const code = stype > T.OffsetL && stype < T.OffsetP ? stype - T.OffsetL : stype;
    const dtype = CODE_DTYPES[code];
    if (count && (stype === T.STL || stype === T.Streamer || stype === T.Object || stype === T.Any) && el) {
      const streamed = streamedOf(el.typeName, streamers, String(count.fName));
      if (streamed) return streamed;
    }
    if (!count || !dtype) return { kind: "unsupported", reason: `member ${String(b.fName)} of a split collection with streamer type ${stype}` };
    const len = stype > T.OffsetL && stype < T.OffsetP ? Math.max(1, el?.arrayLength ?? 1) : 1;
    return { kind: "counted", dtype, len, counter: String(count.fName), packing };
  }
  if (type === 0 || type === 1 || type === 2) {
    if (stype > 0 && stype < T.OffsetL && CODE_DTYPES[stype]) return { kind: "fixed", dtype: CODE_DTYPES[stype]!, len: 1, packing };
    if (stype > T.OffsetL && stype < T.OffsetP && CODE_DTYPES[stype - T.OffsetL]) {
      return { kind: "fixed", dtype: CODE_DTYPES[stype - T.OffsetL]!, len: Math.max(1, el?.arrayLength ?? num(leaves[0]?.fLen)), packing };
    }
    if (stype === T.STLstring || stype === T.TString) return { kind: "string", header: stype === T.STLstring };
    if (stype === T.CharStar) return { kind: "streamed", node: { t: "charstar" }, header: false, path: [] };
    if (stype > T.OffsetP && stype < T.OffsetP + 20 && CODE_DTYPES[stype - T.OffsetP]) {
      // `T* fArr; //[fN]`: per entry a one-byte "array present" flag, then fN values (the flag's byte is
      // skipped by taking each entry's values from its end, as for other entry headers).
      const counter = counterOf(b, leaves, leafOwner, el?.countName);
      if (counter) return { kind: "counted", dtype: CODE_DTYPES[stype - T.OffsetP]!, len: 1, counter, packing };
    }
    if (stype === T.STL && el && /^(?:std::)?string$/.test(el.typeName.replace(/^const\s+/, ""))) return { kind: "string", header: true };
    const vec = /^(?:std::)?vector<\s*(.+?)\s*>$/.exec(el?.typeName ?? "");
    if ((stype === T.STL || stype === T.Streamer) && vec) {
      const nested = nestedOf(vec[1]!.trim());
      if (nested) return nested;
      const code = basicTypeCode(vec[1]!);
      if (code !== undefined && CODE_DTYPES[code] && code !== T.Double32 && code !== T.Float16) return { kind: "vector", dtype: CODE_DTYPES[code]!, header: true };
    }
    if ((stype === T.STL || stype === T.Streamer || stype === T.Object || stype === T.Any) && el) {
      const streamed = streamedOf(el.typeName, streamers);
      if (streamed) return streamed;
    }
    if (el?.kind === "TStreamerBase") {
      // A base class written as its own branch: its members, read through its streamer.
      const node = recordOf(el.name, streamers);
      if (node) return layoutOf(node, false);
    }
  }
  return { kind: "unsupported", reason: `branch element of type ${type}, streamer type ${stype} (${el?.typeName ?? className})` };
}

/**
 * The element type of a std::vector (also with an allocator argument, as RDataFrame writes
 * `vector<float,ROOT::Detail::VecOps::RAdoptAllocator<float> >`) or of an RVec, which ROOT streams
 * exactly like a vector. Returns a match-like array whose [1] is the element type.
 */
function vectorElement(className: string): [string, string] | null {
  const m = /^(?:std::)?vector<\s*(.+?)\s*(?:,\s*ROOT::Detail::VecOps::RAdoptAllocator<.*>\s*)?>$/.exec(className) ?? /^ROOT::VecOps::RVec<\s*(.+?)\s*>$/.exec(className);
  return m ? [m[0], m[1]!] : null;
}

/** vector<string> / vector<vector<number>> element types. */
function nestedOf(inner: string): Interpretation | undefined {
  if (/^(?:std::)?string$/.test(inner) || inner === "TString") return { kind: "nested", inner: "string" };
  const v = /^(?:std::)?vector<\s*(.+?)\s*>$/.exec(inner);
  if (v) {
    const code = basicTypeCode(v[1]!);
    if (code !== undefined && CODE_DTYPES[code] && code !== T.Double32 && code !== T.Float16) return { kind: "nested", inner: "vector", dtype: CODE_DTYPES[code]! };
  }
  return undefined;
}

/** The branch holding the count of a counted array member: the leaf's count leaf, else the sibling named by the streamer element. */
function counterOf(b: RootObject, leaves: RootObject[], leafOwner: Map<object, string>, countName?: string): string | undefined {
  const countLeaf = leaves[0]?.fLeafCount as RootObject | null | undefined;
  if (countLeaf && typeof countLeaf === "object") return leafOwner.get(countLeaf);
  if (!countName) return undefined;
  const name = String(b.fName);
  const dot = name.lastIndexOf(".");
  const sibling = dot >= 0 ? name.slice(0, dot + 1) + countName : countName;
  for (const owner of leafOwner.values()) if (owner === sibling) return sibling;
  return undefined;
}

function findElement(streamers: StreamerRegistry, b: RootObject) {
  const versions = streamers.get(String(b.fClassName ?? ""));
  if (!versions) return undefined;
  const info = versions.find((i) => i.classVersion === num(b.fClassVersion)) ?? versions[versions.length - 1]!;
  const id = num(b.fID);
  return id >= 0 && id < info.elements.length ? info.elements[id] : undefined;
}
