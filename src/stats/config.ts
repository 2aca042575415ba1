/**
 * Parameter bookkeeping of a model, as pyhf's _ModelConfig: parameter sets in pyhf's order
 * (modifier kinds alphabetically, then first appearance over sorted channels, sorted samples,
 * sorted modifier names), merged with the measurement's parameter settings.
 */
import { HepflowError, itemAt } from "../util/index.js";
import type { ParamRequirement } from "./modifiers/types.js";
import type { ParameterSpec } from "./spec.js";

/** One named parameter set (a scalar, or one parameter per bin). */
export interface ParameterSet {
  name: string;
  /** Modifier kinds that use it (a name may be both normsys and histosys). */
  types: string[];
  offset: number;
  n: number;
  scalar: boolean;
  constraint: "normal" | "poisson" | null;
  inits: number[];
  bounds: [number, number][];
  fixed: boolean[];
  auxdata: number[];
  /** Gaussian widths (normal constraint). */
  sigmas: number[];
  /** Poisson rate factors τ (poisson constraint). */
  factors: number[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merge the requirements of all occurrences of a name with the user's settings (pyhf's reduce_paramsets_requirements). */
export function reduceParameterSet(name: string, reqs: ParamRequirement[], user: ParameterSpec | undefined, offset: number, userPlace?: { file?: string; object: string }): ParameterSet {
  const keys = ["constraint", "n", "scalar", "inits", "bounds", "auxdata", "factors", "sigmas", "fixed"] as const;
  const [r, ...others] = reqs;
  if (!r) throw new HepflowError("MODEL_INVALID", `parameter "${name}" is used by no modifier`, { object: `parameter ${name}` });
  for (const k of keys) {
    const first = r[k];
    for (const o of others) {
      if (!sameValue(first, o[k])) {
        throw new HepflowError("MODEL_INVALID", `parameter "${name}" is used by modifiers that disagree on ${k} (${reqs.map((x) => x.type).join(", ")}); use distinct modifier names`, { object: `parameter ${name}` });
      }
    }
  }
  const where = userPlace ?? { object: `measurement parameter "${name}"` };
  const at = (key: string) => (userPlace ? { ...userPlace, object: `${userPlace.object}.${key}` } : where);
  const n = r.n;
  const pick = <T>(key: "inits" | "bounds" | "auxdata" | "factors" | "sigmas", def: T[] | null | undefined): T[] | undefined => {
    const u = user?.[key] as T[] | undefined;
    if (u !== undefined) {
      if (def === undefined) throw new HepflowError("MODEL_INVALID", `${name} (${r.type}) does not use the ${key} setting`, at(key));
      if (u.length !== n) throw new HepflowError("MODEL_INVALID", `${key} has ${u.length} values but ${name} has ${n} parameters`, at(key));
      return u.slice();
    }
    return def === null || def === undefined ? undefined : def.slice();
  };
  const inits = pick<number>("inits", r.inits);
  const bounds = pick<[number, number]>("bounds", r.bounds);
  const auxdata = pick<number>("auxdata", r.constraint ? (r.auxdata ?? null) : undefined);
  const sigmas = pick<number>("sigmas", r.constraint === "normal" ? (r.sigmas ?? null) : undefined);
  const factors = pick<number>("factors", r.constraint === "poisson" ? (r.factors ?? null) : undefined);
  if (!inits) throw new HepflowError("MODEL_INVALID", `${r.type} parameter "${name}" needs "inits" in the measurement's parameters`, where);
  if (!bounds) throw new HepflowError("MODEL_INVALID", `${r.type} parameter "${name}" needs "bounds" in the measurement's parameters`, where);
  if (r.constraint && !auxdata) throw new HepflowError("MODEL_INVALID", `${r.type} parameter "${name}" needs "auxdata" in the measurement's parameters`, where);
  if (r.type === "lumi" && !sigmas) throw new HepflowError("MODEL_INVALID", `lumi parameter "${name}" needs "sigmas" in the measurement's parameters`, where);
  bounds.forEach(([lo, hi], j) => {
    if (!(lo <= hi)) throw new HepflowError("MODEL_INVALID", `bounds [${lo}, ${hi}] of "${name}" are empty (lower above upper)`, user?.bounds ? at(`bounds[${j}]`) : where);
  });
  inits.forEach((v, j) => {
    const [lo, hi] = itemAt(bounds, j, `bounds of "${name}" for its initial value ${j}`, "MODEL_INVALID", at("bounds"));
    if (!(v >= lo && v <= hi) && (user?.inits || user?.bounds) && !user?.fixed) {
      throw new HepflowError("MODEL_INVALID", `initial value ${v} of "${name}" is outside its bounds [${lo}, ${hi}]`, at(user?.inits ? `inits[${j}]` : `bounds[${j}]`));
    }
  });
  const fixed = user?.fixed !== undefined ? new Array(n).fill(user.fixed) : r.fixed.slice();
  return {
    name,
    types: [...new Set(reqs.map((x) => x.type))],
    offset,
    n,
    scalar: r.scalar,
    constraint: r.constraint,
    inits,
    bounds,
    fixed,
    auxdata: auxdata ?? [],
    sigmas: r.constraint === "normal" ? (sigmas ?? new Array(n).fill(1)) : [],
    factors: factors ?? [],
  };
}

/** Summary of a compiled model, named as pyhf names things. */
export class ModelConfig {
  readonly parameterSets: ParameterSet[];
  readonly parameterNames: string[];
  readonly npars: number;
  readonly poiName: string | null;
  readonly poiIndex: number | null;
  readonly auxdata: number[];
  /** Parameter-set names with a constraint term, in auxdata order. */
  readonly auxdataOrder: string[];
  readonly nmaindata: number;
  readonly nauxdata: number;
  private readonly byName: Map<string, ParameterSet>;

