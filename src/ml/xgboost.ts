/**
 * XGBoost JSON models (the `save_model("m.json")` format of XGBoost 1.x–3.x), evaluated by our
 * own traversal: all trees flattened into a few typed arrays, rows walked tree by tree so one
 * tree's nodes stay in cache, margins summed in float32 in tree order as XGBoost does (which
 * makes the margin bit-identical to XGBoost's, checked against ../shared/reference/ml).
 */
import { HepflowError } from "../util/index.js";
import type { Model } from "./model.js";

/** How an objective turns margins into predictions, and how base_score becomes a margin offset. */
type Link = "identity" | "logistic" | "exp" | "softmax" | "argmax" | "hinge";

const OBJECTIVES: Record<string, Link> = {
  "binary:logistic": "logistic",
  "reg:logistic": "logistic",
  "binary:logitraw": "identity",
  "reg:squarederror": "identity",
  "reg:linear": "identity",
  "reg:squaredlogerror": "identity",
  "reg:pseudohubererror": "identity",
  "reg:absoluteerror": "identity",
  "reg:quantileerror": "identity",
  "count:poisson": "exp",
  "reg:gamma": "exp",
  "reg:tweedie": "exp",
  "survival:cox": "exp",
  "survival:aft": "exp",
  "multi:softprob": "softmax",
  "multi:softmax": "argmax",
  "binary:hinge": "hinge",
  "rank:pairwise": "identity",
  "rank:ndcg": "identity",
  "rank:map": "identity",
};

/** The parsed, flattened form of one XGBoost model. */
export interface XGBoostForest {
  objective: string;
  nFeatures: number;
  /** Number of output columns: classes for multi:*, targets otherwise (1 for the usual case). */
  nGroups: number;
  /** Margin offset per group (base_score already mapped through the objective's inverse link). */
  baseMargin: Float32Array;
  featureNames?: string[];
  /** Per kept tree: its root node index in the flat arrays, its output group and its weight (dart). */
  roots: Int32Array;
  groups: Int32Array;
  /** Flat node arrays over all trees. A leaf has left = -1 and its value in `value`. */
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  value: Float32Array;
  defaultLeft: Uint8Array;
}

const bad = (file: string, object: string, msg: string) => new HepflowError("ML_BAD_XGBOOST", msg, { file, object });

/**
 * base_score as stored: a decimal string ("5E-1", XGBoost ≤ 2.x), or a bracketed list ("[5E-1]",
 * or one value per class/target, XGBoost ≥ 3.0). It is in output space (a probability for
 * logistic objectives); the margin offset is its inverse link, as XGBoost's ProbToMargin.
 */
function baseScores(raw: unknown, n: number, file: string): number[] {
  let vals: number[];
  if (typeof raw === "number") vals = [raw];
  else if (typeof raw === "string") {
    const s = raw.trim();
    vals = s.startsWith("[")
      ? s
          .slice(1, -1)
          .split(",")
          .filter((t) => t.trim() !== "")
          .map(Number)
      : [Number(s)];
  } else if (raw === undefined) vals = [0.5];
  else throw bad(file, "learner.learner_model_param.base_score", "base_score is neither a number nor a string");
  if (vals.some((v) => !Number.isFinite(v))) throw bad(file, "learner.learner_model_param.base_score", `base_score "${String(raw)}" is not a number`);
  if (vals.length === 1) return Array.from({ length: n }, () => vals[0]!);
  if (vals.length !== n) throw bad(file, "learner.learner_model_param.base_score", `base_score has ${vals.length} values for ${n} outputs`);
  return vals;
}

function toMargin(link: Link, p: number, file: string): number {
  if (link === "logistic") {
    if (!(p > 0 && p < 1)) throw bad(file, "learner.learner_model_param.base_score", `base_score ${p} must lie in (0, 1) for a logistic objective`);
    return -Math.log(1 / p - 1);
  }
  if (link === "exp") {
    if (!(p > 0)) throw bad(file, "learner.learner_model_param.base_score", `base_score ${p} must be positive for a log-link objective`);
    return Math.log(p);
  }
  // multi:softprob and softmax use base_score directly as a margin (0.5 for every class cancels in softmax)
  return p;
}

interface RawTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: (number | boolean)[];
  split_type?: number[];
  base_weights?: number[];
}

