/** lumi: one Gaussian-constrained luminosity scale; its init, bounds, auxdata and sigma come from the measurement. */
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";
import { placementTerms } from "./types.js";

/** Collects lumi placements; the parameter settings must be given in the measurement (as in pyhf). */
export class LumiKind implements ModifierKind {
  readonly type = "lumi";
  private placements: Placement<null>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(private readonly layout: Layout) {}

  add(p: Placement<unknown>): void {
    this.placements.push(p as Placement<null>);
    if (!this.reqs.has(p.name)) {
      this.reqs.set(p.name, [{ type: this.type, n: 1, scalar: true, constraint: "normal", inits: null, bounds: null, fixed: [false], auxdata: null, sigmas: null }]);
    }
  }

  requirements(): Map<string, ParamRequirement[]> {
    return this.reqs;
  }

  compile(offsets: Map<string, number>): TermBlock | null {
    return placementTerms(this.placements, this.layout, offsets, false);
  }
}
