/**
 * Exclusion contours over a signal grid: CLs = 1 − CL lines (observed, expected median, expected
 * ±1σ) in the plane of two grid parameters (e.g. the masses in a patchset's metadata.values).
 * CLs is interpolated linearly in log10(CLs) on the Delaunay triangulation of the grid points
 * (the grids of real analyses are not rectangular), and each triangle that the level crosses
 * contributes one segment — marching triangles.
 */
import { Delaunay } from "d3-delaunay";
import { HepflowError } from "../util/index.js";
import type { VegaLiteSpec } from "./render.js";

/** One grid point: its coordinates and CLs values (expected: −2σ…+2σ, as pyhf orders them). */
export interface ExclusionPoint {
  x: number;
  y: number;
  clsObs: number;
  clsExp: number[];
}

/** Options of the exclusion plot. */
export interface ExclusionOptions {
  xTitle?: string;
  yTitle?: string;
  title?: string;
  /** Confidence level: contours at CLs = 1 − cl (default 0.95). */
  cl?: number;
  width?: number;
  height?: number;
}

/** Segments where the linear interpolation of `values` on the triangulation crosses `level`. */
export function contourSegments(xs: number[], ys: number[], values: number[], level: number): [number, number, number, number][] {
  if (ys.length !== xs.length || values.length !== xs.length) throw new HepflowError("PLOT_BAD_VALUE", `contour input has ${xs.length} x, ${ys.length} y and ${values.length} values; they must be equal`);
  const nodes = xs.map((x, i) => ({ x, y: ys[i] ?? NaN, f: (values[i] ?? NaN) - level }));
  const d = Delaunay.from(nodes.map((p) => [p.x, p.y] as [number, number]));
  const t = d.triangles;
  const node = (i: number | undefined) => {
    const p = i === undefined ? undefined : nodes[i];
    if (!p) throw new HepflowError("PLOT_BAD_VALUE", `the triangulation names point ${i} of ${nodes.length}`);
    return p;
  };
  const out: [number, number, number, number][] = [];
  for (let k = 0; k + 2 < t.length; k += 3) {
    const corners = [node(t[k]), node(t[k + 1]), node(t[k + 2])];
    const pts: [number, number][] = [];
    corners.forEach((a, e) => {
      const b = corners[(e + 1) % 3]!; // e + 1 mod 3 indexes the three corners
      if ((a.f < 0 && b.f >= 0) || (a.f >= 0 && b.f < 0)) {
        const s = a.f / (a.f - b.f);
        pts.push([a.x + s * (b.x - a.x), a.y + s * (b.y - a.y)]);
      }
    });
    const [p, q] = pts;
    if (pts.length === 2 && p && q) out.push([p[0], p[1], q[0], q[1]]);
  }
  return out;
}

/** Vega-Lite spec of the exclusion contours with the grid points, observed solid, expected dashed, ±1σ dotted. */
export function exclusionPlot(points: ExclusionPoint[], o: ExclusionOptions = {}): VegaLiteSpec {
  if (points.length < 3) throw new HepflowError("PLOT_EMPTY_GRID", `an exclusion contour needs at least 3 grid points, got ${points.length}`);
  for (const p of points) {
    if (![p.x, p.y, p.clsObs, ...p.clsExp].every(Number.isFinite) || p.clsExp.length !== 5) {
      throw new HepflowError("PLOT_BAD_VALUE", `grid point (${p.x}, ${p.y}) needs finite coordinates, observed CLs and 5 expected CLs`);
    }
  }
  const level = Math.log10(1 - (o.cl ?? 0.95));
  const lg = (v: number) => Math.log10(Math.max(v, 1e-300));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const lines: Record<string, unknown>[] = [];
  const add = (curve: string, values: number[]) => {
    contourSegments(xs, ys, values.map(lg), level).forEach((s, i) => {
      const id = `${curve}-${i}`;
      lines.push({ curve, id, x: s[0], y: s[1] }, { curve, id, x: s[2], y: s[3] });
    });
  };
  add(
    "Observed",
    points.map((p) => p.clsObs),
  );
  // clsExp has its five entries (checked above); NaN would only drop a point from a contour
  add(
    "Expected",
    points.map((p) => p.clsExp[2] ?? NaN),
  );
  add(
    "Expected −1σ",
    points.map((p) => p.clsExp[1] ?? NaN),
  );
  add(
    "Expected +1σ",
    points.map((p) => p.clsExp[3] ?? NaN),
  );
  const x = { field: "x", type: "quantitative", title: o.xTitle ?? "x", scale: { zero: false } };
  const y = { field: "y", type: "quantitative", title: o.yTitle ?? "y", scale: { zero: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title ?? `Exclusion at ${Math.round((o.cl ?? 0.95) * 100)}% CL (CLs)`,
    width: o.width ?? 520,
    height: o.height ?? 400,
    config: { font: "DejaVu Sans", view: { stroke: "black" } },
    layer: [
      {
        data: { values: points.map((p) => ({ x: p.x, y: p.y, excluded: p.clsObs < 1 - (o.cl ?? 0.95) ? "excluded (obs.)" : "allowed (obs.)" })) },
        mark: { type: "point", filled: true, size: 14, opacity: 0.6 },
        encoding: { x, y, color: { field: "excluded", type: "nominal", title: "grid point", scale: { range: ["#9a9a9a", "#3f90da"] } } },
      },
      {
        data: { values: lines },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x,
          y,
          detail: { field: "id" },
          stroke: { field: "curve", type: "nominal", title: "CLs = 0.05", scale: { domain: ["Observed", "Expected", "Expected −1σ", "Expected +1σ"], range: ["#bd1f01", "black", "#00aa00", "#00aa00"] } },
          // stroke and strokeDash of one field share a legend (colour and dash); `legend: null` here hid it
          strokeDash: {
            field: "curve",
            type: "nominal",
            title: "CLs = 0.05",
            scale: {
              domain: ["Observed", "Expected", "Expected −1σ", "Expected +1σ"],
              range: [
                [1, 0],
                [6, 4],
                [2, 2],
                [2, 2],
              ],
            },
          },
        },
      },
    ],
  } as VegaLiteSpec;
}