/** Parse an XGBoost JSON model (object already JSON-parsed) into flat arrays; `file` names it in errors. */
export function parseXGBoost(json: unknown, file = "<xgboost model>"): XGBoostForest {
  const learner = (json as { learner?: Record<string, unknown> })?.learner;
  if (!learner || typeof learner !== "object") throw bad(file, "learner", 'not an XGBoost JSON model (no "learner"); save it with booster.save_model("model.json")');
  const objective = String((learner.objective as { name?: string })?.name ?? "");
  const link = OBJECTIVES[objective];
  if (!link) throw bad(file, "learner.objective.name", `objective "${objective}" is not supported (supported: ${Object.keys(OBJECTIVES).join(", ")})`);
  const mp = (learner.learner_model_param ?? {}) as Record<string, unknown>;
  const nFeatures = Number(mp.num_feature);
  if (!Number.isInteger(nFeatures) || nFeatures <= 0) throw bad(file, "learner.learner_model_param.num_feature", "num_feature is missing or not a positive integer");
  const nClass = Number(mp.num_class ?? 0);
  const nTarget = Number(mp.num_target ?? 1);
  const nGroups = Math.max(nClass, nTarget, 1);

  const gb = learner.gradient_booster as { name?: string; model?: unknown; gbtree?: { model?: unknown }; weight_drop?: number[] };
  let model = gb?.model as { trees?: RawTree[]; tree_info?: number[] } | undefined;
  let weights: number[] | undefined;
  if (gb?.name === "dart") {
    model = gb.gbtree?.model as typeof model;
    weights = gb.weight_drop;
  } else if (gb?.name !== "gbtree") {
    throw bad(file, "learner.gradient_booster.name", `booster "${String(gb?.name)}" is not supported (gbtree and dart are)`);
  }
  const trees = model?.trees;
  if (!Array.isArray(trees)) throw bad(file, "learner.gradient_booster.model.trees", "no trees array");
  const info = model?.tree_info ?? trees.map(() => 0);

  // How many trees to use: all of them. best_iteration is advice for predict(iteration_range=...), which
  // XGBoost's own predict() ignores unless asked, so we do too.
  const keep: number[] = [];
  let nNodes = 0;
  trees.forEach((t, i) => {
    const place = `learner.gradient_booster.model.trees[${i}]`;
    const n = t?.left_children?.length;
    if (!n || t.right_children?.length !== n || t.split_indices?.length !== n || t.split_conditions?.length !== n || t.default_left?.length !== n) throw bad(file, place, "tree arrays are missing or of different lengths");
    if (t.split_type?.some((s) => s !== 0)) throw bad(file, place, "categorical splits are not supported");
    // A tree that is only a leaf of value ±0 adds nothing (the AGC models have ~190 of them): skip it.
    if (n === 1 && t.split_conditions[0] === 0 && (weights?.[i] ?? 1) !== 0) return;
    keep.push(i);
    nNodes += n;
  });

  const left = new Int32Array(nNodes),
    right = new Int32Array(nNodes),
    feature = new Int32Array(nNodes);
  const value = new Float32Array(nNodes),
    defaultLeft = new Uint8Array(nNodes);
  const roots = new Int32Array(keep.length),
    groups = new Int32Array(keep.length);
  let at = 0;
  keep.forEach((ti, k) => {
    const t = trees[ti]!;
    const n = t.left_children.length;
    const w = weights?.[ti] ?? 1;
    roots[k] = at;
    groups[k] = info[ti] ?? 0;
    if (groups[k]! < 0 || groups[k]! >= nGroups) throw bad(file, `learner.gradient_booster.model.tree_info[${ti}]`, `tree group ${groups[k]} outside 0..${nGroups - 1}`);
    for (let j = 0; j < n; j++) {
      const l = t.left_children[j]!,
        r = t.right_children[j]!,
        f = t.split_indices[j]!;
      if (l === -1) {
        left[at + j] = -1;
        value[at + j] = w === 1 ? t.split_conditions[j]! : Math.fround(t.split_conditions[j]! * w);
      } else {
        if (!(l > j && l < n && r > j && r < n)) throw bad(file, `learner.gradient_booster.model.trees[${ti}]`, `node ${j} has children ${l}, ${r} outside the tree`);
        if (!(f >= 0 && f < nFeatures)) throw bad(file, `learner.gradient_booster.model.trees[${ti}]`, `node ${j} splits on feature ${f}, but the model has ${nFeatures}`);
        left[at + j] = at + l;
        right[at + j] = at + r;
        feature[at + j] = f;
        value[at + j] = t.split_conditions[j]!;
        defaultLeft[at + j] = t.default_left[j] ? 1 : 0;
      }
    }
    at += n;
  });

  const baseMargin = Float32Array.from(baseScores(mp.base_score, nGroups, file), (p) => toMargin(link, p, file));
  const names = learner.feature_names;
  return {
    objective,
    nFeatures,
    nGroups,
    baseMargin,
    roots,
    groups,
    left,
    right,
    feature,
    value,
    defaultLeft,
    featureNames: Array.isArray(names) && names.length === nFeatures ? names.map(String) : undefined,
  };
}

