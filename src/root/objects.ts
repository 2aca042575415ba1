import { HepflowError } from "../util/index.js";
import type { RootFile } from "./file.js";
import type { Key } from "./key.js";
import type { RootAxis, RootHistogram } from "./histogram.js";
import { isUnsupported, readKeyObject, type RootList, type RootObject } from "./streamers/index.js";

const HISTOGRAM = /^(TH[123][CSIFDL]?|TProfile|TProfile2D)$/;

/**
 * Reads a stored object by its class's streamer: histograms as `RootHistogram`, TObjString as a
 * string, anything else as a plain object of its members by name.
 */
export async function readObject(file: RootFile, key: Key): Promise<unknown> {
  try {
    return await readObjectUnchecked(file, key);
  } catch (e) {
    if (e instanceof HepflowError) throw e;
    throw new HepflowError("ROOT_CORRUPT", `could not decode ${key.className} (${e instanceof Error ? e.message : String(e)}); the file is probably damaged`, { file: file.name, object: key.name }, { cause: e });
  }
}

async function readObjectUnchecked(file: RootFile, key: Key): Promise<unknown> {
  const streamers = await file.streamerInfos();
  const obj = await readKeyObject(file, key, streamers);
  const place = { file: file.name, object: key.name };
  if (isUnsupported(obj)) throw new HepflowError("ROOT_UNSUPPORTED", `objects of class ${key.className} cannot be read: ${obj._unsupported}`, place);
  if (isObjString(obj)) return obj.fString;
  if (HISTOGRAM.test(key.className)) return toHistogram(obj as RootObject, key.className, place);
  return obj;
}

function isObjString(o: unknown): o is { fString: string } {
  return typeof o === "object" && o !== null && (o as RootObject)._class === "TObjString";
}

function f64(v: unknown): Float64Array | undefined {
  if (v instanceof Float64Array) return v;
  if (Array.isArray(v)) return Float64Array.from(v.map(Number));
  return undefined;
}

function axis(a: RootObject | undefined): RootAxis {
  const nbins = Number(a?.fNbins ?? 0);
  const out: RootAxis = { nbins, xmin: Number(a?.fXmin ?? 0), xmax: Number(a?.fXmax ?? 0), title: String(a?.fTitle ?? "") };
  const edges = f64(a?.fXbins);
  if (edges && edges.length === nbins + 1) out.edges = edges;
  const labels = (a?.fLabels as RootList | null | undefined)?.items;
  if (labels && labels.length > 0) {
    const l = new Array<string>(nbins).fill("");
    for (const item of labels) {
      if (!isObjString(item)) continue;
      const bin = Number((item as unknown as RootObject).fUniqueID);
      if (bin >= 1 && bin <= nbins) l[bin - 1] = item.fString;
    }
    out.labels = l;
  }
  return out;
}

/** Converts a TH1/TH2/TH3/TProfile object (as read by its streamer) into the plain histogram shape. */
function toHistogram(h: RootObject, className: string, place: { file: string; object: string }): RootHistogram {
  const dimension = /^TH3|3D$/.test(className) ? 3 : /^TH2|2D$/.test(className) ? 2 : 1;
  const xaxis = axis(h.fXaxis as RootObject);
  const yaxis = dimension >= 2 ? axis(h.fYaxis as RootObject) : undefined;
  const zaxis = dimension === 3 ? axis(h.fZaxis as RootObject) : undefined;
  const ncells = (xaxis.nbins + 2) * (yaxis ? yaxis.nbins + 2 : 1) * (zaxis ? zaxis.nbins + 2 : 1);
  const contents = f64(h.fArray);
  if (!contents || contents.length !== ncells) {
    throw new HepflowError("ROOT_CORRUPT", `${className} has ${contents?.length ?? 0} bin contents, expected ${ncells} from its axes`, place);
  }
  const sumw2 = f64(h.fSumw2);
  const stats: RootHistogram["stats"] = {
    tsumw: Number(h.fTsumw ?? 0),
    tsumw2: Number(h.fTsumw2 ?? 0),
    tsumwx: Number(h.fTsumwx ?? 0),
    tsumwx2: Number(h.fTsumwx2 ?? 0),
  };
  if (dimension >= 2 && h.fTsumwy !== undefined) {
    stats.tsumwy = Number(h.fTsumwy);
    stats.tsumwy2 = Number(h.fTsumwy2);
    stats.tsumwxy = Number(h.fTsumwxy);
  }
  const out: RootHistogram = {
    className,
    name: String(h.fName ?? ""),
    title: String(h.fTitle ?? ""),
    dimension,
    xaxis,
    contents,
    entries: Number(h.fEntries ?? 0),
    stats,
  };
  if (yaxis) out.yaxis = yaxis;
  if (zaxis) out.zaxis = zaxis;
  if (className.startsWith("TProfile")) {
    const binEntries = f64(h.fBinEntries) ?? new Float64Array(ncells);
    const profile: NonNullable<RootHistogram["profile"]> = {
      binEntries,
      sumwy2: sumw2 && sumw2.length === ncells ? sumw2 : new Float64Array(ncells),
      errorMode: Number(h.fErrorMode ?? 0),
      ymin: Number(h.fYmin ?? h.fZmin ?? 0),
      ymax: Number(h.fYmax ?? h.fZmax ?? 0),
    };
    const binSumw2 = f64(h.fBinSumw2);
    if (binSumw2 && binSumw2.length === ncells) profile.binSumw2 = binSumw2;
    out.profile = profile;
    if (className === "TProfile" && h.fTsumwy !== undefined) {
      stats.tsumwy = Number(h.fTsumwy);
      stats.tsumwy2 = Number(h.fTsumwy2);
    }
  } else if (sumw2 && sumw2.length === ncells) {
    out.sumw2 = sumw2;
  }
  return out;
}
