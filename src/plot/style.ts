import type { StyleOptions } from "./types.js";

/**
 * Petroff's 10-colour colour-blind-safe set (arXiv:2107.02270), mplhep's CMS default; its grey is moved to the end
 * so that it is not confused with the grey uncertainty band unless a plot has ten processes.
 */
export const PALETTE = ["#3f90da", "#ffa90e", "#bd1f01", "#832db6", "#a96b59", "#e76300", "#b9ac70", "#717581", "#92dadd", "#94a4a2"] as const;

/** Colour k of the palette, cycling past its end. */
export function paletteColour(k: number): string {
  return PALETTE[k % PALETTE.length] ?? PALETTE[0];
}

/** The one font every plot uses; render.ts ships or finds it so headless PNGs look like browser SVGs. */
export const DEFAULT_FONT = "DejaVu Sans";

/** Resolved style with defaults filled in. */
export interface Style {
  experiment: "CMS" | "ATLAS" | "none";
  status: string;
  luminosity?: number;
  energy?: number;
  title?: string;
  width: number;
  height: number;
  font: string;
}

/**
 * Fills style defaults: no experiment, status, luminosity or energy unless asked for (a plot must not
 * claim an experiment it does not come from), a 480×320 main panel.
 */
export function resolveStyle(o: StyleOptions, size: { width: number; height: number } = { width: 480, height: 320 }): Style {
  return {
    experiment: o.experiment ?? "none",
    status: o.status ?? "",
    luminosity: o.luminosity,
    energy: o.energy,
    title: o.title,
    width: o.width ?? size.width,
    height: o.height ?? size.height,
    font: o.font ?? DEFAULT_FONT,
  };
}

/** Vega-Lite config giving paper-like axes: ticks inside-out like ROOT, no grid, black frame, readable sizes. */
export function baseConfig(style: Style): Record<string, unknown> {
  return {
    font: style.font,
    background: "white",
    view: { stroke: "black", strokeWidth: 1 },
    axis: {
      grid: false,
      domainColor: "black",
      tickColor: "black",
      labelColor: "black",
      titleColor: "black",
      labelFontSize: 12,
      titleFontSize: 14,
      titleFontWeight: "normal",
      tickSize: 6,
      labelFlush: false,
      titlePadding: 8,
    },
    // Plain numbers on quantitative axes (1000, not "1,000"); log axes set their own format.
    axisQuantitative: { format: "~r" },
    legend: { labelFontSize: 12, titleFontSize: 12, symbolSize: 120, labelLimit: 260 },
    text: { font: style.font },
    title: { fontSize: 14, anchor: "start" },
  };
}

/** The "√s = 13 TeV, L fb⁻¹" text drawn at the top right. */
export function energyText(style: Style): string {
  const lumi = style.luminosity !== undefined ? `${formatLumi(style.luminosity)} fb⁻¹` : "";
  const energy = style.energy !== undefined ? `(${style.energy} TeV)` : "";
  return [lumi, energy].filter(Boolean).join(" ");
}

function formatLumi(l: number): string {
  return l >= 100 ? l.toFixed(0) : l >= 10 ? l.toFixed(1) : l.toPrecision(2);
}

/**
 * Text layers for the experiment label above a panel of `width` pixels: bold experiment name and italic status at the
 * left, luminosity/energy at the right — positioned in pixels so they work on any scale type.
 */
export function labelLayers(style: Style, width: number): Record<string, unknown>[] {
  const layers: Record<string, unknown>[] = [];
  const base = { data: { values: [{}] }, encoding: {} };
  const y = { value: -7 };
  if (style.experiment === "none" && style.status) {
    // a status without an experiment name ("Simulation", "Preliminary") stands alone
    layers.push({ ...base, mark: { type: "text", text: style.status, align: "left", baseline: "bottom", fontSize: 14, fontStyle: "italic", font: style.font }, encoding: { x: { value: 0 }, y } });
  }
  if (style.experiment !== "none") {
    const nameSize = 17;
    layers.push({
      ...base,
      mark: { type: "text", text: style.experiment, align: "left", baseline: "bottom", fontSize: nameSize, fontWeight: "bold", fontStyle: style.experiment === "ATLAS" ? "italic" : "normal", font: style.font },
      encoding: { x: { value: 0 }, y },
    });
    if (style.status) {
      // Advance widths of DejaVu Sans Bold capitals (em); the status follows the name after a third of an em.
      const offset = Math.round((boldWidthEm(style.experiment) + 0.35) * nameSize);
      layers.push({
        ...base,
        mark: { type: "text", text: style.status, align: "left", baseline: "bottom", fontSize: 14, fontStyle: "italic", font: style.font },
        encoding: { x: { value: offset }, y },
      });
    }
  }
  if (style.title) {
    // Inside the frame at the top left, where the headroom of the y range keeps it clear of the data.
    layers.push({
      ...base,
      mark: { type: "text", text: style.title, align: "left", baseline: "top", fontSize: 13, font: style.font },
      encoding: { x: { value: 8 }, y: { value: 8 } },
    });
  }
  if (energyText(style))
    layers.push({
      ...base,
      mark: { type: "text", text: energyText(style), align: "right", baseline: "bottom", fontSize: 13, font: style.font },
      encoding: { x: { value: width }, y },
    });
  return layers;
}

