/**
 * staterror: MC statistical uncertainty, one Gaussian-constrained γ per bin shared by all samples
 * carrying the modifier. σ_i = sqrt(Σ_s δ_si²) / Σ_s nominal_si (over the samples that carry it);
 * bins with σ = 0 get a parameter fixed at 1 (σ set to 1 so the constraint stays finite), as pyhf.
 */
import { HepflowError } from "../../util/index.js";
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";
import { linearTerms } from "./types.js";

interface StatErrorSet {
  placements: Placement<number[]>[];
  /** Global bins covered, ascending; the parameter index is the position in this list. */
  bins: number[];
}

/** Collects staterror placements by name and compiles the per-bin γ factors. */
export class StatErrorKind implements ModifierKind {
  readonly type = "staterror";
  private sets = new Map<string, StatErrorSet>();
  constructor(private readonly layout: Layout) {}

  add(p: Placement<unknown>): void {
    const q = p as Placement<number[]>;
    const n = this.layout.channelNbins[q.channel];
    if (q.data.length !== n) {
      throw new HepflowError("MODEL_INVALID", `staterror "${q.name}" has ${q.data.length} values but the sample has ${n} bins`, { object: q.path });
    }
    const set = this.sets.get(q.name) ?? { placements: [], bins: [] };
    set.placements.push(q);
    this.sets.set(q.name, set);
  }

  private finalize(): void {
    for (const set of this.sets.values()) {
      const covered = new Set<number>();
      for (const p of set.placements) {
        for (let b = 0; b < this.layout.channelNbins[p.channel]!; b++) covered.add(this.layout.channelOffset[p.channel]! + b);
      }
      set.bins = [...covered].sort((a, b) => a - b);
    }
  }

  requirements(): Map<string, ParamRequirement[]> {
    this.finalize();
    const { nbins, nominal, channelOffset } = this.layout;
    const out = new Map<string, ParamRequirement[]>();
    // pyhf registers staterror sets in sorted name order
    for (const name of [...this.sets.keys()].sort()) {
      const set = this.sets.get(name)!;
      const samples = [...new Set(set.placements.map((p) => p.sample))];
      const uncrt = new Float64Array(this.layout.samples.length * nbins);
      for (const p of set.placements) {
        for (let b = 0; b < p.data.length; b++) uncrt[p.sample * nbins + channelOffset[p.channel]! + b] = p.data[b]!;
      }
      const sigmas: number[] = [];
      const fixed: boolean[] = [];
      for (const g of set.bins) {
        let nomsum = 0;
        for (const s of samples) nomsum += nominal[s * nbins + g]!;
        let rel2 = 0;
        if (nomsum > 0) {
          for (const s of samples) {
            const r = uncrt[s * nbins + g]! / nomsum;
            rel2 += r * r;
          }
        }
        const sigma = Math.sqrt(rel2);
        fixed.push(sigma === 0);
        sigmas.push(sigma === 0 ? 1 : sigma);
      }
      const n = set.bins.length;
      out.set(name, [
        {
          type: this.type,
          n,
          scalar: false,
          constraint: "normal",
          inits: new Array(n).fill(1),
          bounds: new Array(n).fill(0).map(() => [1e-10, 10] as [number, number]),
          fixed,
          auxdata: new Array(n).fill(1),
          sigmas,
        },
      ]);
    }
    return out;
  }

  compile(offsets: Map<string, number>): TermBlock | null {
    if (!this.sets.size) return null;
    const target: number[] = [];
    const param: number[] = [];
    const { nbins, channelNbins, channelOffset } = this.layout;
    for (const [name, set] of this.sets) {
      const slot = new Map(set.bins.map((g, i) => [g, i]));
      for (const p of set.placements) {
        for (let b = 0; b < channelNbins[p.channel]!; b++) {
          const g = channelOffset[p.channel]! + b;
          target.push(p.sample * nbins + g);
          param.push(offsets.get(name)! + slot.get(g)!);
        }
      }
    }
    return linearTerms(target, param);
  }
}
