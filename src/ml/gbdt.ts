/**
 * A histogram-based gradient-boosted decision tree trainer for binary classification, written here
 * because no maintained JavaScript GBDT library exists (the npm packages found are unmaintained
 * ports without histogram binning or early stopping). The algorithm is the one of LightGBM,
 * XGBoost `hist` and scikit-learn's HistGradientBoostingClassifier: features quantised into at
 * most 255 bins once, per-node gradient/hessian histograms (the larger child's by subtraction),
 * best-first leaf growth under a leaf and depth limit, logistic loss with L2 on leaf values,
 * shrinkage, and early stopping on a validation split. The result is an XGBoost JSON model (the
 * 1.7 layout) that src/ml/xgboost.ts and XGBoost itself load and score identically: split
 * thresholds are float32 bin edges and a value goes left iff x < threshold, as in XGBoost.
 */
import { HepflowError } from "../util/index.js";

export interface GbdtOptions {
  /** Boosting rounds at most (default 200). */
  maxIter?: number;
  learningRate?: number;
  /** Leaves per tree at most (default 31). */
  maxLeaves?: number;
  /** Depth at most (default unlimited: only maxLeaves bounds the tree). */
  maxDepth?: number;
  /** L2 penalty λ on leaf values (default 0). */
  l2?: number;
  /** Minimum rows in a leaf (default 20) and minimum hessian sum (default 1e-3). */
  minSamplesLeaf?: number;
  minHessianLeaf?: number;
  /** Bins per feature, 2–255 (default 255); missing values (NaN) get a bin of their own. */
  maxBins?: number;
  /** Stop after this many rounds without a validation-loss improvement > tol (default 10; 0 = off). */
  patience?: number;
  tol?: number;
  /** Weight per class [background, signal] (default [1, 1]); "balanced" equalises the class sums. */
  classWeight?: [number, number] | "balanced";
  featureNames?: string[];
  /** Called once per round with the training and validation log-loss. */
  onRound?: (round: number, trainLoss: number, validLoss: number | undefined) => void;
}

/** A data set: row-major float32 features and 0/1 labels. */
export interface GbdtData {
  x: Float32Array;
  y: Uint8Array;
  rows: number;
  nFeatures: number;
}

interface Node {
  rows: Uint32Array;
  depth: number;
  g: number;
  h: number;
  hist?: Float64Array;
  split?: Split;
  /** Index in the output tree arrays. */
  id: number;
}
interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gL: number;
  hL: number;
  nL: number;
}

interface OutTree {
  bin: number[];
  left: number[];
  right: number[];
  feature: number[];
  cond: number[];
  defaultLeft: number[];
  gain: number[];
  hess: number[];
  weight: number[];
  parent: number[];
}

/** The trained model: XGBoost JSON plus the learning curve. */
export interface GbdtResult {
  /** The model as XGBoost JSON text (write it to `model.json`). */
  modelJson: string;
  trees: number;
  bestIteration: number;
  trainLoss: number[];
  validLoss: number[];
  /** Total split gain per feature (XGBoost's "total_gain" importance). */
  importance: number[];
  seconds: number;
}

/** Quantile bin edges per feature (float32, strictly increasing): bin k holds edges[k-1] ≤ x < edges[k]. */
function binEdges(d: GbdtData, f: number, maxBins: number): Float32Array {
  const vals: number[] = [];
  const step = Math.max(1, Math.floor(d.rows / 200_000));
  for (let r = 0; r < d.rows; r += step) {
    const v = d.x[r * d.nFeatures + f]!;
    if (v === v) vals.push(v);
  }
  const sorted = Float32Array.from(vals).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) edges.push(Math.fround((distinct[i - 1]! + distinct[i]!) / 2));
  } else {
    for (let k = 1; k < maxBins; k++) {
      const v = sorted[Math.floor((k * sorted.length) / maxBins)]!;
      if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
    }
  }
  // A midpoint may round onto the lower value in float32; keep only edges that separate something.
  return Float32Array.from(edges.filter((e, i) => i === 0 || e > edges[i - 1]!));
}

