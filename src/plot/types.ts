/**
 * Plain input shapes of the plot kit. Plot functions take these instead of `Hist` or fit objects
 * so that plots depend on nothing but numbers; adapters.ts converts hepflow objects into them.
 */

/** A 1D histogram: `edges` has one entry more than `values`; flow bins are not included. */
export interface Hist1D {
  edges: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Sum of squared weights per bin; absent means Poisson (variance = value). */
  variances?: ArrayLike<number>;
  /** Legend entry (process, variation name). */
  label?: string;
}

/** A 2D histogram: `values[ix * ny + iy]` (x-major, as numpy/`Hist` order), no flow bins. */
export interface Hist2D {
  xEdges: ArrayLike<number>;
  yEdges: ArrayLike<number>;
  values: ArrayLike<number>;
  label?: string;
}

/** A maximum-likelihood fit result in the parameter order of `parameterNames`. */
export interface FitResultInput {
  parameterNames: string[];
  bestfit: ArrayLike<number>;
  uncertainties: ArrayLike<number>;
  /** Row-major n×n correlation matrix (array of rows or flat length n²). */
  correlation: ArrayLike<number>[] | ArrayLike<number>;
}

/** Pre-fit expectation of a nuisance parameter, for pulls = (θ̂ − θ₀)/Δθ. */
export interface ParameterPrior {
  /** Nominal value θ₀ (0 for normsys/histosys, 1 for shapesys/staterror). */
  center: number;
  /** Pre-fit width Δθ (1 for Gaussian-constrained parameters). */
  width: number;
}

/** One row of an impact ranking: shifts of the POI when a nuisance parameter is moved by ±1σ. */
export interface RankingEntry {
  parameter: string;
  /** POI shift for θ = θ̂ ± pre-fit σ. */
  prefitUp: number;
  prefitDown: number;
  /** POI shift for θ = θ̂ ± post-fit σ. */
  postfitUp: number;
  postfitDown: number;
  /** Pull (θ̂ − θ₀)/Δθ and constraint σ̂/Δθ of the parameter itself. */
  pull: number;
  constraint: number;
}

/** One point of a CLs scan: observed CLs and the five expected bands [−2σ, −1σ, median, +1σ, +2σ]. */
export interface ClsPoint {
  poi: number;
  clsObs: number;
  clsExp: [number, number, number, number, number];
}

/** One point of an exclusion curve: the upper limit on the POI at a value of a signal parameter (e.g. a mass). */
export interface LimitPoint {
  x: number;
  observed: number;
  /** Expected limits [−2σ, −1σ, median, +1σ, +2σ]. */
  expected: [number, number, number, number, number];
}

/** A ROC curve: signal efficiency versus background efficiency (or rejection), one point per cut. */
export interface RocCurveInput {
  signalEfficiency: ArrayLike<number>;
  backgroundEfficiency: ArrayLike<number>;
  label?: string;
}

/** Experiment label conventions, after mplhep's CMS and ATLAS styles. */
export type Experiment = "CMS" | "ATLAS" | "none";

/** Options shared by all plot kinds. */
export interface StyleOptions {
  experiment?: Experiment;
  /** Text after the experiment name: "Open Data", "Preliminary", "Internal"... Default none. */
  status?: string;
  /** Integrated luminosity in fb⁻¹; shown at the top right with √s. */
  luminosity?: number;
  /** Centre-of-mass energy in TeV; default none (not drawn). */
  energy?: number;
  /** Plot title, drawn under the label when set. */
  title?: string;
  /** Plot area size in pixels (the main panel; ratio panels are added below). */
  width?: number;
  height?: number;
  /** Font family used for every text; must be installed or shipped (see render.ts). */
  font?: string;
}

/** Options of the 1D histogram plots. */
export interface Hist1DPlotOptions extends StyleOptions {
  /** x-axis title with units, e.g. "m_bjj [GeV]". */
  xTitle?: string;
  /** y-axis title; default "Events / bin". */
  yTitle?: string;
  logY?: boolean;
  /** Ratio panel y range; default centred on 1 and wide enough for the data. */
  ratioRange?: [number, number];
  /** Draw the data/MC ratio panel (default true for stacks; false for a single histogram). */
  ratio?: boolean;
  /** Draw the uncertainty band (default true for stacks; false for a single histogram). */
  band?: boolean;
  /** Ratio panel y title. */
  ratioTitle?: string;
}
