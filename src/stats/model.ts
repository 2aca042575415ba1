/**
 * A compiled HistFactory model: expected rates λ(θ) = Σ_samples (nominal + Σ shifts) · Π factors,
 * a Poisson main term (continuous, pyhf's gamma-function form) and Gaussian/Poisson constraint
 * terms, with the NLL's analytic gradient.
 */
import { HepflowError } from "../util/index.js";
import { ModelConfig, reduceParameterSet } from "./config.js";
import type { ParameterSet } from "./config.js";
import { HistoSysKind } from "./modifiers/histosys.js";
import { LumiKind } from "./modifiers/lumi.js";
import { NormFactorKind } from "./modifiers/normfactor.js";
import { NormSysKind } from "./modifiers/normsys.js";
import { ShapeFactorKind } from "./modifiers/shapefactor.js";
import { ShapeSysKind } from "./modifiers/shapesys.js";
import { StatErrorKind } from "./modifiers/staterror.js";
import type { Layout, ModifierKind, ParamRequirement, TermBlock } from "./modifiers/types.js";
import { normalLogPdf, poissonLogPdf } from "./special.js";
import { HessianStructure } from "./infer/structured.js";
import type { BlockArrowMatrix } from "./infer/structured.js";
import type { ModelSpec, ModifierSettings } from "./spec.js";

/** Options of model construction, mirroring pyhf's Model(spec, poi_name=..., modifier_settings=...). */
export interface ModelOptions {
  poiName?: string | null;
  /**
   * Where the measurement's parameter list is, for error messages: the file and the JSON path of
   * the list (e.g. `$.measurements[0].config.parameters`); Workspace.model() fills it in.
   */
  source?: { file?: string; parametersPath?: string; measurementPoi?: string };
  modifierSettings?: ModifierSettings;
}

const DEFAULT_SETTINGS: Required<ModifierSettings> = { normsys: { interpcode: "code4" }, histosys: { interpcode: "code4p" } };

/** The HistFactory probability model p(data | θ). */
export class Model {
  readonly config: ModelConfig;
  /** True when an interpolation with a slope jump at α = 0 is in use (normsys code1, histosys code0). */
  readonly hasKinks: boolean;
  readonly layout: Layout;
  private readonly blocks: TermBlock[];
  // all entries concatenated: factor entries grouped by cell (CSR), delta entries separately
  private readonly fTarget: Int32Array;
  private readonly fParam: Int32Array;
  private readonly fRowStart: Int32Array;
  private readonly fOrder: Int32Array;
  private readonly dTarget: Int32Array;
  private readonly dParam: Int32Array;
  private readonly fVal: Float64Array;
  private readonly fDer: Float64Array;
  private readonly dVal: Float64Array;
  private readonly dDer: Float64Array;
  private readonly A: Float64Array;
  private readonly F: Float64Array;
  private readonly lam: Float64Array;
  // constraints, flattened in auxdata order
  private readonly gParam: Int32Array;
  private readonly gAux: Int32Array;
  private readonly gSigma: Float64Array;
  private readonly pParam: Int32Array;
  private readonly pAux: Int32Array;
  private readonly pFactor: Float64Array;
  private readonly scratch: Float64Array;
  /** Per block, its slices of the value/derivative buffers (made once: the hot path allocates nothing). */
  private readonly views: { block: TermBlock; value: Float64Array; deriv: Float64Array; deriv2: Float64Array }[];
  private readonly fDer2: Float64Array;
  private readonly dDer2: Float64Array;
  /** Main-data bin of each (sample, bin) cell and of each delta entry. */
  private readonly cellBin: Int32Array;
  private readonly dBin: Int32Array;
  private readonly gLogNorm: Float64Array;