function binColumn(d: GbdtData, f: number, edges: Float32Array, missingBin: number): Uint8Array {
  const out = new Uint8Array(d.rows);
  for (let r = 0; r < d.rows; r++) {
    const v = d.x[r * d.nFeatures + f]!;
    if (v !== v) {
      out[r] = missingBin;
      continue;
    }
    let lo = 0,
      hi = edges.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (v < edges[m]!) hi = m;
      else lo = m + 1;
    }
    out[r] = lo;
  }
  return out;
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

function logLoss(margin: Float64Array, y: Uint8Array, w: Float64Array): number {
  let s = 0,
    sw = 0;
  for (let i = 0; i < margin.length; i++) {
    const m = margin[i]!;
    // log(1 + e^-|m|) + max(m, 0) - y m, stable for large |m|
    s += w[i]! * (Math.log1p(Math.exp(-Math.abs(m))) + Math.max(m, 0) - y[i]! * m);
    sw += w[i]!;
  }
  return s / sw;
}

function checkData(d: GbdtData, what: string): void {
  if (d.x.length !== d.rows * d.nFeatures || d.y.length !== d.rows) throw new HepflowError("ML_SHAPE", `${what}: ${d.x.length} values and ${d.y.length} labels for ${d.rows} rows × ${d.nFeatures} features`);
  for (let i = 0; i < d.rows; i++) if (d.y[i]! > 1) throw new HepflowError("ML_BAD_LABEL", `${what}: label of row ${i} is ${d.y[i]}, expected 0 or 1`);
}

