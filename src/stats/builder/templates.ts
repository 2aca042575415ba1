/**
 * Systematic variations turned into HistFactory modifier data, with cabinetry's conventions:
 * Normalization → normsys; NormPlusShape → a normsys with the yield change plus a histosys with
 * the shape change at fixed yield; symmetrisation mirrors the up variation around the nominal.
 */
import type { HistoSysData, NormSysData } from "../spec.js";

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

/** normsys factors for a Normalization systematic: hi = 1 + up, lo = 1 + down, or 2 − hi when symmetrised. */
export function normalizationModifier(up: number, down: number | undefined): NormSysData {
  const hi = 1 + up;
  return { hi, lo: down === undefined ? 2 - hi : 1 + down };
}

/**
 * normsys + histosys data for a NormPlusShape systematic from the nominal and up templates and
 * either a down template or `null` to symmetrise (down = mirror of the normalised up shape).
 */
export function normPlusShapeModifiers(nominal: ArrayLike<number>, up: ArrayLike<number>, down: ArrayLike<number> | null): { normsys: NormSysData; histosys: HistoSysData } {
  const sn = sum(nominal);
  const kUp = sum(up) / sn;
  const hiData = Array.from(up, (u) => u / kUp);
  let kDown: number;
  let loData: number[];
  if (down === null) {
    kDown = 2 - kUp;
    loData = hiData.map((u, i) => 2 * nominal[i]! - u);
  } else {
    kDown = sum(down) / sn;
    loData = Array.from(down, (d) => d / kDown);
  }
  return { normsys: { hi: kUp, lo: kDown }, histosys: { hi_data: hiData, lo_data: loData } };
}
