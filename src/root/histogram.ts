/**
 * A histogram as ROOT stores it (TH1*, TH2*, TProfile), as plain data. The reader returns it,
 * the writer takes it, and hist/ converts it to and from `Hist`. Bin arrays use ROOT's layout:
 * under/overflow included, global bin = x + (nx+2) * (y + (ny+2) * z).
 */
export interface RootAxis {
  nbins: number;
  xmin: number;
  xmax: number;
  /** Bin edges (nbins+1) for variable binning; absent for regular binning. */
  edges?: Float64Array;
  /** Axis title (may carry units, e.g. "H_{T} [GeV]"). */
  title: string;
  /** Bin labels for category axes (one per bin), when set. */
  labels?: string[];
}

export interface RootHistogram {
  /** "TH1F", "TH1D", "TH1I", "TH2F", "TH2D", "TProfile", ... */
  className: string;
  name: string;
  title: string;
  dimension: 1 | 2 | 3;
  xaxis: RootAxis;
  yaxis?: RootAxis;
  zaxis?: RootAxis;
  /** Bin contents with flow bins, in ROOT's global bin order. */
  contents: Float64Array;
  /** Sum of squared weights per bin (fSumw2), when ROOT stored it. */
  sumw2?: Float64Array;
  entries: number;
  /** ROOT's running statistics: sum w, sum w^2, sum w*x, sum w*x^2 (and y, xy for 2D). */
  stats: { tsumw: number; tsumw2: number; tsumwx: number; tsumwx2: number; tsumwy?: number; tsumwy2?: number; tsumwxy?: number };
  /** TProfile only: per-bin entries and sums of y-weights; `contents` holds sum w*y. */
  profile?: { binEntries: Float64Array; sumwy2: Float64Array; binSumw2?: Float64Array; errorMode: number; ymin: number; ymax: number };
}