/** Trains on `train`, early-stopping on `valid` if given; deterministic (no randomness inside). */
export function trainGbdt(train: GbdtData, valid: GbdtData | undefined, o: GbdtOptions = {}): GbdtResult {
  const t0 = performance.now();
  const maxIter = o.maxIter ?? 200,
    lr = o.learningRate ?? 0.1,
    maxLeaves = o.maxLeaves ?? 31;
  const maxDepth = o.maxDepth ?? Infinity,
    lambda = o.l2 ?? 0,
    minLeaf = o.minSamplesLeaf ?? 20,
    minHess = o.minHessianLeaf ?? 1e-3;
  const maxBins = o.maxBins ?? 255,
    patience = o.patience ?? 10,
    tol = o.tol ?? 1e-7;
  if (!(maxBins >= 2 && maxBins <= 255)) throw new HepflowError("ML_BAD_OPTION", `maxBins must be within 2–255, got ${maxBins}`);
  if (!(maxLeaves >= 2)) throw new HepflowError("ML_BAD_OPTION", `maxLeaves must be at least 2, got ${maxLeaves}`);
  checkData(train, "training data");
  if (valid) {
    checkData(valid, "validation data");
    if (valid.nFeatures !== train.nFeatures) throw new HepflowError("ML_SHAPE", `validation data has ${valid.nFeatures} features, training data ${train.nFeatures}`);
  }
  const F = train.nFeatures,
    N = train.rows;
  const nPos = train.y.reduce((s, v) => s + v, 0);
  if (nPos === 0 || nPos === N) throw new HepflowError("ML_BAD_LABEL", "training data must contain both classes");
  const cw: [number, number] = o.classWeight === "balanced" ? [N / (2 * (N - nPos)), N / (2 * nPos)] : (o.classWeight ?? [1, 1]);

  // Bins: edges per feature, then one bin index column per feature. NaN goes to bin nBins[f].
  const edges = Array.from({ length: F }, (_, f) => binEdges(train, f, maxBins));
  const nBins = edges.map((e) => e.length + 2); // value bins (edges + 1) and the missing bin
  const bins = edges.map((e, f) => binColumn(train, f, e, e.length + 1));
  const vbins = valid ? edges.map((e, f) => binColumn(valid, f, e, e.length + 1)) : undefined;
  const histOffset = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) histOffset[f + 1] = histOffset[f]! + nBins[f]!;
  const histLen = histOffset[F]! * 3; // (g, h, count) per bin

  const w = Float64Array.from(train.y, (v) => cw[v]!);
  const vw = valid ? Float64Array.from(valid.y, (v) => cw[v]!) : undefined;
  let sw = 0,
    swy = 0;
  for (let i = 0; i < N; i++) {
    sw += w[i]!;
    swy += w[i]! * train.y[i]!;
  }
  // XGBoost stores base_score in probability space as float32 text; the margin our evaluator and XGBoost derive from it
  const baseScore = Math.fround(swy / sw);
  const baseMargin = Math.fround(-Math.log(1 / baseScore - 1));
  const margin = new Float64Array(N).fill(baseMargin);
  const vmargin = valid ? new Float64Array(valid.rows).fill(baseMargin) : undefined;
  const g = new Float64Array(N),
    h = new Float64Array(N);

  // gradients of the node's rows gathered once, so the per-feature passes read them sequentially
  const gg = new Float64Array(N),
    hh = new Float64Array(N);
  // histogram buffers are recycled: a fresh 60 kB array per node costs more in GC than the filling
  const pool: Float64Array[] = [];
  const release = (node: Node) => {
    if (node.hist) pool.push(node.hist);
    node.hist = undefined;
  };
  const buildHist = (rows: Uint32Array): Float64Array => {
    const hist = pool.pop()?.fill(0) ?? new Float64Array(histLen),
      n = rows.length;
    for (let k = 0; k < n; k++) {
      const r = rows[k]!;
      gg[k] = g[r]!;
      hh[k] = h[r]!;
    }
    for (let f = 0; f < F; f++) {
      const col = bins[f]!,
        off = histOffset[f]! * 3;
      for (let k = 0; k < n; k++) {
        const b = off + col[rows[k]!]! * 3;
        hist[b]! += gg[k]!;
        hist[b + 1]! += hh[k]!;
        hist[b + 2]!++;
      }
    }
    return hist;
  };
  const score = (G: number, H: number) => (G * G) / (H + lambda);
  const findSplit = (node: Node): Split | undefined => {
    if (node.depth >= maxDepth || node.rows.length < 2 * minLeaf) return undefined;
    const hist = node.hist!,
      parent = score(node.g, node.h);
    let best: Split | undefined;
    for (let f = 0; f < F; f++) {
      const off = histOffset[f]! * 3,
        nb = nBins[f]! - 1; // value bins
      const mG = hist[off + nb * 3]!,
        mH = hist[off + nb * 3 + 1]!,
        mN = hist[off + nb * 3 + 2]!;
      for (let pass = 0; pass < (mN > 0 ? 2 : 1); pass++) {
        const missingLeft = pass === 1;
        let gL = missingLeft ? mG : 0,
          hL = missingLeft ? mH : 0,
          nL = missingLeft ? mN : 0;
        for (let b = 0; b < nb - 1; b++) {
          gL += hist[off + b * 3]!;
          hL += hist[off + b * 3 + 1]!;
          nL += hist[off + b * 3 + 2]!;
          const nR = node.rows.length - nL,
            hR = node.h - hL;
          if (nL < minLeaf || hL < minHess) continue;
          if (nR < minLeaf || hR < minHess) break;
          const gain = score(gL, hL) + score(node.g - gL, hR) - parent;
          if (gain > 1e-12 && (!best || gain > best.gain)) best = { gain, feature: f, bin: b, missingLeft, gL, hL, nL };
        }
      }
    }
    return best;
  };

  const trees: OutTree[] = [];
  const trainLoss: number[] = [],
    validLoss: number[] = [];
  const importance = new Array<number>(F).fill(0);
  let bestLoss = Infinity,
    bestIter = -1,
    sinceBest = 0;
  const allRows = Uint32Array.from({ length: N }, (_, i) => i);

  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < N; i++) {
      const p = sigmoid(margin[i]!);
      g[i] = w[i]! * (p - train.y[i]!);
      h[i] = w[i]! * Math.max(p * (1 - p), 1e-16);
    }
    const tree: OutTree = { bin: [], left: [], right: [], feature: [], cond: [], defaultLeft: [], gain: [], hess: [], weight: [], parent: [] };
    const addNode = (parent: number, G: number, H: number) => {
      tree.bin.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.feature.push(0);
      tree.defaultLeft.push(0);
      tree.gain.push(0);
      tree.hess.push(H);
      tree.parent.push(parent);
      const v = Math.fround((-G / (H + lambda)) * lr);
      tree.weight.push(v);
      tree.cond.push(v);
      return tree.left.length - 1;
    };
    let G0 = 0,
      H0 = 0;
    for (let i = 0; i < N; i++) {
      G0 += g[i]!;
      H0 += h[i]!;
    }
    const root: Node = { rows: allRows, depth: 0, g: G0, h: H0, id: addNode(2147483647, G0, H0) };
    root.hist = buildHist(root.rows);
    root.split = findSplit(root);
    const open: Node[] = root.split ? [root] : [];
    const leaves: Node[] = root.split ? [] : [root];
    let nLeaves = 1;
    while (open.length > 0 && nLeaves < maxLeaves) {
      // best-first: split the open node of largest gain
      let bi = 0;
      for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[bi]!.split!.gain) bi = k;
      const node = open.splice(bi, 1)[0]!;
      const s = node.split!;
      const col = bins[s.feature]!,
        missingBin = nBins[s.feature]! - 1;
      const L = new Uint32Array(s.nL),
        R = new Uint32Array(node.rows.length - s.nL);
      let li = 0,
        ri = 0;
      for (let k = 0, nr = node.rows.length; k < nr; k++) {
        const r = node.rows[k]!,
          b = col[r]!;
        if (b === missingBin ? s.missingLeft : b <= s.bin) L[li++] = r;
        else R[ri++] = r;
      }
      const j = node.id;
      tree.left[j] = addNode(j, s.gL, s.hL);
      tree.right[j] = addNode(j, node.g - s.gL, node.h - s.hL);
      tree.feature[j] = s.feature;
      tree.bin[j] = s.bin;
      tree.cond[j] = edges[s.feature]![s.bin]!;
      tree.defaultLeft[j] = s.missingLeft ? 1 : 0;
      tree.gain[j] = s.gain;
      importance[s.feature]! += s.gain;
      const left: Node = { rows: L, depth: node.depth + 1, g: s.gL, h: s.hL, id: tree.left[j]! };
      const right: Node = { rows: R, depth: node.depth + 1, g: node.g - s.gL, h: node.h - s.hL, id: tree.right[j]! };
      // histogram of the smaller child by summation, the larger one by subtraction from the parent
      const [small, large] = L.length <= R.length ? [left, right] : [right, left];
      small.hist = buildHist(small.rows);
      large.hist = node.hist!;
      node.hist = undefined; // now owned by the larger child
      for (let k = 0; k < histLen; k++) large.hist[k]! -= small.hist[k]!;
      nLeaves++;
      for (const c of [left, right]) {
        c.split = findSplit(c);
        if (c.split) open.push(c);
        else {
          release(c);
          leaves.push(c);
        }
      }
    }
    for (const n of [...open, ...leaves]) {
      release(n);
      const v = tree.weight[n.id]!,
        rows = n.rows;
      for (let k = 0; k < rows.length; k++) margin[rows[k]!]! += v;
    }
    trees.push(tree);
    trainLoss.push(logLoss(margin, train.y, w));
    let vl: number | undefined;
    if (valid && vmargin && vbins) {
      for (let r = 0; r < valid.rows; r++) vmargin[r]! += leafValue(tree, vbins, edges, r);
      vl = logLoss(vmargin, valid.y, vw!);
      validLoss.push(vl);
    }
    o.onRound?.(it, trainLoss[it]!, vl);
    const monitored = vl ?? trainLoss[it]!;
    if (monitored < bestLoss - tol) {
      bestLoss = monitored;
      bestIter = it;
      sinceBest = 0;
    } else if (patience > 0 && ++sinceBest >= patience) break;
    if (tree.left.length === 1 && it > 0) break; // nothing left to learn
  }
  // keep the trees up to the best round (as sklearn's early stopping does; XGBoost would keep all and record best_iteration)
  if (patience > 0) trees.length = bestIter + 1;
  return {
    modelJson: xgboostJsonText(xgboostJson(trees, F, baseScore, o.featureNames, trees.length - 1)),
    trees: trees.length,
    bestIteration: trees.length - 1,
    trainLoss,
    validLoss,
    importance,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The tree's leaf value for validation row r, walking with bin indices (equivalent to x < edge). */
function leafValue(t: OutTree, vbins: Uint8Array[], edges: Float32Array[], r: number): number {
  let n = 0;
  while (t.left[n] !== -1) {
    const f = t.feature[n]!,
      b = vbins[f]![r]!;
    const missing = b === edges[f]!.length + 1;
    // bin b holds values < edges[b], so "x < cond = edges[s]" ⇔ b ≤ s
    const goLeft = missing ? t.defaultLeft[n] === 1 : b <= t.bin[n]!;
    n = goLeft ? t.left[n]! : t.right[n]!;
  }
  return t.weight[n]!;
}

/** The XGBoost 1.7 JSON document (`Booster.save_model` layout) for the trees. */
function xgboostJson(trees: OutTree[], nFeatures: number, baseScore: number, names: string[] | undefined, best: number): Record<string, unknown> {
  return {
    learner: {
      attributes: { best_iteration: String(best), best_ntree_limit: String(best + 1) },
      feature_names: names ?? [],
      feature_types: names ? names.map(() => "float") : [],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: "1", num_trees: String(trees.length), size_leaf_vector: "0" },
          tree_info: trees.map(() => 0),
          trees: trees.map((t, id) => ({
            base_weights: t.weight,
            categories: [],
            categories_nodes: [],
            categories_segments: [],
            categories_sizes: [],
            default_left: t.defaultLeft,
            id,
            left_children: t.left,
            loss_changes: t.gain,
            parents: t.parent,
            right_children: t.right,
            split_conditions: t.cond,
            split_indices: t.feature,
            split_type: t.left.map(() => 0),
            sum_hessian: t.hess,
            tree_param: { num_deleted: "0", num_feature: String(nFeatures), num_nodes: String(t.left.length), size_leaf_vector: "0" },
          })),
        },
        name: "gbtree",
      },
      learner_model_param: { base_score: baseScore.toExponential(8).toUpperCase(), boost_from_average: "1", num_class: "0", num_feature: String(nFeatures), num_target: "1" },
      objective: { name: "binary:logistic", reg_loss_param: { scale_pos_weight: "1" } },
    },
    version: [1, 7, 4],
  };
}

const FLOAT_ARRAYS = new Set(["base_weights", "loss_changes", "split_conditions", "sum_hessian"]);
const fmtFloat = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

/**
 * JSON text in which the float arrays are written as floats ("0.0", never "0"): XGBoost's JSON
 * reader distinguishes integers from numbers and rejects an integer where a float is expected.
 */
function xgboostJsonText(doc: Record<string, unknown>): string {
  const text = JSON.stringify(doc, (k, v) => (FLOAT_ARRAYS.has(k) ? `@@F${(v as number[]).map(fmtFloat).join(",")}@@` : v));
  return text.replace(/"@@F([^"]*)@@"/g, "[$1]");
}
