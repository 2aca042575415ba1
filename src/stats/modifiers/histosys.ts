/** histosys: a Gaussian-constrained shape uncertainty, an additive shift interpolated with code 0, 2 or 4p. */
import { HepflowError } from "../../util/index.js";
import type { HistoSysData } from "../spec.js";
import type { Layout, ModifierKind, ParamRequirement, Placement, TermBlock } from "./types.js";

/** Collects histosys placements and compiles them to per-bin additive shifts. */
export class HistoSysKind implements ModifierKind {
  readonly type = "histosys";
  private placements: Placement<HistoSysData>[] = [];
  private reqs = new Map<string, ParamRequirement[]>();
  constructor(
    private readonly layout: Layout,
    private readonly interpcode: "code0" | "code2" | "code4p",
  ) {}

  add(p: Placement<unknown>): void {
    const q = p as Placement<HistoSysData>;
    const n = this.layout.channelNbins[q.channel];
    if (q.data.lo_data.length !== n || q.data.hi_data.length !== n) {
      throw new HepflowError("MODEL_INVALID", `histosys "${q.name}" has lo_data of length ${q.data.lo_data.length} and hi_data of length ${q.data.hi_data.length}, but the sample has ${n} bins`, { object: q.path });
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
    const { nbins, channelNbins, channelOffset, nominal } = this.layout;
    const target: number[] = [];
    const param: number[] = [];
    const owner: number[] = [];
    const up: number[] = [];
    const dn: number[] = [];
    const pParam = new Int32Array(this.placements.length);
    this.placements.forEach((p, k) => {
      pParam[k] = offsets.get(p.name)!;
      for (let b = 0; b < channelNbins[p.channel]!; b++) {
        const cell = p.sample * nbins + channelOffset[p.channel]! + b;
        // bins where both variations equal the nominal never shift: no entry (adding 0 changes nothing)
        if (p.data.hi_data[b] === nominal[cell] && p.data.lo_data[b] === nominal[cell]) continue;
        target.push(cell);
        param.push(pParam[k]);
        owner.push(k);
        up.push(p.data.hi_data[b]! - nominal[cell]!);
        dn.push(nominal[cell]! - p.data.lo_data[b]!);
      }
    });
    const U = Float64Array.from(up);
    const D = Float64Array.from(dn);
    const own = Int32Array.from(owner);
    const np = this.placements.length;
    // every code is linear in (up, dn) = (hi − nom, nom − lo) with α-dependent weights, so the
    // weights are computed once per modifier placement and applied per bin
    const w = new Float64Array(6 * np);
    const weights = histosysWeights[this.interpcode];
    return {
      op: "delta",
      target: Int32Array.from(target),
      param: Int32Array.from(param),
      evaluate(pars, value, deriv, deriv2) {
        for (let k = 0; k < np; k++) weights(pars[pParam[k]!]!, w, 6 * k);
        for (let i = 0; i < own.length; i++) {
          const o = 6 * own[i]!;
          value[i] = w[o]! * U[i]! + w[o + 1]! * D[i]!;
          deriv[i] = w[o + 2]! * U[i]! + w[o + 3]! * D[i]!;
        }
        if (deriv2) {
          for (let i = 0; i < own.length; i++) {
            const o = 6 * own[i]!;
            deriv2[i] = w[o + 4]! * U[i]! + w[o + 5]! * D[i]!;
          }
        }
      },
    };
  }
}

/**
 * Weights (value, slope, curvature; each on up and on dn) of each interpolation code at α.
 * Code 0 is linear on each side of α = 0, where its slope jumps and where every fit starts: when
 * both variations move the yield the same way the NLL has two minima and the side the first
 * step takes decides which one a fit reaches. We return the right derivative at 0 (the slope a
 * forward difference, as in pyhf's SLSQP, sees) and, for normsys code1, the left one: both
 * choices reproduce pyhf's fits on the reference set.
 */
const histosysWeights: Record<"code0" | "code2" | "code4p", (alpha: number, w: Float64Array, o: number) => void> = {
  code0(alpha, w, o) {
    const pos = alpha >= 0;
    w[o] = pos ? alpha : 0;
    w[o + 1] = pos ? 0 : alpha;
    w[o + 2] = pos ? 1 : 0;
    w[o + 3] = pos ? 0 : 1;
    w[o + 4] = 0;
    w[o + 5] = 0;
  },
  code2(alpha, w, o) {
    // a = (up − dn)/2, b = (up + dn)/2; pyhf: (b + 2a)(α − 1) above 1, a·α² + b·α inside, (b − 2a)(α + 1) below −1
    if (alpha > 1) {
      w[o] = 1.5 * (alpha - 1);
      w[o + 1] = -0.5 * (alpha - 1);
      w[o + 2] = 1.5;
      w[o + 3] = -0.5;
      w[o + 4] = 0;
      w[o + 5] = 0;
    } else if (alpha >= -1) {
      const a2 = 0.5 * alpha * alpha;
      w[o] = a2 + 0.5 * alpha;
      w[o + 1] = -a2 + 0.5 * alpha;
      w[o + 2] = alpha + 0.5;
      w[o + 3] = -alpha + 0.5;
      w[o + 4] = 1;
      w[o + 5] = -1;
    } else {
      w[o] = -0.5 * (alpha + 1);
      w[o + 1] = 1.5 * (alpha + 1);
      w[o + 2] = -0.5;
      w[o + 3] = 1.5;
      w[o + 4] = 0;
      w[o + 5] = 0;
    }
  },
  code4p(alpha, w, o) {
    if (alpha > 1) {
      w[o] = alpha;
      w[o + 1] = 0;
      w[o + 2] = 1;
      w[o + 3] = 0;
      w[o + 4] = 0;
      w[o + 5] = 0;
    } else if (alpha < -1) {
      w[o] = 0;
      w[o + 1] = alpha;
      w[o + 2] = 0;
      w[o + 3] = 1;
      w[o + 4] = 0;
      w[o + 5] = 0;
    } else {
      // α·S + α²(3α⁴ − 10α² + 15)·A with S = (up + dn)/2, A = (up − dn)/16
      const a2 = alpha * alpha;
      const p = a2 * (a2 * (a2 * 3 - 10) + 15) * 0.0625;
      const dp = alpha * (30 + a2 * (-40 + a2 * 18)) * 0.0625;
      const d2p = (30 + a2 * (-120 + a2 * 90)) * 0.0625;
      w[o] = 0.5 * alpha + p;
      w[o + 1] = 0.5 * alpha - p;
      w[o + 2] = 0.5 + dp;
      w[o + 3] = 0.5 - dp;
      w[o + 4] = d2p;
      w[o + 5] = -d2p;
    }
  },
};