/**
 * Margins for `rows` rows of `x` (row-major float32, nFeatures per row): one column of `rows`
 * values per output group, group-major ([g * rows + r]). Splits go left iff x < threshold in
 * float32; NaN fails both comparisons and takes the node's default direction.
 *
 * Speed: a tree walk is a chain of dependent loads and unpredictable branches, so four rows walk
 * each tree in lockstep (four independent chains in flight) and a step has no branch: the next
 * node is left + (went right) with the two children adjacent, leaves lead to themselves, and the
 * group of four stops when all four stand on leaves. The AGC trees are deep (up to 37 levels)
 * and narrow, where this is ~1.4× the one-row-at-a-time walk (bench/ml.bench.mjs).
 */
export function xgboostMargins(forest: XGBoostForest, x: Float32Array, rows: number): Float32Array {
  const { groups, nFeatures: NF, nGroups, baseMargin } = forest;
  const { i: I, f: T, leaf, isLeaf, roots } = packed(forest);
  if (x.length < rows * NF) throw new HepflowError("ML_SHAPE", `batch has ${x.length} values, expected ${rows} × ${NF}`);
  const out = new Float32Array(rows * nGroups);
  for (let g = 0; g < nGroups; g++) out.fill(baseMargin[g]!, g * rows, (g + 1) * rows);
  // Rows in blocks, so a block's features and margins stay in cache while every tree walks them.
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t]!;
      const o = groups[t]! * rows;
      let r = r0;
      for (; r + 4 <= r1; r += 4) {
        const b0 = r * NF,
          b1 = b0 + NF,
          b2 = b1 + NF,
          b3 = b2 + NF;
        let n0 = root,
          n1 = root,
          n2 = root,
          n3 = root,
          v = 0;
        // went right = (x ≥ thr) | (x is NaN & the default is right); a leaf has thr NaN and no default right
        while ((isLeaf[n0 >> 2]! & isLeaf[n1 >> 2]! & isLeaf[n2 >> 2]! & isLeaf[n3 >> 2]!) === 0) {
          v = x[b0 + I[n0 + 1]!]!;
          n0 = I[n0]! + ((+(v >= T[n0 + 2]!) | (+(v !== v) & I[n0 + 3]!)) << 2);
          v = x[b1 + I[n1 + 1]!]!;
          n1 = I[n1]! + ((+(v >= T[n1 + 2]!) | (+(v !== v) & I[n1 + 3]!)) << 2);
          v = x[b2 + I[n2 + 1]!]!;
          n2 = I[n2]! + ((+(v >= T[n2 + 2]!) | (+(v !== v) & I[n2 + 3]!)) << 2);
          v = x[b3 + I[n3 + 1]!]!;
          n3 = I[n3]! + ((+(v >= T[n3 + 2]!) | (+(v !== v) & I[n3 + 3]!)) << 2);
        }
        // storing into a Float32Array rounds the double sum of two float32s: exactly a float32 addition
        out[o + r]! += leaf[n0 >> 2]!;
        out[o + r + 1]! += leaf[n1 >> 2]!;
        out[o + r + 2]! += leaf[n2 >> 2]!;
        out[o + r + 3]! += leaf[n3 >> 2]!;
      }
      for (let base = r * NF; r < r1; r++, base += NF) {
        let n = root;
        while (isLeaf[n >> 2] === 0) {
          const v = x[base + I[n + 1]!]!;
          n = I[n]! + ((+(v >= T[n + 2]!) | (+(v !== v) & I[n + 3]!)) << 2);
        }
        out[o + r]! += leaf[n >> 2]!;
      }
    }
  }
  return out;
}

const BLOCK = 512;
interface Packed {
  i: Int32Array;
  f: Float32Array;
  leaf: Float32Array;
  isLeaf: Uint8Array;
  roots: Int32Array;
}
const packCache = new WeakMap<XGBoostForest, Packed>();