  constructor(
    readonly spec: ModelSpec,
    readonly options: ModelOptions = {},
  ) {
    const settings = options.modifierSettings ?? DEFAULT_SETTINGS;
    const normsysCode = settings.normsys?.interpcode ?? "code1";
    const histosysCode = settings.histosys?.interpcode ?? "code0";
    if (!["code1", "code4", "combine"].includes(normsysCode)) {
      throw new HepflowError("SETTINGS_INVALID", `normsys interpolation code must be code1, code4 or combine, got "${normsysCode}"`);
    }
    if (!["code0", "code2", "code4p"].includes(histosysCode)) {
      throw new HepflowError("SETTINGS_INVALID", `histosys interpolation code must be code0, code2 or code4p, got "${histosysCode}"`);
    }
    this.layout = buildLayout(spec);
    this.hasKinks = spec.channels.some((c) => c.samples.some((s) => s.modifiers.some((m) => (m.type === "normsys" && normsysCode === "code1") || (m.type === "histosys" && histosysCode === "code0"))));
    const { channels, samples, nbins } = this.layout;
    const kinds: Record<string, ModifierKind> = {
      histosys: new HistoSysKind(this.layout, histosysCode),
      lumi: new LumiKind(this.layout),
      normfactor: new NormFactorKind(this.layout),
      normsys: new NormSysKind(this.layout, normsysCode),
      shapefactor: new ShapeFactorKind(this.layout),
      shapesys: new ShapeSysKind(this.layout),
      staterror: new StatErrorKind(this.layout),
    };
    // walk channels, samples and modifier names in pyhf's sorted order so parameters register as pyhf's do
    const chIndex = new Map(channels.map((c, i) => [c, i]));
    const sIndex = new Map(samples.map((s, i) => [s, i]));
    const modifierPairs = new Map<string, [string, string]>();
    const entries: { c: number; s: number; key: string; path: string; mod: ModelSpec["channels"][0]["samples"][0]["modifiers"][0] }[] = [];
    spec.channels.forEach((ch, ci) => {
      ch.samples.forEach((sa, si) => {
        const seen = new Set<string>();
        sa.modifiers.forEach((m, mi) => {
          const key = `${m.name}\u0000${m.type}`;
          const path = `$.channels[${ci}].samples[${si}].modifiers[${mi}]`;
          if (!(m.type in kinds)) throw new HepflowError("MODEL_INVALID", `unknown modifier type "${m.type}"`, { object: path });
          if (seen.has(key)) throw new HepflowError("MODEL_INVALID", `modifier "${m.name}" (${m.type}) appears twice on sample "${sa.name}" of channel "${ch.name}"`, { object: path });
          seen.add(key);
          modifierPairs.set(key, [m.name, m.type]);
          entries.push({ c: chIndex.get(ch.name)!, s: sIndex.get(sa.name)!, key, path, mod: m });
        });
      });
    });
    const sortedPairs = [...modifierPairs.entries()].sort((a, b) => cmp(a[1][0], b[1][0]) || cmp(a[1][1], b[1][1]));
    const rank = new Map(sortedPairs.map(([k], i) => [k, i]));
    entries.sort((a, b) => a.c - b.c || a.s - b.s || rank.get(a.key)! - rank.get(b.key)!);
    for (const e of entries) kinds[e.mod.type]!.add({ channel: e.c, sample: e.s, name: e.mod.name, data: e.mod.data, path: e.path });

    // parameter sets: kinds in pyhf's order, names in registration order
    const reqs = new Map<string, ParamRequirement[]>();
    for (const kind of Object.values(kinds)) {
      for (const [name, list] of kind.requirements()) {
        const l = reqs.get(name) ?? [];
        l.push(...list);
        reqs.set(name, l);
      }
    }
    if (!reqs.size) throw new HepflowError("MODEL_INVALID", "the model has no parameters (no modifiers on any sample)");
    const user = new Map<string, ModelSpec["parameters"] extends (infer P)[] | undefined ? P : never>();
    const src = options.source ?? {};
    const userPath = (k: number) => ({ file: src.file, object: `${src.parametersPath ?? "measurement parameters"}[${k}]` });
    const userIndex = new Map<string, number>();
    (spec.parameters ?? []).forEach((p, k) => {
      if (user.has(p.name)) throw new HepflowError("MODEL_INVALID", `the measurement configures parameter "${p.name}" more than once`, userPath(k));
      user.set(p.name, p);
      userIndex.set(p.name, k);
    });
    // A setting for a parameter no modifier uses is a typo or a stale entry, not something to
    // ignore silently; the POI is exempt (a background-only workspace configures the signal strength
    // that its signal patches add).
    for (const [name, k] of userIndex) {
      if (!reqs.has(name) && name !== options.poiName && name !== src.measurementPoi) {
        const known = [...reqs.keys()];
        const near = known.filter((n) => n.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(n.toLowerCase())).slice(0, 3);
        throw new HepflowError("MODEL_INVALID", `the measurement configures parameter "${name}", which no modifier uses${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(", ")}?)` : ""}`, userPath(k));
      }
    }
    const sets: ParameterSet[] = [];
    let offset = 0;
    for (const [name, list] of reqs) {
      const k = userIndex.get(name);
      const s = reduceParameterSet(name, list, user.get(name), offset, k === undefined ? undefined : userPath(k));
      sets.push(s);
      offset += s.n;
    }
    const poiName = options.poiName === undefined ? null : options.poiName;
    this.config = new ModelConfig(
      sets,
      channels,
      Object.fromEntries(channels.map((c, i) => [c, this.layout.channelNbins[i]!])),
      samples,
      sortedPairs.map(([, p]) => p),
      poiName,
    );
    const offsets = new Map(sets.map((s) => [s.name, s.offset]));

    this.blocks = Object.values(kinds)
      .map((k) => k.compile(offsets))
      .filter((b): b is TermBlock => b !== null);

    const fb = this.blocks.filter((b) => b.op === "factor");
    const db = this.blocks.filter((b) => b.op === "delta");
    this.fTarget = concatInt(fb.map((b) => b.target));
    this.fParam = concatInt(fb.map((b) => b.param));
    this.dTarget = concatInt(db.map((b) => b.target));
    this.dParam = concatInt(db.map((b) => b.param));
    this.fVal = new Float64Array(this.fTarget.length);
    this.fDer = new Float64Array(this.fTarget.length);
    this.dVal = new Float64Array(this.dTarget.length);
    this.dDer = new Float64Array(this.dTarget.length);
    const ncell = samples.length * nbins;
    const counts = new Int32Array(ncell + 1);
    for (const t of this.fTarget) counts[t + 1]!++;
    for (let i = 0; i < ncell; i++) counts[i + 1]! += counts[i]!;
    this.fRowStart = counts;
    const fill = counts.slice(0, ncell);
    this.fOrder = new Int32Array(this.fTarget.length);
    for (let e = 0; e < this.fTarget.length; e++) this.fOrder[fill[this.fTarget[e]!]!++] = e;
    this.views = [];
    this.fDer2 = new Float64Array(this.fTarget.length);
    this.dDer2 = new Float64Array(this.dTarget.length);
    let fo = 0;
    let dof = 0;
    for (const b of this.blocks) {
      const n = b.target.length;
      if (b.op === "factor") {
        this.views.push({ block: b, value: this.fVal.subarray(fo, fo + n), deriv: this.fDer.subarray(fo, fo + n), deriv2: this.fDer2.subarray(fo, fo + n) });
        fo += n;
      } else {
        this.views.push({ block: b, value: this.dVal.subarray(dof, dof + n), deriv: this.dDer.subarray(dof, dof + n), deriv2: this.dDer2.subarray(dof, dof + n) });
        dof += n;
      }
    }
    this.cellBin = Int32Array.from({ length: ncell }, (_, c) => c % nbins);
    this.dBin = Int32Array.from(this.dTarget, (c) => c % nbins);
    this.A = new Float64Array(ncell);
    this.F = new Float64Array(ncell);
    this.lam = new Float64Array(nbins);
    this.scratch = new Float64Array(Math.max(1, ...Array.from({ length: ncell }, (_, i) => counts[i + 1]! - counts[i]!)) + 1);

    const g = { param: [] as number[], aux: [] as number[], sigma: [] as number[] };
    const p = { param: [] as number[], aux: [] as number[], factor: [] as number[] };
    let auxIndex = 0;
    for (const s of sets) {
      if (!s.constraint) continue;
      for (let i = 0; i < s.n; i++, auxIndex++) {
        if (s.constraint === "normal") {
          g.param.push(s.offset + i);
          g.aux.push(auxIndex);
          g.sigma.push(s.sigmas[i]!);
        } else {
          p.param.push(s.offset + i);
          p.aux.push(auxIndex);
          p.factor.push(s.factors[i]!);
        }
      }
    }
    this.gParam = Int32Array.from(g.param);
    this.gAux = Int32Array.from(g.aux);
    this.gSigma = Float64Array.from(g.sigma);
    // the normalisation term of normalLogPdf, computed the same way so values stay bit-identical
    this.gLogNorm = Float64Array.from(g.sigma, (sg) => Math.log(sg * Math.sqrt(2 * Math.PI)));
    this.pParam = Int32Array.from(p.param);
    this.pAux = Int32Array.from(p.aux);
    this.pFactor = Float64Array.from(p.factor);
  }

  private checkPars(pars: ArrayLike<number>): Float64Array {
    if (pars.length !== this.config.npars) {
      throw new HepflowError("PARS_INVALID", `parameter vector has ${pars.length} entries but the model has ${this.config.npars} parameters`);
    }
    return pars instanceof Float64Array ? pars : Float64Array.from(pars);
  }

  /** Evaluate all modifier terms and the per-cell sums/products at `pars` (fills A, F, λ). */
  private evaluate(pars: Float64Array, withSecond = false): void {
    const nominal = this.layout.nominal;
    const views = this.views;
    for (let k = 0; k < views.length; k++) views[k]!.block.evaluate(pars, views[k]!.value, views[k]!.deriv, withSecond ? views[k]!.deriv2 : undefined);
    const A = this.A;
    const F = this.F;
    A.set(nominal);
    const dTarget = this.dTarget;
    const dVal = this.dVal;
    for (let e = 0; e < dTarget.length; e++) A[dTarget[e]!]! += dVal[e]!;
    F.fill(1);
    const fTarget = this.fTarget;
    const fVal = this.fVal;
    for (let e = 0; e < fTarget.length; e++) F[fTarget[e]!]! *= fVal[e]!;
    const lam = this.lam;
    const cellBin = this.cellBin;
    lam.fill(0);
    for (let c = 0; c < A.length; c++) lam[cellBin[c]!]! += A[c]! * F[c]!;
  }

  /** Expected main-channel rates λ (bins in channel order), then the expected auxdata if asked. */
  expectedData(pars: ArrayLike<number>, { includeAux = true }: { includeAux?: boolean } = {}): Float64Array {
    const p = this.checkPars(pars);
    this.evaluate(p);
    if (!includeAux) return this.lam.slice();
    const out = new Float64Array(this.config.nmaindata + this.config.nauxdata);
    out.set(this.lam);
    out.set(this.expectedAuxData(p), this.config.nmaindata);
    return out;
  }

  /** Expected main-channel rates only (pyhf's expected_actualdata). */
  expectedActualData(pars: ArrayLike<number>): Float64Array {
    return this.expectedData(pars, { includeAux: false });
  }

  /** Expected auxiliary data: θ for Gaussian constraints, θ·τ for Poisson ones, in auxdata order. */
  expectedAuxData(pars: ArrayLike<number>): Float64Array {
    const p = this.checkPars(pars);
    const out = new Float64Array(this.config.nauxdata);
    for (let i = 0; i < this.gParam.length; i++) out[this.gAux[i]!] = p[this.gParam[i]!]!;
    for (let i = 0; i < this.pParam.length; i++) out[this.pAux[i]!] = p[this.pParam[i]!]! * this.pFactor[i]!;
    return out;
  }

  /** Expected rates per sample (sample name → main-data bins). */
  expectedBySample(pars: ArrayLike<number>): Record<string, Float64Array> {
    this.evaluate(this.checkPars(pars));
    const { samples, nbins } = this.layout;
    const out: Record<string, Float64Array> = {};
    samples.forEach((s, i) => {
      const v = new Float64Array(nbins);
      for (let b = 0; b < nbins; b++) v[b] = this.A[i * nbins + b]! * this.F[i * nbins + b]!;
      out[s] = v;
    });
    return out;
  }

  private checkData(data: ArrayLike<number>): void {
    const n = this.config.nmaindata + this.config.nauxdata;
    if (data.length !== n) {
      throw new HepflowError("DATA_INVALID", `data has ${data.length} entries but the model expects ${n} (${this.config.nmaindata} main bins + ${this.config.nauxdata} auxiliary)`);
    }
  }

  /** Main (Poisson) part of log p(data | pars). */
  logpdfMain(pars: ArrayLike<number>, data: ArrayLike<number>): number {
    this.checkData(data);
    this.evaluate(this.checkPars(pars));
    let s = 0;
    for (let b = 0; b < this.lam.length; b++) s += poissonLogPdf(data[b]!, this.lam[b]!);
    return s;
  }

  /** Constraint part of log p(data | pars). */
  logpdfConstraint(pars: ArrayLike<number>, data: ArrayLike<number>): number {
    this.checkData(data);
    const p = this.checkPars(pars);
    const off = this.config.nmaindata;
    let s = 0;
    for (let i = 0; i < this.gParam.length; i++) s += normalLogPdf(data[off + this.gAux[i]!]!, p[this.gParam[i]!]!, this.gSigma[i]!);
    for (let i = 0; i < this.pParam.length; i++) s += poissonLogPdf(data[off + this.pAux[i]!]!, p[this.pParam[i]!]! * this.pFactor[i]!);
    return s;
  }

  /** log p(data | pars) = main + constraint. */
  logpdf(pars: ArrayLike<number>, data: ArrayLike<number>): number {
    return this.logpdfMain(pars, data) + this.logpdfConstraint(pars, data);
  }

  /** −log p(data | pars) and its gradient (written into `grad`). Skips input checks: the fit's hot path. */
  nllAndGradient(pars: Float64Array, data: ArrayLike<number>, grad: Float64Array): number {
    this.evaluate(pars);
    grad.fill(0);
    const lam = this.lam;
    const nbins = lam.length;
    let nll = 0;
    for (let b = 0; b < nbins; b++) nll -= poissonLogPdf(data[b]!, lam[b]!);
    // w_b = d(−log L)/dλ_b
    const w = this.scratchW(nbins);
    for (let b = 0; b < nbins; b++) w[b] = 1 - (data[b] === 0 ? 0 : data[b]! / lam[b]!);
    const A = this.A;
    const F = this.F;
    const dTarget = this.dTarget;
    const dParam = this.dParam;
    const dDer = this.dDer;
    const dBin = this.dBin;
    for (let e = 0; e < dTarget.length; e++) grad[dParam[e]!]! += w[dBin[e]!]! * F[dTarget[e]!]! * dDer[e]!;
    // product rule over each cell's factors with prefix/suffix products (safe when a factor is 0)
    const rs = this.fRowStart;
    const order = this.fOrder;
    const suffix = this.scratch;
    const fVal = this.fVal;
    const fDer = this.fDer;
    const fParam = this.fParam;
    const cellBin = this.cellBin;
    const ncell = A.length;
    for (let c = 0; c < ncell; c++) {
      const start = rs[c]!;
      const end = rs[c + 1]!;
      if (start === end) continue;
      const coef = w[cellBin[c]!]! * A[c]!;
      if (coef === 0) continue;
      const k = end - start;
      suffix[k] = 1;
      for (let j = k - 1; j >= 0; j--) suffix[j] = suffix[j + 1]! * fVal[order[start + j]!]!;
      let prefix = 1;
      for (let j = 0; j < k; j++) {
        const e = order[start + j]!;
        grad[fParam[e]!]! += coef * prefix * suffix[j + 1]! * fDer[e]!;
        prefix *= fVal[e]!;
      }
    }
    const off = this.config.nmaindata;
    const gParam = this.gParam;
    const gAux = this.gAux;
    const gSigma = this.gSigma;
    const gLogNorm = this.gLogNorm;
    for (let i = 0; i < gParam.length; i++) {
      const j = gParam[i]!;
      const sigma = gSigma[i]!;
      const aux = data[off + gAux[i]!]!;
      const z = (aux - pars[j]!) / (Math.SQRT2 * sigma);
      nll -= -gLogNorm[i]! - z * z;
      grad[j]! += (pars[j]! - aux) / (sigma * sigma);
    }
    for (let i = 0; i < this.pParam.length; i++) {
      const j = this.pParam[i]!;
      const aux = data[off + this.pAux[i]!]!;
      const f = this.pFactor[i]!;
      nll -= poissonLogPdf(aux, pars[j]! * f);
      grad[j]! += f - (aux === 0 ? 0 : aux / pars[j]!);
    }
    return nll;
  }

  /**
   * Exact Hessian of −log p(data | pars) (row-major npars²): Σ_b [(n_b/λ_b²) ∇λ_b∇λ_bᵀ +
   * (1 − n_b/λ_b) ∇²λ_b] plus the constraint curvature, with ∇²λ from the product rule over each
   * cell's shifts and factors (pairs of factors use products of the others, so zero factors are safe).
   */
  nllHessian(pars: Float64Array, data: ArrayLike<number>, H: Float64Array): void {
    this.evaluate(pars, true);
    const npars = this.config.npars;
    const lam = this.lam;
    const nbins = lam.length;
    const A = this.A;
    const F = this.F;
    H.fill(0);
    const J = new Float64Array(nbins * npars);
    // per-cell delta entries (CSR built on first use)
    const dRows = this.deltaRows();
    const rs = this.fRowStart;
    const order = this.fOrder;
    const maxK = this.scratch.length;
    const others = new Float64Array(maxK);
    const pre = new Float64Array(maxK + 1);
    const suf = new Float64Array(maxK + 1);
    for (let c = 0; c < A.length; c++) {
      const b = this.cellBin[c]!;
      const w = 1 - (data[b] === 0 ? 0 : data[b]! / lam[b]!);
      const row = b * npars;
      const fs = rs[c]!;
      const k = rs[c + 1]! - fs;
      this.productsOfOthers(order, fs, k, pre, suf, others);
      // shifts: J, curvature of the shift, shift × factor cross terms
      for (let t = dRows.start[c]!; t < dRows.start[c + 1]!; t++) {
        const e = dRows.entry[t]!;
        const p = this.dParam[e]!;
        J[row + p]! += F[c]! * this.dDer[e]!;
        H[p * npars + p]! += w * F[c]! * this.dDer2[e]!;
        for (let j = 0; j < k; j++) {
          const f = order[fs + j]!;
          const v = w * this.dDer[e]! * this.fDer[f]! * others[j]!;
          const q = this.fParam[f]!;
          H[p * npars + q]! += v;
          H[q * npars + p]! += v;
        }
      }
      if (k === 0 || A[c] === 0) continue;
      const Ac = A[c]!;
      for (let j = 0; j < k; j++) {
        const f = order[fs + j]!;
        const p = this.fParam[f]!;
        J[row + p]! += Ac * this.fDer[f]! * others[j]!;
        H[p * npars + p]! += w * Ac * this.fDer2[f]! * others[j]!;
        // pairs (j, l), l ≠ j: product of all factors except both
        for (let l = j + 1; l < k; l++) {
          let prod = pre[j]!;
          for (let m = j + 1; m < l; m++) prod *= this.fVal[order[fs + m]!]!;
          prod *= suf[l + 1]!;
          const g = order[fs + l]!;
          const q = this.fParam[g]!;
          const v = w * Ac * this.fDer[f]! * this.fDer[g]! * prod;
          H[p * npars + q]! += v;
          H[q * npars + p]! += v;
        }
      }
    }
    for (let b = 0; b < nbins; b++) {
      if (data[b] === 0) continue;
      const s = data[b]! / (lam[b]! * lam[b]!);
      const row = b * npars;
      for (let p = 0; p < npars; p++) {
        const jp = J[row + p]!;
        if (jp === 0) continue;
        for (let q = 0; q < npars; q++) H[p * npars + q]! += s * jp * J[row + q]!;
      }
    }
    const off = this.config.nmaindata;
    for (let i = 0; i < this.gParam.length; i++) H[this.gParam[i]! * (npars + 1)]! += 1 / (this.gSigma[i]! * this.gSigma[i]!);
    for (let i = 0; i < this.pParam.length; i++) {
      const j = this.pParam[i]!;
      H[j * (npars + 1)]! += data[off + this.pAux[i]!]! / (pars[j]! * pars[j]!);
    }
  }

  /**
   * others[j] = the product of the cell's k factors except factor j (prefix × suffix products, so a
   * factor of 0 is handled without dividing); shared by the dense and the block-arrow Hessian.
   */
  private productsOfOthers(order: Int32Array, fs: number, k: number, pre: Float64Array, suf: Float64Array, others: Float64Array): void {
    pre[0] = 1;
    for (let j = 0; j < k; j++) pre[j + 1] = pre[j]! * this.fVal[order[fs + j]!]!;
    suf[k] = 1;
    for (let j = k - 1; j >= 0; j--) suf[j] = suf[j + 1]! * this.fVal[order[fs + j]!]!;
    for (let j = 0; j < k; j++) others[j] = pre[j]! * suf[j + 1]!;
  }

  private structureCache?: HessianStructure;
  /** Which parameters touch a single main-data bin (per-bin, block-diagonal in the Hessian) and which are global. */
  hessianStructure(): HessianStructure {
    if (!this.structureCache) {
      const nbins = this.lam.length;
      const bins: number[][] = Array.from({ length: this.config.npars }, () => []);
      const note = (p: number, cell: number) => {
        const l = bins[p]!;
        const b = cell % nbins;
        if (l.length < 2 && l[0] !== b) l.push(b);
      };
      for (let e = 0; e < this.fTarget.length; e++) note(this.fParam[e]!, this.fTarget[e]!);
      for (let e = 0; e < this.dTarget.length; e++) note(this.dParam[e]!, this.dTarget[e]!);
      this.structureCache = new HessianStructure(bins);
    }
    return this.structureCache;
  }

  /**
   * The same Hessian as nllHessian, accumulated bin by bin into block-arrow storage: the Jacobian
   * row of a bin is sparse (only the parameters acting on it), so memory and time are O(Σ_b k_b²)
   * with k_b the parameters touching bin b, instead of O(bins · P + P²).
   */
  nllHessianStructured(pars: Float64Array, data: ArrayLike<number>, M: BlockArrowMatrix): void {
    this.evaluate(pars, true);
    const npars = this.config.npars;
    const lam = this.lam;
    const nbins = lam.length;
    const nsamples = this.layout.samples.length;
    const A = this.A;
    const F = this.F;
    M.zero();
    const Jrow = this.scratchJ(npars);
    const touched = this.scratchTouched(npars);
    let nt = 0;
    const mark = (p: number, v: number) => {
      if (Jrow[p] === 0 && !this.touchedFlag[p]) {
        this.touchedFlag[p] = 1;
        touched[nt++] = p;
      }
      Jrow[p]! += v;
    };
    const dRows = this.deltaRows();
    const rs = this.fRowStart;
    const order = this.fOrder;
    const maxK = this.scratch.length;
    const others = new Float64Array(maxK);
    const pre = new Float64Array(maxK + 1);
    const suf = new Float64Array(maxK + 1);
    for (let b = 0; b < nbins; b++) {
      const w = 1 - (data[b] === 0 ? 0 : data[b]! / lam[b]!);
      nt = 0;
      for (let s = 0; s < nsamples; s++) {
        const c = s * nbins + b;
        const fs = rs[c]!;
        const k = rs[c + 1]! - fs;
        this.productsOfOthers(order, fs, k, pre, suf, others);
        for (let t = dRows.start[c]!; t < dRows.start[c + 1]!; t++) {
          const e = dRows.entry[t]!;
          const p = this.dParam[e]!;
          mark(p, F[c]! * this.dDer[e]!);
          M.addDiag(p, w * F[c]! * this.dDer2[e]!);
          for (let j = 0; j < k; j++) {
            const f = order[fs + j]!;
            M.addSym(p, this.fParam[f]!, w * this.dDer[e]! * this.fDer[f]! * others[j]!);
          }
        }
        if (k === 0 || A[c] === 0) continue;
        const Ac = A[c]!;
        for (let j = 0; j < k; j++) {
          const f = order[fs + j]!;
          const p = this.fParam[f]!;
          mark(p, Ac * this.fDer[f]! * others[j]!);
          M.addDiag(p, w * Ac * this.fDer2[f]! * others[j]!);
          for (let l = j + 1; l < k; l++) {
            let prod = pre[j]!;
            for (let m = j + 1; m < l; m++) prod *= this.fVal[order[fs + m]!]!;
            prod *= suf[l + 1]!;
            const g = order[fs + l]!;
            M.addSym(p, this.fParam[g]!, w * Ac * this.fDer[f]! * this.fDer[g]! * prod);
          }
        }
      }
      const sc = data[b] === 0 ? 0 : data[b]! / (lam[b]! * lam[b]!);
      for (let i = 0; i < nt; i++) {
        const p = touched[i]!;
        const jp = Jrow[p]!;
        if (sc !== 0 && jp !== 0) {
          M.addDiag(p, sc * jp * jp);
          for (let j = i + 1; j < nt; j++) {
            const q = touched[j]!;
            if (q === p) continue;
            M.addSym(p, q, sc * jp * Jrow[q]!);
          }
        }
      }
      for (let i = 0; i < nt; i++) {
        Jrow[touched[i]!] = 0;
        this.touchedFlag[touched[i]!] = 0;
      }
    }
    const off = this.config.nmaindata;
    for (let i = 0; i < this.gParam.length; i++) M.addDiag(this.gParam[i]!, 1 / (this.gSigma[i]! * this.gSigma[i]!));
    for (let i = 0; i < this.pParam.length; i++) {
      const j = this.pParam[i]!;
      M.addDiag(j, data[off + this.pAux[i]!]! / (pars[j]! * pars[j]!));
    }
  }

  private jBuf = new Float64Array(0);
  private touchedBuf = new Int32Array(0);
  private touchedFlag = new Uint8Array(0);
  private scratchJ(n: number): Float64Array {
    if (this.jBuf.length !== n) this.jBuf = new Float64Array(n);
    return this.jBuf;
  }
  private scratchTouched(n: number): Int32Array {
    if (this.touchedBuf.length !== n) {
      this.touchedBuf = new Int32Array(n);
      this.touchedFlag = new Uint8Array(n);
    }
    return this.touchedBuf;
  }

  private dRowsCache?: { start: Int32Array; entry: Int32Array };
  /** Delta entries grouped by cell (CSR). */
  private deltaRows(): { start: Int32Array; entry: Int32Array } {
    if (!this.dRowsCache) {
      const ncell = this.A.length;
      const start = new Int32Array(ncell + 1);
      for (const t of this.dTarget) start[t + 1]!++;
      for (let i = 0; i < ncell; i++) start[i + 1]! += start[i]!;
      const fill = start.slice(0, ncell);
      const entry = new Int32Array(this.dTarget.length);
      for (let e = 0; e < this.dTarget.length; e++) entry[fill[this.dTarget[e]!]!++] = e;
      this.dRowsCache = { start, entry };
    }
    return this.dRowsCache;
  }

  private wBuf = new Float64Array(0);
  private scratchW(n: number): Float64Array {
    if (this.wBuf.length !== n) this.wBuf = new Float64Array(n);
    return this.wBuf;
  }

  /** The constraint terms, for sampling auxiliary data: Gaussian (param, aux index, σ) and Poisson (param, aux index, τ). */
  constraintTerms(): { gaussian: { param: Int32Array; aux: Int32Array; sigma: Float64Array }; poisson: { param: Int32Array; aux: Int32Array; factor: Float64Array } } {
    return {
      gaussian: { param: this.gParam, aux: this.gAux, sigma: this.gSigma },
      poisson: { param: this.pParam, aux: this.pAux, factor: this.pFactor },
    };
  }

  /** −log p(data | pars) with input checks. */
  nll(pars: ArrayLike<number>, data: ArrayLike<number>): number {
    return -this.logpdf(pars, data);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function concatInt(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Sorted channels and samples, global bin offsets and the nominal yields. */
function buildLayout(spec: ModelSpec): Layout {
  const nb = new Map<string, number>();
  const sampleNames = new Set<string>();
  spec.channels.forEach((ch, ci) => {
    if (nb.has(ch.name)) throw new HepflowError("MODEL_INVALID", `channel "${ch.name}" is defined twice`, { object: `$.channels[${ci}]` });
    nb.set(ch.name, ch.samples[0]!.data.length);
    const seen = new Set<string>();
    ch.samples.forEach((s, si) => {
      if (seen.has(s.name)) throw new HepflowError("MODEL_INVALID", `sample "${s.name}" appears twice in channel "${ch.name}"`, { object: `$.channels[${ci}].samples[${si}]` });
      seen.add(s.name);
      sampleNames.add(s.name);
      if (s.data.length !== nb.get(ch.name)) {
        throw new HepflowError("MODEL_INVALID", `sample "${s.name}" has ${s.data.length} bins, but channel "${ch.name}" has ${nb.get(ch.name)}`, {
          object: `$.channels[${ci}].samples[${si}].data`,
        });
      }
    });
  });
  const channels = [...nb.keys()].sort(cmp);
  const samples = [...sampleNames].sort(cmp);
  const channelNbins = channels.map((c) => nb.get(c)!);
  const channelOffset: number[] = [];
  let nbins = 0;
  for (const n of channelNbins) {
    channelOffset.push(nbins);
    nbins += n;
  }
  const nominal = new Float64Array(samples.length * nbins);
  const cIndex = new Map(channels.map((c, i) => [c, i]));
  const sIndex = new Map(samples.map((s, i) => [s, i]));
  for (const ch of spec.channels) {
    const ci = cIndex.get(ch.name)!;
    for (const s of ch.samples) {
      const base = sIndex.get(s.name)! * nbins + channelOffset[ci]!;
      for (let b = 0; b < s.data.length; b++) nominal[base + b] = s.data[b]!;
    }
  }
  return { channels, channelNbins, channelOffset, samples, nbins, nominal };
}
