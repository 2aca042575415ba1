/** Numbers as people read them: values with uncertainties, and table entries. */

/**
 * A value and its uncertainty as a scientific record shows them: rounded once, from full
 * precision, the uncertainty to 2 significant digits and the value to the same decimal place
 * (0.05353 ± 0.01341 → "0.054", "0.013"). Without a positive finite uncertainty the value keeps
 * 4 significant digits.
 */
export function valueWithUncertainty(value: number, uncertainty: number): [string, string] {
  if (!Number.isFinite(value)) return [String(value), String(uncertainty)];
  if (!(Number.isFinite(uncertainty) && uncertainty > 0)) return [formatNumber(value), Number.isFinite(uncertainty) ? "0" : String(uncertainty)];
  // The place of the second significant digit of the *rounded* uncertainty (0.996 → 1.0, not 1.00).
  const decimals = 1 - Math.floor(Math.log10(Number(uncertainty.toPrecision(2))));
  if (decimals >= 0) return [value.toFixed(Math.min(decimals, 20)), uncertainty.toFixed(Math.min(decimals, 20))];
  const unit = 10 ** -decimals;
  return [String(Math.round(value / unit) * unit), String(Math.round(uncertainty / unit) * unit)];
}

/** Numbers in tables: integers as is, others to 4 significant digits, no exponent for ordinary sizes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(3);
  return v.toPrecision(4);
}
