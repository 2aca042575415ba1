/**
 * A Drell–Yan Z/γ* → e⁺e⁻ sample in NanoAOD shape, for the delivery example: the dilepton mass
 * follows a Breit–Wigner at the Z (m = 91.1876 GeV, Γ = 2.4952 GeV, PDG) on top of a falling γ*
 * continuum, the Z recoils with a few GeV of pT and a rapidity spread over the detector, the
 * electrons are measured with a 2 % pT resolution inside |η| < 2.5, and some events carry an
 * extra soft (fake) electron. Round numbers, not a fit to data: enough for a visible Z peak.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Jagged, type Columns } from "../util/index.js";
import { createFile, type TreeSchema } from "../root/index.js";
import { Rng } from "./rng.js";

const M_Z = 91.1876,
  W_Z = 2.4952,
  M_E = 0.000511;

export const ZEE_SCHEMA: TreeSchema = [
  { name: "run", type: "u32" },
  { name: "event", type: "u64" },
  { name: "nElectron", type: "u32" },
  { name: "Electron_pt", type: "f32", counter: "nElectron" },
  { name: "Electron_eta", type: "f32", counter: "nElectron" },
  { name: "Electron_phi", type: "f32", counter: "nElectron" },
  { name: "Electron_mass", type: "f32", counter: "nElectron" },
  { name: "Electron_charge", type: "i32", counter: "nElectron" },
  { name: "MET_pt", type: "f32" },
];

/** Columns of `n` events starting at event number `first`. */
export function zeeChunk(rng: Rng, n: number, first: number): Columns {
  const counts = new Uint32Array(n);
  const cap = n * 3;
  const pt = new Float32Array(cap),
    eta = new Float32Array(cap),
    phi = new Float32Array(cap),
    mass = new Float32Array(cap),
    q = new Int32Array(cap);
  const met = new Float32Array(n),
    event = new BigUint64Array(n),
    run = new Uint32Array(n).fill(1);
  let k = 0;
  const lep = new Float64Array(8); // pt, eta, phi, q for two leptons
  for (let i = 0; i < n; i++) {
    event[i] = BigInt(first + i + 1);
    // 85 % resonant Z, 15 % γ* continuum falling like 1/m² above 40 GeV
    let m: number;
    if (rng.uniform() < 0.85) {
      do m = M_Z + (W_Z / 2) * Math.tan(Math.PI * (rng.uniform() - 0.5));
      while (m < 50 || m > 150);
    } else m = 40 / (1 - rng.uniform() * (1 - 40 / 150));
    const zpt = rng.exponential(7),
      zphi = 2 * Math.PI * rng.uniform(),
      y = 2.4 * (2 * rng.uniform() - 1);
    const mt = Math.sqrt(m * m + zpt * zpt);
    const zpx = zpt * Math.cos(zphi),
      zpy = zpt * Math.sin(zphi),
      zpz = mt * Math.sinh(y),
      ze = mt * Math.cosh(y);
    // isotropic decay in the Z frame, boosted to the lab
    const cos = 2 * rng.uniform() - 1,
      sin = Math.sqrt(1 - cos * cos),
      ph = 2 * Math.PI * rng.uniform();
    const p = m / 2;
    const bx = zpx / ze,
      by = zpy / ze,
      bz = zpz / ze,
      g = ze / m;
    let nl = 0;
    for (const s of [1, -1]) {
      const rx = s * p * sin * Math.cos(ph),
        ry = s * p * sin * Math.sin(ph),
        rz = s * p * cos;
      const bp = bx * rx + by * ry + bz * rz;
      const f = ((g * g) / (g + 1)) * bp + g * p;
      const px = rx + f * bx,
        py = ry + f * by,
        pz = rz + f * bz;
      const lpt = Math.hypot(px, py) * (1 + 0.02 * rng.normal());
      const leta = Math.asinh(pz / Math.hypot(px, py));
      if (lpt < 5 || Math.abs(leta) > 2.5) continue;
      lep[nl * 4] = lpt;
      lep[nl * 4 + 1] = leta;
      lep[nl * 4 + 2] = Math.atan2(py, px);
      lep[nl * 4 + 3] = s;
      nl++;
    }
    if (nl === 2 && lep[4]! > lep[0]!)
      for (let j = 0; j < 4; j++) {
        const t = lep[j]!;
        lep[j] = lep[4 + j]!;
        lep[4 + j] = t;
      }
    for (let j = 0; j < nl; j++) {
      pt[k] = lep[j * 4]!;
      eta[k] = lep[j * 4 + 1]!;
      phi[k] = lep[j * 4 + 2]!;
      mass[k] = M_E;
      q[k] = lep[j * 4 + 3]!;
      k++;
    }
    counts[i] = nl;
    if (rng.uniform() < 0.15) {
      pt[k] = 5 + rng.exponential(4);
      eta[k] = 2.5 * (2 * rng.uniform() - 1);
      phi[k] = Math.PI * (2 * rng.uniform() - 1);
      mass[k] = M_E;
      q[k] = rng.uniform() < 0.5 ? -1 : 1;
      k++;
      counts[i]!++;
    }
    met[i] = Math.abs(rng.normal()) * 10;
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
  const j = <T extends Float32Array | Int32Array>(a: T): Jagged => new Jagged(offsets, a.slice(0, k));
  return {
    run,
    event,
    nElectron: counts,
    Electron_pt: j(pt),
    Electron_eta: j(eta),
    Electron_phi: j(phi),
    Electron_mass: j(mass),
    Electron_charge: j(q),
    MET_pt: met,
  };
}

export interface ZeeOptions {
  out: string;
  events: number;
  files?: number;
  seed?: number;
  compression?: string;
}

/** Writes `files` ROOT files of Drell–Yan events into `out` (tree `Events`); returns their paths. */
export async function generateZee(o: ZeeOptions): Promise<string[]> {
  const files = o.files ?? 4;
  fs.mkdirSync(o.out, { recursive: true });
  const paths: string[] = [];
  const per = Math.ceil(o.events / files);
  for (let f = 0; f < files; f++) {
    const n = Math.min(per, o.events - f * per);
    if (n <= 0) break;
    const p = path.join(o.out, `dy_ee_${String(f).padStart(3, "0")}.root`);
    const w = await createFile(p, { compression: o.compression ?? "zstd:3" });
    try {
      const t = w.writeTree("Events", ZEE_SCHEMA, { title: "Drell-Yan Z/gamma* -> ee" });
      const rng = new Rng(`zee/${o.seed ?? 1}/${f}`);
      for (let d = 0; d < n; d += 100_000) {
        const m = Math.min(100_000, n - d);
        t.write(zeeChunk(rng, m, f * per + d));
      }
      await w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    paths.push(p);
  }
  return paths;
}
