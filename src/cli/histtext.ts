/** A histogram drawn in the terminal: one row per bin with a Unicode bar, then entries, mean and RMS. */
import type { DrawResult } from "../expr/index.js";

// Strings, not arrays: charAt of a bounded index is always a string (the partial block of a bar, a shade).
const EIGHTHS = " ▏▎▍▌▋▊▉";
const SHADES = " ░▒▓█";

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

function bar(frac: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, frac)) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + (eighths % 8 ? EIGHTHS.charAt(eighths % 8) : "");
}

/** Text of a 1D or 2D draw result (2D as a shaded grid, y up). */
export function histogramText(h: DrawResult, options: { width?: number; logy?: boolean } = {}): string {
  const width = options.width ?? 50;
  const lines: string[] = [];
  const title = h.y ? `${h.y.expr} vs ${h.x.expr}` : h.x.expr;
  lines.push(title);
  if (!h.y) {
    const n = h.x.bins,
      step = (h.x.hi - h.x.lo) / n;
    const rows = Array.from(h.values, (value, i) => ({ label: `${fmt(h.x.lo + i * step)} – ${fmt(h.x.lo + (i + 1) * step)}`, value }));
    const lw = Math.max(...rows.map((r) => r.label.length));
    const cw = Math.max(...rows.map((r) => fmt(r.value).length));
    let max = 0;
    for (const v of h.values) max = Math.max(max, v);
    const scale = (v: number) => (options.logy ? (v > 0 && max > 0 ? Math.log10(1 + v) / Math.log10(1 + max) : 0) : max > 0 ? v / max : 0);
    for (const { label, value } of rows) lines.push(`${label.padStart(lw)} │${fmt(value).padStart(cw)} ${bar(scale(value), width)}`);
  } else {
    const nx = h.x.bins,
      ny = h.y.bins;
    let max = 0;
    for (const v of h.values) max = Math.max(max, v);
    const [top, bottom] = [fmt(h.y.hi), fmt(h.y.lo)];
    const lw = Math.max(top.length, bottom.length);
    for (let iy = ny - 1; iy >= 0; iy--) {
      let row = "";
      for (let ix = 0; ix < nx; ix++) {
        const v = h.values[ix * ny + iy]!;
        row += v <= 0 ? " " : SHADES.charAt(Math.min(4, 1 + Math.floor((v / max) * 3.999)));
      }
      const label = iy === ny - 1 ? top : iy === 0 ? bottom : "";
      lines.push(`${label.padStart(lw)} │${row}│`);
    }
    lines.push(`${" ".repeat(lw)} └${"─".repeat(nx)}┘`);
    lines.push(`${" ".repeat(lw)}  ${fmt(h.x.lo)}${fmt(h.x.hi).padStart(Math.max(1, nx - fmt(h.x.lo).length))}`);
  }
  const stats = [`entries ${h.entries}`, `integral ${fmt(h.integral)}`, `mean ${fmt(h.x.mean)}`, `RMS ${fmt(h.x.rms)}`];
  if (h.y) stats.push(`mean y ${fmt(h.y.mean)}`, `RMS y ${fmt(h.y.rms)}`);
  if (h.underflow || h.overflow) stats.push(`underflow ${fmt(h.underflow)}`, `overflow ${fmt(h.overflow)}`);
  if (h.nan) stats.push(`NaN ${h.nan}`);
  lines.push(stats.join("  "));
  return lines.join("\n") + "\n";
}
