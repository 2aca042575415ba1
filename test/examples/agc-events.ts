/** Hand-made NanoAOD-like events for the AGC tests, turned into an EventChunk over in-memory columns. */
import { EventChunk, withRecordViews } from "../../src/analysis/index.js";
import { Jagged } from "../../src/util/index.js";
import type { Columns } from "../../src/util/index.js";

export interface Lepton {
  pt: number;
  eta: number;
  id: number;
  sip3d: number;
  iso?: number;
  phi?: number;
  mass?: number;
}
export interface Jet {
  pt: number;
  eta: number;
  phi: number;
  mass: number;
  btag: number;
  jetId: number;
  qgl?: number;
}
export interface Ev {
  electrons?: Lepton[];
  muons?: Lepton[];
  jets: Jet[];
  event?: number;
}

export const goodMuon: Lepton = { pt: 40, eta: 0.5, id: 1, sip3d: 1, iso: 0.05 };
export const jet = (pt: number, btag = 0.1, over: Partial<Jet> = {}): Jet => ({ pt, eta: 0.3, phi: 0.7, mass: 8, btag, jetId: 6, ...over });

function jagged<T>(events: Ev[], get: (e: Ev) => T[], field: (x: T) => number, Arr: Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor): Jagged {
  const offsets = new Int32Array(events.length + 1);
  const vals: number[] = [];
  events.forEach((e, i) => {
    const xs = get(e);
    offsets[i + 1] = offsets[i]! + xs.length;
    for (const x of xs) vals.push(field(x));
  });
  return new Jagged(offsets, Arr.from(vals));
}

/** NanoAOD columns with NanoAOD leaf types (float32 kinematics, int32 IDs, bool tightId). */
export function columnsOf(events: Ev[]): Columns {
  const el = (e: Ev) => e.electrons ?? [],
    mu = (e: Ev) => e.muons ?? [],
    j = (e: Ev) => e.jets;
  return {
    Electron_pt: jagged(events, el, (x) => x.pt, Float32Array),
    Electron_eta: jagged(events, el, (x) => x.eta, Float32Array),
    Electron_cutBased: jagged(events, el, (x) => x.id, Int32Array),
    Electron_sip3d: jagged(events, el, (x) => x.sip3d, Float32Array),
    Muon_pt: jagged(events, mu, (x) => x.pt, Float32Array),
    Muon_eta: jagged(events, mu, (x) => x.eta, Float32Array),
    Muon_tightId: jagged(events, mu, (x) => x.id, Uint8Array),
    Muon_sip3d: jagged(events, mu, (x) => x.sip3d, Float32Array),
    Muon_pfRelIso04_all: jagged(events, mu, (x) => x.iso ?? 0, Float32Array),
    Jet_pt: jagged(events, j, (x) => x.pt, Float32Array),
    Jet_eta: jagged(events, j, (x) => x.eta, Float32Array),
    Jet_phi: jagged(events, j, (x) => x.phi, Float32Array),
    Jet_mass: jagged(events, j, (x) => x.mass, Float32Array),
    Jet_btagCSVV2: jagged(events, j, (x) => x.btag, Float32Array),
    Jet_jetId: jagged(events, j, (x) => x.jetId, Int32Array),
    // the ML variant's extra columns (spec §7.3)
    Jet_qgl: jagged(events, j, (x) => x.qgl ?? 0.5, Float32Array),
    Electron_phi: jagged(events, el, (x) => x.phi ?? 0, Float32Array),
    Electron_mass: jagged(events, el, (x) => x.mass ?? 0.000511, Float32Array),
    Muon_phi: jagged(events, mu, (x) => x.phi ?? 0, Float32Array),
    Muon_mass: jagged(events, mu, (x) => x.mass ?? 0.1057, Float32Array),
    event: BigUint64Array.from(events.map((e, i) => BigInt(e.event ?? i))),
  };
}

/** An EventChunk serving these events with every column preloaded (as the executor does). */
export async function chunkOf(events: Ev[], columns: readonly string[]) {
  const cols = columnsOf(events);
  const chunk = new EventChunk(0, events.length, Object.keys(cols), async (names) => Object.fromEntries(names.map((n) => [n, cols[n]!])), "hand-made");
  await chunk.load(...columns);
  return withRecordViews(chunk);
}
