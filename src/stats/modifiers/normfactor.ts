/** normfactor: a free multiplicative normalisation θ on every bin of the samples it is attached to. */
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";
import { placementTerms } from "./types.js";

/** Collects normfactor placements and compiles them to θ·(sample) factors. */
export class NormFactorKind implements ModifierKind {
  readonly type = "normfactor";
  private placements: Placement<null>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(private readonly layout: Layout) {}

  add(p: Placement<unknown>): void {
    this.placements.push(p as Placement<null>);
    if (!this.reqs.has(p.name)) {
      this.reqs.set(p.name, [{ type: this.type, n: 1, scalar: true, constraint: null, inits: [1], bounds: [[0, 10]], fixed: [false] }]);
    }
  }

  requirements(): Map<string, ParamRequirement[]> {
    return this.reqs;
  }

  compile(offsets: Map<string, number>): TermBlock | null {
    return placementTerms(this.placements, this.layout, offsets, false);
  }
}
