/** shapefactor: one free factor per bin of the channel; shared names share the per-bin factors across channels. */
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";
import { placementTerms } from "./types.js";

/** Collects shapefactor placements; bin j of any channel uses parameter j of the set. */
export class ShapeFactorKind implements ModifierKind {
  readonly type = "shapefactor";
  private placements: Placement<null>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(private readonly layout: Layout) {}

  add(p: Placement<unknown>): void {
    this.placements.push(p as Placement<null>);
    const n = this.layout.channelNbins[p.channel]!;
    if (this.reqs.has(p.name)) return;
    this.reqs.set(p.name, [
      {
        type: this.type,
        n,
        scalar: false,
        constraint: null,
        inits: new Array(n).fill(1),
        bounds: new Array(n).fill(0).map(() => [0, 10] as [number, number]),
        fixed: new Array(n).fill(false),
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
