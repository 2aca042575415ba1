import { existsSync, mkdir, path, rename, rm, writeFile } from "#util/fs";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { Resvg } from "#plot/resvg";
import { HepflowError, temporaryPath, trackTemporary } from "../util/index.js";

/** A Vega-Lite spec as produced by the plot functions (plain JSON, valid for vega-embed too). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Font files for the PNG rasteriser. Only DejaVu is loaded when present so a PNG is the same on every machine
 * (system font fallback differs between hosts); Debian/Ubuntu install it with `fonts-dejavu-core`.
 */
const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu", "/Library/Fonts"];
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"];

/** The DejaVu Sans files found on this machine (HEPFLOW_FONT_DIR first), empty when none are installed. */
export function fontFiles(): string[] {
  const dirs = process.env.HEPFLOW_FONT_DIR ? [process.env.HEPFLOW_FONT_DIR, ...FONT_DIRS] : FONT_DIRS;
  for (const dir of dirs) {
    const found = FONT_FILES.map((f) => path.join(dir, f)).filter((f) => existsSync(f));
    if (found.length > 0) return found;
  }
  return [];
}

/** Compiles Vega-Lite to a Vega spec; a compile error names the plot instead of surfacing as a vega stack trace. */
export function compileSpec(spec: VegaLiteSpec): vega.Spec {
  try {
    return vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec as vega.Spec;
  } catch (e) {
    throw new HepflowError("PLOT_COMPILE", `Vega-Lite could not compile the plot spec: ${(e as Error).message}`, {}, { cause: e });
  }
}

/** Renders a spec to an SVG string with Vega's headless renderer (no browser, no canvas). */
export async function renderSVG(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG string to PNG bytes with resvg; `scale` multiplies the pixel size (2 for print quality). */
export function svgToPNG(svg: string, options: { scale?: number } = {}): Buffer {
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 1 },
    background: "white",
    font: { fontFiles: files, loadSystemFonts: files.length === 0, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/** Renders a spec to PNG bytes. */
export async function renderPNG(spec: VegaLiteSpec, options: { scale?: number } = {}): Promise<Buffer> {
  return svgToPNG(await renderSVG(spec), options);
}

/** Writes a plot by the file extension: .svg, .png, or .vl.json/.json (the spec itself, for vega-embed). */
export async function writePlot(spec: VegaLiteSpec, file: string, options: { scale?: number } = {}): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const lower = file.toLowerCase();
  let bytes: string | Uint8Array;
  if (lower.endsWith(".svg")) bytes = await renderSVG(spec);
  else if (lower.endsWith(".png")) bytes = await renderPNG(spec, options);
  else if (lower.endsWith(".json")) bytes = JSON.stringify(spec, null, 1) + "\n";
  else throw new HepflowError("PLOT_FORMAT", `cannot tell the plot format of ${file}; use .svg, .png or .vl.json`, { file });
  // Whole or not at all: an interrupted render leaves no half-written plot behind.
  const tmp = temporaryPath(file);
  const t = trackTemporary(tmp);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
    t.release();
  }
}
