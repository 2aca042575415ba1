/** The contract between the model compiler and the one-file-per-kind modifier implementations. */

/** Bin layout of the model: channels sorted by name, samples sorted by name, global bins concatenated. */
export interface Layout {
  channels: string[];
  channelNbins: number[];
  channelOffset: number[];
  samples: string[];
  /** Total number of bins over all channels. */
  nbins: number;
  /** Nominal yields, [sample * nbins + globalBin], 0 where a sample is absent from a channel. */
  nominal: Float64Array;
}

/** What a modifier asks of its parameter set (pyhf's required_parset). */
export interface ParamRequirement {
  type: string;
  n: number;
  scalar: boolean;
  constraint: "normal" | "poisson" | null;
  inits: number[] | null;
  bounds: [number, number][] | null;
  fixed: boolean[];
  auxdata?: number[] | null;
  sigmas?: number[] | null;
  factors?: number[] | null;
}

/** Where a modifier instance sits: channel index, sample index, the modifier's JSON. */
export interface Placement<D> {
  channel: number;
  sample: number;
  name: string;
  data: D;
  /** Path of the modifier in the workspace JSON, for error messages. */
  path: string;
}

/**
 * Compiled modifiers of one kind: entries acting on (sample, global bin) cells. Each entry depends
 * on exactly one parameter, so value and derivative per entry are all the gradient needs.
 */
export interface TermBlock {
  op: "factor" | "delta";
  /** Cell index sample * nbins + bin, per entry. */
  target: Int32Array;
  /** Parameter index per entry. */
  param: Int32Array;
  /** Fill value, d value / d param and (when `deriv2` is given) d² value / d param² for every entry at `pars`. */
  evaluate(pars: Float64Array, value: Float64Array, deriv: Float64Array, deriv2?: Float64Array): void;
}

/** One modifier kind: collects its placements, states parameter requirements, compiles to terms. */
export interface ModifierKind {
  readonly type: string;
  add(p: Placement<unknown>): void;
  /** Requirements in pyhf's registration order (name → list, one per occurrence). */
  requirements(): Map<string, ParamRequirement[]>;
  compile(offsets: Map<string, number>): TermBlock | null;
}

/**
 * Linear terms over every bin of every placement: one entry per (sample, bin) whose parameter is
 * the modifier's first parameter plus `perBin ? b : 0` (scalar factors share one parameter across
 * the channel; per-bin factors have one parameter per bin).
 */
export function placementTerms(placements: readonly Placement<unknown>[], layout: Layout, offsets: Map<string, number>, perBin: boolean): TermBlock | null {
  if (!placements.length) return null;
  const target: number[] = [];
  const param: number[] = [];
  const { nbins, channelNbins, channelOffset } = layout;
  for (const p of placements) {
    for (let b = 0; b < channelNbins[p.channel]!; b++) {
      target.push(p.sample * nbins + channelOffset[p.channel]! + b);
      param.push(offsets.get(p.name)! + (perBin ? b : 0));
    }
  }
  return linearTerms(target, param);
}

/** Entries with value = θ (normfactor, lumi, shapefactor, shapesys, staterror). */
export function linearTerms(target: number[], param: number[]): TermBlock {
  const t = Int32Array.from(target);
  const p = Int32Array.from(param);
  return {
    op: "factor",
    target: t,
    param: p,
    evaluate(pars, value, deriv, deriv2) {
      for (let i = 0; i < p.length; i++) {
        value[i] = pars[p[i]!]!;
        deriv[i] = 1;
      }
      deriv2?.fill(0);
    },
  };
}