  constructor(
    sets: ParameterSet[],
    readonly channels: string[],
    readonly channelNbins: Record<string, number>,
    readonly samples: string[],
    readonly modifiers: [string, string][],
    poiName: string | null,
  ) {
    this.parameterSets = sets;
    this.byName = new Map(sets.map((s) => [s.name, s]));
    this.parameterNames = sets.flatMap((s) => (s.scalar ? [s.name] : Array.from({ length: s.n }, (_, i) => `${s.name}[${i}]`)));
    this.npars = this.parameterNames.length;
    const constrained = sets.filter((s) => s.constraint);
    this.auxdataOrder = constrained.map((s) => s.name);
    this.auxdata = constrained.flatMap((s) => s.auxdata);
    this.nmaindata = Object.values(channelNbins).reduce((a, b) => a + b, 0);
    this.nauxdata = this.auxdata.length;
    if (poiName !== null) {
      const s = this.byName.get(poiName);
      if (!s) {
        throw new HepflowError("MODEL_INVALID", `the parameter of interest "${poiName}" is not a parameter of the model (parameters: ${sets.map((x) => x.name).join(", ")})`);
      }
      if (s.n !== 1) throw new HepflowError("MODEL_INVALID", `the parameter of interest "${poiName}" has ${s.n} components; it must be a single parameter`);
      this.poiName = poiName;
      this.poiIndex = s.offset;
    } else {
      this.poiName = null;
      this.poiIndex = null;
    }
  }

  /** The parameter set called `name`, or undefined. */
  parameterSet(name: string): ParameterSet | undefined {
    return this.byName.get(name);
  }

  /** Index of a parameter by its pyhf name (`name` or `name[i]`). */
  parameterIndex(name: string): number {
    const i = this.parameterNames.indexOf(name);
    if (i >= 0) return i;
    const s = this.byName.get(name);
    if (s && s.n === 1) return s.offset;
    throw new HepflowError("UNKNOWN_PARAMETER", `no parameter "${name}" in the model (parameters: ${this.parameterNames.join(", ")})`);
  }

  suggestedInit(): Float64Array {
    return Float64Array.from(this.parameterSets.flatMap((s) => s.inits));
  }
  suggestedBounds(): [number, number][] {
    return this.parameterSets.flatMap((s) => s.bounds.map((b) => [b[0], b[1]] as [number, number]));
  }
  suggestedFixed(): boolean[] {
    return this.parameterSets.flatMap((s) => s.fixed);
  }
  /** Bin range [start, stop) of a channel in the main data. */
  channelSlice(channel: string): [number, number] {
    let start = 0;
    for (const c of this.channels) {
      // channelNbins is built from this.channels, so every channel has an entry
      const nb = this.channelNbins[c]!;
      if (c === channel) return [start, start + nb];
      start += nb;
    }
    throw new HepflowError("UNKNOWN_CHANNEL", `no channel "${channel}" in the model`);
  }
}
