/** normsys: a Gaussian-constrained normalisation uncertainty, interpolated with code 1, code 4, or Combine's lnN (datacards). */
import { HepflowError } from "../../util/index.js";
import { code1, code4, code4Coefficients, combineAsymPow } from "../interpolation.js";
import type { NormSysData } from "../spec.js";
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";

/** Collects normsys placements and compiles them to interpolated factors (one per sample and bin). */
export class NormSysKind implements ModifierKind {
  readonly type = "normsys";
  private placements: Placement<NormSysData>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(
    private readonly layout: Layout,
    private readonly interpcode: "code1" | "code4" | "combine",
  ) {}

  add(p: Placement<unknown>): void {
    const q = p as Placement<NormSysData>;
    if (this.interpcode !== "code1" && !(q.data.hi > 0 && q.data.lo > 0)) {
      throw new HepflowError("MODEL_INVALID", `normsys "${q.name}" needs hi > 0 and lo > 0 for interpolation ${this.interpcode} (got lo=${q.data.lo}, hi=${q.data.hi})`, { object: q.path });
    }
    this.placements.push(q);
    if (!this.reqs.has(p.name)) {
      this.reqs.set(p.name, [{ type: this.type, n: 1, scalar: true, constraint: "normal", inits: [0], bounds: [[-5, 5]], fixed: [false], auxdata: [0] }]);
    }
  }

  requirements(): Map<string, ParamRequirement[]> {
    return this.reqs;
  }

  compile(offsets: Map<string, number>): TermBlock | null {
    if (!this.placements.length) return null;
    const { nbins, channelNbins, channelOffset } = this.layout;
    // the factor is the same for every bin of a placement: evaluate once per placement, then spread
    const np = this.placements.length;
    const lo = new Float64Array(np);
    const hi = new Float64Array(np);
    const pParam = new Int32Array(np);
    const coeffs = new Float64Array(6 * np);
    const target: number[] = [];
    const param: number[] = [];
    const owner: number[] = [];
    this.placements.forEach((p, k) => {
      lo[k] = p.data.lo;
      hi[k] = p.data.hi;
      pParam[k] = offsets.get(p.name)!;
      if (this.interpcode === "code4") coeffs.set(code4Coefficients(p.data.lo, p.data.hi), 6 * k);
      for (let b = 0; b < channelNbins[p.channel]!; b++) {
        target.push(p.sample * nbins + channelOffset[p.channel]! + b);
        param.push(pParam[k]);
        owner.push(k);
      }
    });
    const own = Int32Array.from(owner);
    const v = new Float64Array(np);
    const dv = new Float64Array(np);
    const d2v = new Float64Array(np);
    const code = this.interpcode;
    return {
      op: "factor",
      target: Int32Array.from(target),
      param: Int32Array.from(param),
      evaluate(pars, value, deriv, deriv2) {
        for (let k = 0; k < np; k++) {
          if (code === "code4") code4(pars[pParam[k]!]!, lo[k]!, hi[k]!, coeffs, 6 * k, v, k, dv, d2v);
          else if (code === "combine") combineAsymPow(pars[pParam[k]!]!, lo[k]!, hi[k]!, v, k, dv, d2v);
          else code1(pars[pParam[k]!]!, lo[k]!, hi[k]!, v, k, dv, d2v);
        }
        for (let i = 0; i < own.length; i++) {
          value[i] = v[own[i]!]!;
          deriv[i] = dv[own[i]!]!;
        }
        if (deriv2) for (let i = 0; i < own.length; i++) deriv2[i] = d2v[own[i]!]!;
      },
    };
  }
}
