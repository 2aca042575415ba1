import { PNG } from "pngjs";
import { renderPNG, renderSVG, type VegaLiteSpec } from "../../src/plot/index.js";

/** Renders a spec to SVG and PNG and returns the sizes the SVG declares and the PNG has. */
export async function renderBoth(spec: VegaLiteSpec, scale = 1): Promise<{ svg: string; png: InstanceType<typeof PNG>; svgWidth: number; svgHeight: number }> {
  const svg = await renderSVG(spec);
  const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error("SVG without width/height");
  const png = PNG.sync.read(await renderPNG(spec, { scale }));
  return { svg, png, svgWidth: Number(m[1]), svgHeight: Number(m[2]) };
}