/** A top-level spec skeleton: schema, config, padding and the optional title. */
export function topLevel(style: Style, body: Record<string, unknown>): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    padding: { left: 10, right: 15, top: 30, bottom: 10 },
    ...body,
    config: baseConfig(style),
  };
}

/** One entry of a hand-drawn legend: a filled box, or a solid/dashed line. */
export interface LegendItem {
  label: string;
  color: string;
  kind: "box" | "line" | "dashed" | "point";
}

/**
 * A legend drawn with marks at pixel positions (top right inside the frame): Vega-Lite merges legends of different
 * mark types into one symbol shape, which would show a line and a band with the same square.
 */
export function manualLegend(items: LegendItem[], width: number, style: Style, corner: "right" | "left" = "right"): Record<string, unknown>[] {
  const rowH = 19,
    boxW = 26,
    pad = 8;
  const textW = Math.max(...items.map((i) => i.label.length)) * 7.2;
  const x0 = corner === "right" ? width - pad - boxW - 8 - textW - pad : pad + 4;
  const layers: Record<string, unknown>[] = [];
  const one = { values: [{}] };
  layers.push({
    data: one,
    mark: { type: "rect", fill: "white", opacity: 0.85, stroke: null },
    encoding: { x: { value: x0 - 4 }, x2: { value: x0 + boxW + 8 + textW + 4 }, y: { value: pad - 2 }, y2: { value: pad + rowH * items.length + 2 } },
  });
  items.forEach((it, k) => {
    const yc = pad + rowH * k + rowH / 2;
    if (it.kind === "box") {
      layers.push({ data: one, mark: { type: "rect", fill: it.color }, encoding: { x: { value: x0 }, x2: { value: x0 + boxW }, y: { value: yc - 6 }, y2: { value: yc + 6 } } });
    } else if (it.kind === "point") {
      layers.push({ data: one, mark: { type: "point", filled: true, color: it.color, size: 30, opacity: 1 }, encoding: { x: { value: x0 + boxW / 2 }, y: { value: yc } } });
    } else {
      layers.push({ data: one, mark: { type: "rule", color: it.color, strokeWidth: 2, ...(it.kind === "dashed" ? { strokeDash: [6, 4] } : {}) }, encoding: { x: { value: x0 }, x2: { value: x0 + boxW }, y: { value: yc } } });
    }
    layers.push({ data: one, mark: { type: "text", text: it.label, align: "left", baseline: "middle", fontSize: 12, font: style.font }, encoding: { x: { value: x0 + boxW + 8 }, y: { value: yc } } });
  });
  return layers;
}

const BOLD_CAPS_EM: Record<string, number> = { A: 0.774, C: 0.734, L: 0.637, M: 0.995, S: 0.72, T: 0.682 };

/** Width of a bold label in em, from DejaVu Sans Bold metrics (0.75 em for letters not in the table). */
function boldWidthEm(text: string): number {
  return Array.from(text).reduce((w, c) => w + (BOLD_CAPS_EM[c] ?? 0.75), 0);
}

/**
 * Axis labels no longer than `max` characters, shortened in the middle ("staterror_…ST[2]") so that
 * names differing only at the end stay apart; a name whose short form would clash keeps its full text.
 */
export function uniqueLabels(names: string[], max: number): string[] {
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  const pairs = names.map((name) => ({ name, short: name.length <= max ? name : `${name.slice(0, head)}…${name.slice(name.length - tail)}` }));
  const count = new Map<string, number>();
  for (const { short } of pairs) count.set(short, (count.get(short) ?? 0) + 1);
  return pairs.map(({ name, short }) => ((count.get(short) ?? 0) > 1 ? name : short));
}
