/**
 * Yield tables per channel and sample, pre-fit and post-fit, with uncertainties propagated
 * linearly: each parameter is varied by ±1σ, the symmetric shift (up − down)/2 is its effect,
 * and effects combine through the correlation matrix (diagonal pre-fit, the fit's post-fit),
 * as cabinetry's yield_stdev does.
 */
import { HepflowError, itemAt } from "../../util/index.js";
import type { Model } from "../model.js";
import type { FitResult } from "../infer/mle.js";
import { checkResult, prefitParameters } from "./prefit.js";

/** Yields of one channel: per sample and total, per bin and summed, with uncertainties. */
export interface ChannelYields {
  channel: string;
  samples: { name: string; bins: number[]; binUncertainties: number[]; total: number; uncertainty: number }[];
  total: { bins: number[]; binUncertainties: number[]; total: number; uncertainty: number };
  data: { bins: number[]; total: number };
}

/** Model yields at `pars` with per-parameter widths `sigma` and correlation `corr` (null = uncorrelated). */
export function yieldTable(model: Model, data: ArrayLike<number>, pars: ArrayLike<number>, sigma: ArrayLike<number>, corr: ArrayLike<number>[] | null): ChannelYields[] {
  const c = model.config;
  const p0 = Float64Array.from(pars);
  const nominal = model.expectedBySample(p0);
  const samples = Object.keys(nominal);
  // quantities: per sample per bin, per sample per channel total, per bin total, per channel total
  const quantities = (bySample: Record<string, Float64Array>): Float64Array => {
    const out: number[] = [];
    for (const ch of c.channels) {
      const [lo, hi] = c.channelSlice(ch);
      const totals = new Float64Array(hi - lo);
      for (const s of samples) {
        const y = bySample[s];
        if (y === undefined) throw new HepflowError("MODEL_INVALID", `the model gave no yields for sample "${s}"`);
        let sum = 0;
        // [lo, hi) is the channel's slice of the model's bins
        for (let b = lo; b < hi; b++) {
          out.push(y[b]!);
          totals[b - lo]! += y[b]!;
          sum += y[b]!;
        }
        out.push(sum);
      }
      out.push(
        ...totals,
        totals.reduce((a, b) => a + b, 0),
      );
    }
    return Float64Array.from(out);
  };
  const q0 = quantities(nominal);
  const effects: { index: number; delta: Float64Array }[] = [];
  for (let i = 0; i < c.npars; i++) {
    const s = itemAt(sigma, i, `uncertainty of ${c.parameterNames[i]}`, "PARS_INVALID");
    if (!(s > 0)) continue;
    const up = Float64Array.from(p0);
    const dn = Float64Array.from(p0);
    up[i]! += s;
    dn[i]! -= s;
    const qu = quantities(model.expectedBySample(up));
    const qd = quantities(model.expectedBySample(dn));
    effects.push({ index: i, delta: qu.map((u, k) => (u - qd[k]!) / 2) });
  }
  const variance = new Float64Array(q0.length);
  // the correlation matrix may come from a stored fit result: a missing entry is its fault
  const rhoOf = (a: number, b: number) => itemAt(itemAt(corr ?? [], a, `correlation row ${a}`, "PARS_INVALID"), b, `correlation (${a}, ${b})`, "PARS_INVALID");
  for (const ea of effects) {
    for (const eb of effects) {
      const rho = ea === eb ? 1 : corr ? rhoOf(ea.index, eb.index) : 0;
      if (rho === 0) continue;
      const da = ea.delta,
        db = eb.delta;
      // every delta has q0.length entries (quantities of the same model)
      for (let k = 0; k < q0.length; k++) variance[k]! += rho * da[k]! * db[k]!;
    }
  }
  const sd = variance.map((v) => Math.sqrt(Math.max(v, 0)));
  const tables: ChannelYields[] = [];
  let k = 0;
  for (const ch of c.channels) {
    const [lo, hi] = c.channelSlice(ch);
    const n = hi - lo;
    const t: ChannelYields = {
      channel: ch,
      samples: [],
      total: { bins: [], binUncertainties: [], total: 0, uncertainty: 0 },
      data: { bins: Array.from({ length: n }, (_, b) => itemAt(data, lo + b, `observed count in bin ${b} of channel "${ch}"`, "DATA_INVALID")), total: 0 },
    };
    t.data.total = t.data.bins.reduce((x, y) => x + y, 0);
    for (const s of samples) {
      t.samples.push({ name: s, bins: Array.from(q0.subarray(k, k + n)), binUncertainties: Array.from(sd.subarray(k, k + n)), total: q0[k + n]!, uncertainty: sd[k + n]! });
      k += n + 1;
    }
    t.total = { bins: Array.from(q0.subarray(k, k + n)), binUncertainties: Array.from(sd.subarray(k, k + n)), total: q0[k + n]!, uncertainty: sd[k + n]! };
    k += n + 1;
    tables.push(t);
  }
  return tables;
}

/** Pre-fit yields: suggested init, pre-fit widths, no correlations. */
export function prefitYields(model: Model, data: ArrayLike<number>): ChannelYields[] {
  const pre = prefitParameters(model);
  return yieldTable(model, data, pre.init, pre.width, null);
}

/** Post-fit yields: best fit, fitted uncertainties, the fit's correlation matrix. */
export function postfitYields(model: Model, data: ArrayLike<number>, result: FitResult): ChannelYields[] {
  checkResult(model, result);
  if (!result.correlation) throw new HepflowError("FIT_NO_COVARIANCE", "post-fit yields need the fit's correlation matrix (the Hessian was not invertible)");
  return yieldTable(model, data, result.bestfit, result.uncertainties, result.correlation);
}
