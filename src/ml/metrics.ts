/** Classifier figures of merit physicists quote: ROC curve, AUC, background rejection at a signal efficiency. */
import { HepflowError } from "../util/index.js";

export interface Roc {
  /** Signal efficiency (true-positive rate) and background efficiency (false-positive rate) per threshold, from (0,0) to (1,1). */
  signalEff: number[];
  backgroundEff: number[];
  auc: number;
}

/** ROC curve of `score` (higher = more signal-like) for 0/1 `label`, optional weights; ties share one point. */
export function rocCurve(score: ArrayLike<number>, label: ArrayLike<number>, weight?: ArrayLike<number>): Roc {
  const n = score.length;
  if (label.length !== n) throw new HepflowError("ML_SHAPE", `${n} scores but ${label.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  let S = 0,
    B = 0;
  for (let i = 0; i < n; i++) {
    const w = weight?.[i] ?? 1;
    if (label[i]) S += w;
    else B += w;
  }
  if (S === 0 || B === 0) throw new HepflowError("ML_BAD_LABEL", "a ROC curve needs both signal and background");
  const sig = [0],
    bkg = [0];
  let s = 0,
    b = 0,
    auc = 0;
  for (let k = 0; k < n; ) {
    const v = score[order[k]!]!;
    let ds = 0,
      db = 0;
    for (; k < n && score[order[k]!] === v; k++) {
      const i = order[k]!,
        w = weight?.[i] ?? 1;
      if (label[i]) ds += w;
      else db += w;
    }
    // trapezoid: a tied block counts half its signal against its background (the Mann–Whitney convention)
    auc += (db / B) * ((s + ds / 2) / S);
    s += ds;
    b += db;
    sig.push(s / S);
    bkg.push(b / B);
  }
  return { signalEff: sig, backgroundEff: bkg, auc };
}

/** 1 / (background efficiency) at the given signal efficiency, linearly interpolated on the ROC curve. */
export function backgroundRejection(roc: Roc, signalEff: number): number {
  const { signalEff: s, backgroundEff: b } = roc;
  for (let i = 1; i < s.length; i++) {
    if (s[i]! >= signalEff) {
      const t = s[i] === s[i - 1] ? 1 : (signalEff - s[i - 1]!) / (s[i]! - s[i - 1]!);
      const eb = b[i - 1]! + t * (b[i]! - b[i - 1]!);
      return eb > 0 ? 1 / eb : Infinity;
    }
  }
  return 1;
}

/** Row indices shuffled with a seed (xorshift32 Fisher–Yates), for reproducible train/validation/test splits. */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  const idx = Uint32Array.from({ length: n }, (_, i) => i);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}
