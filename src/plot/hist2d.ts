import type { Hist2D, StyleOptions } from "./types.js";
import { checkHist2D } from "./validate.js";
import { labelLayers, resolveStyle, topLevel } from "./style.js";
import type { VegaLiteSpec } from "./render.js";

/** Options of the 2D heat map. */
export interface Hist2DOptions extends StyleOptions {
  xTitle?: string;
  yTitle?: string;
  zTitle?: string;
  logZ?: boolean;
}

/** A 2D histogram as a heat map (viridis, colour-blind safe); empty bins stay white so they are not mistaken for small values. */
export function hist2dPlot(h: Hist2D, options: Hist2DOptions = {}): VegaLiteSpec {
  checkHist2D(h, `2D histogram '${h.label ?? ""}'`);
  const style = resolveStyle(options, { width: 400, height: 360 });
  const nx = h.xEdges.length - 1,
    ny = h.yEdges.length - 1;
  const rows: Record<string, number>[] = [];
  for (let ix = 0; ix < nx; ix++) {
    for (let iy = 0; iy < ny; iy++) {
      const v = h.values[ix * ny + iy]!;
      if (v === 0 || (options.logZ && v < 0)) continue;
      rows.push({ x0: h.xEdges[ix]!, x1: h.xEdges[ix + 1]!, y0: h.yEdges[iy]!, y1: h.yEdges[iy + 1]!, v });
    }
  }
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      {
        data: { values: rows },
        mark: { type: "rect", clip: true },
        encoding: {
          x: { field: "x0", type: "quantitative", scale: { domain: [h.xEdges[0]!, h.xEdges[nx]!], nice: false, zero: false }, title: options.xTitle ?? "x" },
          x2: { field: "x1" },
          y: { field: "y0", type: "quantitative", scale: { domain: [h.yEdges[0]!, h.yEdges[ny]!], nice: false, zero: false }, title: options.yTitle ?? "y" },
          y2: { field: "y1" },
          color: {
            field: "v",
            type: "quantitative",
            scale: { scheme: "viridis", type: options.logZ ? "log" : "linear" },
            legend: { title: options.zTitle ?? "Events", gradientLength: style.height, titleOrient: "left", format: options.logZ ? "~g" : "~r" },
          },
        },
      },
      ...labelLayers(style, style.width),
    ],
  });
}
