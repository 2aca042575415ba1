/**
 * The asymptotic calculator (Cowan, Cranmer, Gross, Vitells, arXiv:1007.1727) as pyhf implements
 * it: Asimov data from a fit at mu = 0 (mu = 1 for q0), the test statistic in √q − √q_A form
 * (qtilde switches to (q − q_A)/(2√q_A) past √q_A), normal tail probabilities, and the expected
 * band at the background-only quantiles −2σ…+2σ.
 */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import { normalCdf } from "../special.js";
import { fit, fixedPoiFit } from "./mle.js";
import type { FitOptions, FitResult } from "./mle.js";
import { testStatistic } from "./teststat.js";
import type { TestStatName } from "./teststat.js";

/** An expected band at −2σ, −1σ, median, +1σ, +2σ: a 5-tuple, so its entries need no range check. */
export type ExpectedBand = [number, number, number, number, number];

/** A position in an ExpectedBand. */
export type BandIndex = 0 | 1 | 2 | 3 | 4;

/** The band whose entry k is `f(k)`, evaluated in order −2σ … +2σ. */
export function band(f: (k: BandIndex) => number): ExpectedBand {
  return [f(0), f(1), f(2), f(3), f(4)];
}

/** The band of `f` applied to each entry of `b`. */
export function mapBand(b: Readonly<ExpectedBand>, f: (x: number, k: BandIndex) => number): ExpectedBand {
  return band((k) => f(b[k], k));
}

/** CLs, CLs+b, CLb for the observed data and the expected band. */
export interface HypotestResult {
  mu: number;
  cls: number;
  clsb: number;
  clb: number;
  /** Expected CLs (or CLs+b for q0, as pyhf) for −2σ, −1σ, median, +1σ, +2σ. */
  expected: ExpectedBand;
  /** The raw test statistic (q_mu, q̃_mu, q0) of the observed data. */
  testStatistic: number;
  /** Its value on the Asimov data. */
  asimovTestStatistic: number;
  /** The test statistic as the calculator compares it (√q − √q_A form). */
  calculatorTestStatistic: number;
  converged: boolean;
  fits: { freeFitToData: FitResult; fixedPoiFitToData: FitResult; asimovPars: Float64Array; freeFitToAsimov: FitResult; fixedPoiFitToAsimov: FitResult };
}

/** Expected-band order pyhf uses: the b-only test statistic at +2σ…−2σ gives CLs from low to high. */
const NSIGMA: ExpectedBand = [2, 1, 0, -1, -2];

/**
 * Asymptotic hypothesis tests of one model and dataset. Fits that do not depend on the tested
 * mu (free fit to data, Asimov data, free fit to Asimov) are done once and reused across mu.
 */
export class AsymptoticCalculator {
  private freeFitToData?: FitResult;
  private asimov?: { data: Float64Array; pars: Float64Array; converged: boolean };
  private freeFitToAsimov?: FitResult;

  constructor(
    readonly data: ArrayLike<number>,
    readonly model: Model,
    readonly testStat: TestStatName,
    readonly fitOptions: FitOptions = {},
  ) {
    if (testStat === "t" || testStat === "ttilde") {
      throw new HepflowError("SETTINGS_INVALID", `the asymptotic calculator supports q, qtilde and q0 (as pyhf); use the toy calculator for ${testStat}`);
    }
    const c = model.config;
    if (c.poiIndex === null) throw new HepflowError("NO_POI", "hypothesis tests need a parameter of interest");
    const fixed = fitOptions.fixedMask ?? c.suggestedFixed();
    if (fixed[c.poiIndex] || (fitOptions.fixed && c.poiName! in fitOptions.fixed)) {
      throw new HepflowError("SETTINGS_INVALID", `the POI "${c.poiName}" is fixed; hypothesis tests need it floating`);
    }
  }

  private opts(): FitOptions {
    return { ...this.fitOptions, uncertainties: false };
  }

  /** Asimov dataset: expected data (with auxdata) at the fit with the POI fixed to 0 (1 for q0). */
  asimovData(): { data: Float64Array; pars: Float64Array; converged: boolean } {
    if (!this.asimov) {
      const asimovMu = this.testStat === "q0" ? 1 : 0;
      const f = fixedPoiFit(asimovMu, this.data, this.model, this.opts());
      const data = this.model.expectedData(f.bestfit);
      // Negative expected counts are the model's fault, not the data's: say so here rather than
      // let the Asimov data be refused later as "observed count … is negative".
      const c = this.model.config;
      let at = 0;
      for (const ch of c.channels) {
        for (let b = 0; b < c.channelNbins[ch]!; b++, at++) {
          if (!(data[at]! >= 0)) {
            throw new HepflowError("MODEL_NEGATIVE_YIELD", `the model expects ${data[at]} events in bin ${b} of channel "${ch}" at the fit with ${c.poiName} = ${asimovMu}, so no Asimov dataset exists; expected yields must be non-negative`);
          }
        }
      }
      this.asimov = { data, pars: f.bestfit, converged: f.converged };
    }
    return this.asimov;
  }

  /** Test at POI value mu. */
  hypotest(mu: number): HypotestResult {
    if (!Number.isFinite(mu)) throw new HepflowError("SETTINGS_INVALID", `POI value ${mu} is not a number`);
    this.freeFitToData ??= fit(this.data, this.model, this.opts());
    const obs = testStatistic(this.testStat, mu, this.data, this.model, this.opts(), this.freeFitToData);
    const asimov = this.asimovData();
    this.freeFitToAsimov ??= fit(asimov.data, this.model, this.opts());
    const asi = testStatistic(this.testStat, mu, asimov.data, this.model, this.opts(), this.freeFitToAsimov);
    const sqrtq = Math.sqrt(obs.value);
    const sqrtqA = Math.sqrt(asi.value);
    let ts: number;
    if (this.testStat === "q" || this.testStat === "q0") ts = sqrtq - sqrtqA;
    else ts = sqrtq <= sqrtqA || sqrtqA === 0 ? sqrtq - sqrtqA : (obs.value - asi.value) / (2 * sqrtqA);
    const pvals = (t: number) => {
      const clsb = normalCdf(-(t + sqrtqA));
      const clb = normalCdf(-t);
      return { clsb, clb, cls: clsb / clb };
    };
    const o = pvals(ts);
    const expected = mapBand(NSIGMA, (n) => {
      const p = pvals(n);
      return this.testStat === "q0" ? p.clsb : p.cls;
    });
    const converged = obs.fixedFit.converged && obs.freeFit.converged && asimov.converged && asi.fixedFit.converged && asi.freeFit.converged;
    return {
      mu: this.testStat === "q0" ? 0 : mu,
      cls: o.cls,
      clsb: o.clsb,
      clb: o.clb,
      expected,
      testStatistic: obs.value,
      asimovTestStatistic: asi.value,
      calculatorTestStatistic: ts,
      converged,
      fits: {
        freeFitToData: obs.freeFit,
        fixedPoiFitToData: obs.fixedFit,
        asimovPars: asimov.pars,
        freeFitToAsimov: asi.freeFit,
        fixedPoiFitToAsimov: asi.fixedFit,
      },
    };
  }
}