/**
 * Nodes re-laid out so that every node's two children are adjacent (breadth-first per tree), as
 * 4 × 4 bytes [left child offset (a leaf: itself), feature, threshold (a leaf: NaN), NaN goes
 * right (0/1)], one cache line per four nodes; leaf values and leaf flags beside.
 */
function packed(forest: XGBoostForest): Packed {
  let p = packCache.get(forest);
  if (p) return p;
  const n = forest.left.length;
  const buf = new ArrayBuffer(16 * n);
  const I = new Int32Array(buf),
    F = new Float32Array(buf),
    leaf = new Float32Array(n),
    isLeaf = new Uint8Array(n);
  const roots = new Int32Array(forest.roots.length);
  let next = 0;
  const queue = new Int32Array(n);
  const slot = new Int32Array(n); // old node → new index
  for (let t = 0; t < forest.roots.length; t++) {
    const root = forest.roots[t]!;
    let head = 0,
      tail = 0;
    queue[tail++] = root;
    slot[root] = next++;
    roots[t] = slot[root]! << 2;
    while (head < tail) {
      const old = queue[head++]!,
        k = slot[old]!;
      if (forest.left[old] === -1) {
        I[4 * k] = 4 * k;
        I[4 * k + 1] = 0;
        F[4 * k + 2] = NaN;
        I[4 * k + 3] = 0;
        leaf[k] = forest.value[old]!;
        isLeaf[k] = 1;
        continue;
      }
      const l = forest.left[old]!,
        r = forest.right[old]!;
      slot[l] = next;
      slot[r] = next + 1;
      next += 2;
      queue[tail++] = l;
      queue[tail++] = r;
      I[4 * k] = slot[l]! << 2;
      I[4 * k + 1] = forest.feature[old]!;
      F[4 * k + 2] = forest.value[old]!;
      I[4 * k + 3] = forest.defaultLeft[old] ? 0 : 1;
    }
  }
  p = { i: I, f: F, leaf, isLeaf, roots };
  packCache.set(forest, p);
  return p;
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

/**
 * Predictions in output space (what XGBoost's `predict()` returns), row-major rows × nGroups for
 * multi-output models and one value per row otherwise.
 */
export function xgboostPredict(forest: XGBoostForest, x: Float32Array, rows: number, opts: { margin?: boolean } = {}): Float32Array {
  const m = xgboostMargins(forest, x, rows);
  const G = forest.nGroups;
  const link = OBJECTIVES[forest.objective]!;
  if (opts.margin || link === "identity") return G === 1 ? m : transpose(m, rows, G);
  if (link === "logistic" || link === "exp" || link === "hinge") {
    const f = link === "logistic" ? sigmoid : link === "exp" ? Math.exp : (v: number) => (v > 0 ? 1 : 0);
    for (let i = 0; i < m.length; i++) m[i] = f(m[i]!);
    return G === 1 ? m : transpose(m, rows, G);
  }
  const out = new Float32Array(link === "argmax" ? rows : rows * G);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity,
      arg = 0;
    for (let g = 0; g < G; g++)
      if (m[g * rows + r]! > max) {
        max = m[g * rows + r]!;
        arg = g;
      }
    if (link === "argmax") {
      out[r] = arg;
      continue;
    }
    let s = 0;
    for (let g = 0; g < G; g++) s += Math.exp(m[g * rows + r]! - max);
    for (let g = 0; g < G; g++) out[r * G + g] = Math.exp(m[g * rows + r]! - max) / s;
  }
  return out;
}

function transpose(m: Float32Array, rows: number, G: number): Float32Array {
  const out = new Float32Array(rows * G);
  for (let g = 0; g < G; g++) for (let r = 0; r < rows; r++) out[r * G + g] = m[g * rows + r]!;
  return out;
}

/** An XGBoost forest behind the common Model interface. */
export function xgboostModel(forest: XGBoostForest, source: string): Model {
  const G = forest.nGroups;
  const link = OBJECTIVES[forest.objective]!;
  return {
    format: "xgboost",
    source,
    nFeatures: forest.nFeatures,
    nOutputs: link === "argmax" ? 1 : G,
    featureNames: forest.featureNames,
    outputNames: G === 1 || link === "argmax" ? ["score"] : Array.from({ length: G }, (_, g) => `class_${g}`),
    predictSync: (x, rows) => xgboostPredict(forest, x, rows),
    predict: async (x, rows) => xgboostPredict(forest, x, rows),
    dispose: async () => {},
  };
}
