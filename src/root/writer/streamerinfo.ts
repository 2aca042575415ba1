/**
 * Writes the file's StreamerInfo record: a TList of TStreamerInfo objects describing every class
 * stored in the file (and the classes they are built from), so ROOT, uproot and JSROOT can read
 * objects whose layout they do not hard-code.
 */
import { HepflowError } from "../../util/index.js";
import { WBuffer } from "./wbuffer.js";
import { STREAMER_DEFS } from "./streamerdefs.js";
import type { StreamerElement } from "../streamers/types.js";

/** One TStreamerElement as ROOT describes a class member or base. */
export type StreamerElementDef = Pick<StreamerElement, "kind" | "name" | "title" | "type" | "size" | "arrayLength" | "arrayDim" | "maxIndex" | "typeName"> & {
  baseVersion?: number;
  countVersion?: number;
  countName?: string;
  countClass?: string;
  stlType?: number;
  ctype?: number;
};

/** One TStreamerInfo: class version, checksum and members. */
export interface StreamerDef {
  version: number;
  checksum: number;
  title: string;
  elements: StreamerElementDef[];
}

// Versions of the streamer-element classes themselves, as ROOT 6 writes them.
const ELEMENT_VERSIONS: Record<string, number> = {
  TStreamerBase: 3,
  TStreamerBasicType: 2,
  TStreamerBasicPointer: 2,
  TStreamerLoop: 2,
  TStreamerObject: 2,
  TStreamerObjectAny: 2,
  TStreamerObjectPointer: 2,
  TStreamerObjectAnyPointer: 2,
  TStreamerString: 2,
  TStreamerSTL: 3,
  TStreamerSTLstring: 2,
};

/** The classes `roots` depend on (bases and embedded members), in dependency order. */
export function streamerClosure(roots: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const def = STREAMER_DEFS[name];
    if (!def) return;
    for (const e of def.elements) {
      const dep = e.kind === "TStreamerBase" ? e.name : e.typeName.replace(/\*$/, "");
      if (STREAMER_DEFS[dep]) visit(dep);
    }
    out.push(name);
  };
  for (const r of roots) {
    if (!STREAMER_DEFS[r]) throw new HepflowError("ROOT_WRITE", `no streamer description for class ${r}; the writer cannot store it`);
    visit(r);
  }
  return out;
}

/** Serialises the StreamerInfo TList for `classes` (closure already taken); `origin` = key length. */
export function streamerInfoList(classes: string[], origin: number): Uint8Array {
  const b = new WBuffer(origin, 16384);
  const list = b.startVersion(5);
  b.tobject();
  b.tstring("");
  b.i32(classes.length);
  for (const name of classes) {
    const def = STREAMER_DEFS[name]!;
    b.objectAny("TStreamerInfo", def, () => writeInfo(b, name, def));
    b.u8(0); // per-entry option string
  }
  b.endVersion(list);
  return b.bytes().slice();
}

/**
 * Extends an existing StreamerInfo TList (from a file being updated) with `classes`: the old
 * bytes are kept as they are and the new infos appended, then the count and byte count patched.
 */
export function appendStreamerInfos(old: Uint8Array, classes: string[], origin: number): Uint8Array {
  const view = new DataView(old.buffer, old.byteOffset, old.byteLength);
  // TList header: byte count (4), version (2), TObject (2+4+4), name (TString), object count (4).
  let p = 4 + 2 + 2 + 4;
  const bits = view.getUint32(p);
  p += 4;
  if (bits & 0x10) p += 2; // referenced object: a process id follows
  const nameLen = old[p]!;
  p += nameLen === 255 ? 5 + view.getInt32(p + 1) : 1 + nameLen;
  const countAt = p;
  const count = view.getInt32(countAt);
  const b = new WBuffer(origin, old.length + 16384);
  b.raw(old);
  for (const name of classes) {
    const def = STREAMER_DEFS[name]!;
    b.objectAny("TStreamerInfo", def, () => writeInfo(b, name, def));
    b.u8(0);
  }
  const out = b.bytes().slice();
  const ov = new DataView(out.buffer);
  ov.setInt32(countAt, count + classes.length);
  ov.setUint32(0, (out.length - 4) | 0x40000000);
  return out;
}

function writeInfo(b: WBuffer, name: string, def: StreamerDef): void {
  const at = b.startVersion(9);
  const named = b.startVersion(1);
  b.tobject(0x03010000);
  b.tstring(name);
  b.tstring(def.title);
  b.endVersion(named);
  b.u32(def.checksum);
  b.i32(def.version);
  b.objectAny("TObjArray", def.elements, () => {
    const arr = b.startVersion(3);
    b.tobject(0x02000000);
    b.tstring("");
    b.i32(def.elements.length);
    b.i32(0); // lower bound
    for (const e of def.elements) b.objectAny(e.kind, e, () => writeElement(b, e));
    b.endVersion(arr);
  });
  b.endVersion(at);
}

function writeElement(b: WBuffer, e: StreamerElementDef): void {
  const version = ELEMENT_VERSIONS[e.kind];
  if (version === undefined) throw new HepflowError("ROOT_WRITE", `cannot write streamer element kind ${e.kind}`);
  const outer = b.startVersion(version);
  const el = b.startVersion(4);
  const named = b.startVersion(1);
  b.tobject();
  b.tstring(e.name);
  b.tstring(e.title);
  b.endVersion(named);
  b.i32(e.type);
  b.i32(e.size);
  b.i32(e.arrayLength);
  b.i32(e.arrayDim);
  for (let i = 0; i < 5; i++) b.u32(e.maxIndex[i] ?? 0);
  b.tstring(e.typeName);
  b.endVersion(el);
  if (e.kind === "TStreamerBase") b.i32(e.baseVersion ?? 0);
  else if (e.kind === "TStreamerBasicPointer" || e.kind === "TStreamerLoop") {
    b.i32(e.countVersion ?? 0);
    b.tstring(e.countName ?? "");
    b.tstring(e.countClass ?? "");
  } else if (e.kind === "TStreamerSTL" || e.kind === "TStreamerSTLstring") {
    b.i32(e.stlType ?? 0);
    b.i32(e.ctype ?? 0);
  }
  b.endVersion(outer);
}
