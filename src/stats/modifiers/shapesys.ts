/**
 * shapesys: per-bin uncorrelated uncertainties with a Poisson (Barlow–Beeston-lite) constraint.
 * Bin i gets γ_i with auxdata τ_i = (nominal_i / σ_i)²; bins with zero yield or zero σ keep a
 * parameter fixed at 1 with τ = 1, as in pyhf.
 */
import { HepflowError } from "../../util/index.js";
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";
import { placementTerms } from "./types.js";

/** Collects shapesys placements (names may not be shared) and compiles per-bin γ factors. */
export class ShapeSysKind implements ModifierKind {
  readonly type = "shapesys";
  private placements: Placement<number[]>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(private readonly layout: Layout) {}

  add(p: Placement<unknown>): void {
    const q = p as Placement<number[]>;
    const n = this.layout.channelNbins[q.channel];
    if (this.reqs.has(q.name)) {
      throw new HepflowError("MODEL_INVALID", `shapesys "${q.name}" is used more than once; shapesys parameters cannot be shared (use distinct names)`, { object: q.path });
    }
    if (q.data.length !== n) {
      throw new HepflowError("MODEL_INVALID", `shapesys "${q.name}" has ${q.data.length} values but the sample has ${n} bins`, { object: q.path });
    }
    this.placements.push(q);
    const { nominal, nbins, channelOffset } = this.layout;
    const factors: number[] = [];
    const fixed: boolean[] = [];
    for (let b = 0; b < n; b++) {
      const nom = nominal[q.sample * nbins + channelOffset[q.channel]! + b]!;
      const unc = q.data[b]!;
      const valid = nom > 0 && unc > 0;
      factors.push(valid ? (nom * nom) / (unc * unc) : 1);
      fixed.push(!valid);
    }
    this.reqs.set(q.name, [
      {
        type: this.type,
        n,
        scalar: false,
        constraint: "poisson",
        inits: new Array(n).fill(1),
        bounds: new Array(n).fill(0).map(() => [1e-10, 10] as [number, number]),
        fixed,
        auxdata: factors,
        factors: factors.slice(),
      },
    ]);
  }

  requirements(): Map<string, ParamRequirement[]> {
    return this.reqs;
  }

  compile(offsets: Map<string, number>): TermBlock | null {
    return placementTerms(this.placements, this.layout, offsets, true);
  }
}
