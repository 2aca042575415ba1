/**
 * ROOT's streamer vocabulary: element type codes (TVirtualStreamerInfo::EReadWrite) and the
 * parsed form of TStreamerInfo / TStreamerElement that drives generic object reading.
 */

/** Basic type codes; arrays add OFFSET_L (fixed) or OFFSET_P (counted pointer). */
export const T = {
  Char: 1,
  Short: 2,
  Int: 3,
  Long: 4,
  Float: 5,
  Counter: 6,
  CharStar: 7,
  Double: 8,
  Double32: 9,
  LegacyChar: 10,
  UChar: 11,
  UShort: 12,
  UInt: 13,
  ULong: 14,
  Bits: 15,
  Long64: 16,
  ULong64: 17,
  Bool: 18,
  Float16: 19,
  OffsetL: 20,
  OffsetP: 40,
  Object: 61,
  Any: 62,
  Objectp: 63,
  ObjectP: 64,
  TString: 65,
  TObject: 66,
  TNamed: 67,
  Anyp: 68,
  AnyP: 69,
  AnyPnoVT: 70,
  STLp: 71,
  STL: 300,
  STLstring: 365,
  Streamer: 500,
  StreamLoop: 501,
} as const;

/** One member of a class as its TStreamerElement describes it. */
export interface StreamerElement {
  /** TStreamerElement subclass: TStreamerBase, TStreamerBasicType, TStreamerSTL, ... */
  kind: string;
  name: string;
  title: string;
  type: number;
  size: number;
  arrayLength: number;
  arrayDim: number;
  maxIndex: number[];
  typeName: string;
  /** Double32_t / Float16_t packing from the title "[xmin,xmax,nbits]"; factor 0 = not packed. */
  xmin: number;
  xmax: number;
  factor: number;
  /** Float16/Double32 without range: number of mantissa bits (0 = store as float). */
  nbits: number;
  baseVersion?: number;
  countVersion?: number;
  countName?: string;
  countClass?: string;
  stlType?: number;
  ctype?: number;
}

/** The streamer of one class version. */
export interface StreamerInfo {
  name: string;
  title: string;
  classVersion: number;
  checksum: number;
  elements: StreamerElement[];
}

/** Marker for a member or object that was skipped because its layout is not supported. */
export interface Unsupported {
  _unsupported: string;
}

export function isUnsupported(v: unknown): v is Unsupported {
  return typeof v === "object" && v !== null && "_unsupported" in v;
}

/** Parses the "[xmin,xmax,nbits]" or "[xmin,xmax]" range ROOT keeps in a Double32/Float16 title. */
export function parsePacking(title: string, type: number): { xmin: number; xmax: number; factor: number; nbits: number } {
  const none = { xmin: 0, xmax: 0, factor: 0, nbits: 0 };
  // Array dimensions also use brackets ("x[3]"); the range is the bracket group with commas.
  const range = [...title.matchAll(/\[([^\]]*,[^\]]*)\]/g)].at(-1)?.[1];
  if (range === undefined) return none;
  const parts = range.split(",").map((s) => s.trim());
  const [lo, hi, bits] = parts;
  if (lo === undefined || hi === undefined) return none;
  const num = (s: string): number => {
    // ROOT lets titles use pi expressions; accept the common forms.
    const p = s.replace(/\s/g, "").toLowerCase();
    const pm = /^(-?)(\d*\.?\d*)\*?(?:(\d*\.?\d*)\*)?(tmath::)?pi(?:\/(\d+\.?\d*))?(?:\*(\d+\.?\d*))?$/.exec(p);
    if (pm && p.includes("pi")) {
      let v = Math.PI;
      if (pm[2]) v *= Number(pm[2]);
      if (pm[5]) v /= Number(pm[5]);
      if (pm[6]) v *= Number(pm[6]);
      return pm[1] ? -v : v;
    }
    return Number(p);
  };
  const xmin = num(lo);
  const xmax = num(hi);
  let nbits = bits !== undefined ? Number(bits) : 32;
  if (!Number.isFinite(xmin) || !Number.isFinite(xmax)) return none;
  if (!Number.isFinite(nbits) || nbits < 2 || nbits > 32) nbits = 32;
  // No usable range: ROOT then stores a truncated mantissa of nbits bits (if nbits < 15).
  if (xmax <= xmin) return nbits < 15 ? { xmin: 0, xmax: 0, factor: 0, nbits } : none;
  const bigbits = type === T.Float16 && nbits > 16 ? 16 : nbits;
  const factor = bigbits === 32 ? 0xffffffff / (xmax - xmin) : ((1 << bigbits) >>> 0) / (xmax - xmin);
  return { xmin, xmax, factor, nbits: bigbits };
}
