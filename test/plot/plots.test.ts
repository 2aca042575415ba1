import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import * as P from "../../src/plot/index.js";
import type { VegaLiteSpec } from "../../src/plot/index.js";
import { agcHist, agcStack, small2D, smallCls, smallFit, smallLimits, smallRanking } from "./fixtures.js";
import { renderBoth } from "./render.js";

type Layer = { data?: { values: Record<string, number | string>[] }; mark: { type: string } | string; layer?: Layer[] };

function layersOf(spec: VegaLiteSpec): Layer[] {
  const out: Layer[] = [];
  const walk = (s: Record<string, unknown>) => {
    for (const key of ["layer", "vconcat", "hconcat"]) for (const child of (s[key] as Record<string, unknown>[] | undefined) ?? []) walk(child);
    if (s.mark) out.push(s as unknown as Layer);
  };
  walk(spec);
  return out;
}

const roc = { signalEfficiency: [0, 0.25, 0.5, 0.75, 1], backgroundEfficiency: [0, 0.02, 0.1, 0.35, 1], label: "BDT" };

const kinds: [string, () => VegaLiteSpec][] = [
  ["stack", () => P.stackPlot(agcStack(), { xTitle: "m_bjj [GeV]", luminosity: 3.4 })],
  ["stack log", () => P.stackPlot(agcStack(), { xTitle: "m_bjj [GeV]", logY: true })],
  ["post-fit stack", () => P.fitStackPlot("post-fit", { ...agcStack(), totalVariance: new Array(25).fill(400) }, { experiment: "ATLAS" })],
  ["variations", () => P.variationsPlot(agcHist("4j1b_ttbar"), [agcHist("4j1b_ttbar_scaleup"), agcHist("4j1b_ttbar_scaledown")])],
  ["shapes", () => P.shapesPlot([agcHist("4j1b_ttbar"), agcHist("4j1b_wjets")])],
  ["2d", () => P.hist2dPlot(small2D(), { logZ: true })],
  ["pulls", () => P.pullsPlot(smallFit(), { exclude: ["mu"] })],
  ["correlation", () => P.correlationPlot(smallFit())],
  ["ranking", () => P.rankingPlot(smallRanking())],
  ["cls", () => P.clsPlot(smallCls(), { logY: true })],
  ["limit", () => P.limitPlot(smallLimits(), { reference: 1, logY: true })],
  ["roc", () => P.rocPlot([roc], { rejection: true })],
  ["scan", () => P.scanPlot([0, 0.5, 1, 1.5, 2], [4, 1, 0, 1, 4], { xTitle: "mu" })],
  ["gof", () => P.gofPlot({ deltaTwiceNll: 2.7, ndof: 7, pValue: 0.91 }, { experiment: "ATLAS", status: "Internal" })],
  ["gof 1 dof", () => P.gofPlot({ deltaTwiceNll: 0.5, ndof: 1, pValue: 0.48 })],
  [
    "residuals",
    () =>
      P.residualsPlot([
        { channel: "signal_region_long_name", data: [5, 9], expected: [6, 7.5] },
        { channel: "CR", data: [40], expected: [38] },
      ]),
  ],
];

// The official Vega-Lite JSON schema of the installed version: what vega-embed and the Vega editor accept.
const schemaPath = fileURLToPath(new URL("../../node_modules/vega-lite/build/vega-lite-schema.json", import.meta.url));
let validate: ReturnType<Ajv["compile"]> | undefined;
function schemaValidator(): ReturnType<Ajv["compile"]> {
  validate ??= new Ajv({ strict: false, validateFormats: false }).compile(JSON.parse(readFileSync(schemaPath, "utf8")) as object);
  return validate;
}

describe("every plot kind compiles and renders", () => {
  it.each(kinds)("%s", async (_name, make) => {
    const spec = make();
    const valid = schemaValidator();
    expect(valid(spec), JSON.stringify(valid.errors?.slice(0, 3))).toBe(true);
    expect(() => P.compileSpec(spec)).not.toThrow();
    // Specs are plain JSON (what vega-embed receives): a round trip must not lose anything.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    const { svg, png, svgWidth, svgHeight } = await renderBoth(spec, 2);
    expect(svg).toContain("<svg");
    expect(svgWidth).toBeGreaterThan(200);
    expect(svgHeight).toBeGreaterThan(150);
    // resvg's zoom rounds the scaled size to whole pixels.
    expect(Math.abs(png.width - 2 * svgWidth)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.height - 2 * svgHeight)).toBeLessThanOrEqual(1);
  });
});

describe("stack plot content", () => {
  const { mc, data } = agcStack();
  const spec = P.stackPlot({ mc, data });
  const layers = layersOf(spec);
  const rects = layers.filter((l) => (l.mark as { type: string }).type === "rect" && l.data?.values.some((v) => "y1" in v))[0]!;

  it("stacks the processes to the MC total per bin", () => {
    const n = mc[0]!.values.length;
    for (let i = 0; i < n; i++) {
      const total = mc.reduce((s, h) => s + h.values[i]!, 0);
      const top = Math.max(...rects.data!.values.filter((r) => r.lo === mc[0]!.edges[i]).map((r) => r.y1 as number));
      expect(top).toBeCloseTo(total, 9);
    }
  });

  it("ratio points are data / MC total, centred on a domain around 1", () => {
    const ratioPoints = layers.filter((l) => (l.mark as { type: string }).type === "point").at(-1)!;
    const n = mc[0]!.values.length;
    const expected = Array.from({ length: n }, (_, i) => data.values[i]! / mc.reduce((s, h) => s + h.values[i]!, 0)).filter(Number.isFinite);
    expect(ratioPoints.data!.values.map((r) => r.y)).toEqual(expected.map((v) => expect.closeTo(v, 12)));
    const ratioPanel = (spec.vconcat as { layer: { encoding?: { y?: { scale?: { domain: number[] } } } }[] }[])[1]!;
    const domain = ratioPanel.layer[0]!.encoding!.y!.scale!.domain;
    expect((domain[0]! + domain[1]!) / 2).toBeCloseTo(1, 12);
    for (const v of expected) expect(v > domain[0]! && v < domain[1]!).toBe(true);
  });

  it("draws the band and the data after the stack (bands behind points)", () => {
    const kindsInOrder = (spec.vconcat as { layer: { mark: { type: string } }[] }[])[0]!.layer.map((l) => l.mark.type);
    expect(kindsInOrder.slice(0, 4)).toEqual(["rect", "rect", "rule", "point"]);
  });
});

describe("bad input gives a HepflowError with a stable code", () => {
  const edges = [0, 1, 2, 3];
  const good = { edges, values: [1, 2, 3] };
  const cases: [string, () => unknown, string][] = [
    ["empty histogram", () => P.stackPlot({ mc: [{ edges: [0], values: [] }] }), "PLOT_EMPTY_HIST"],
    ["no MC", () => P.stackPlot({ mc: [] }), "PLOT_EMPTY_HIST"],
    ["data/MC binning mismatch", () => P.stackPlot({ mc: [good], data: { edges: [0, 1, 2, 4], values: [1, 2, 3] } }), "PLOT_BINNING_MISMATCH"],
    ["edges/values mismatch", () => P.stackPlot({ mc: [{ edges, values: [1, 2] }] }), "PLOT_BAD_BINNING"],
    ["NaN value", () => P.stackPlot({ mc: [{ edges, values: [1, NaN, 3] }] }), "PLOT_NOT_FINITE"],
    ["NaN edge", () => P.variationsPlot(good, [{ edges: [0, NaN, 2, 3], values: [1, 2, 3] }]), "PLOT_NOT_FINITE"],
    ["variation binning", () => P.variationsPlot(good, [{ edges: [0, 1, 2], values: [1, 2] }]), "PLOT_BINNING_MISMATCH"],
    ["zero-integral shape", () => P.shapesPlot([{ edges, values: [0, 0, 0] }]), "PLOT_EMPTY_HIST"],
    ["2D shape", () => P.hist2dPlot({ xEdges: [0, 1, 2], yEdges: [0, 1], values: [1] }), "PLOT_BAD_BINNING"],
    [
      "correlation shape",
      () =>
        P.correlationPlot({
          ...smallFit(),
          correlation: [
            [1, 0],
            [0, 1],
          ],
        }),
      "PLOT_BAD_FIT",
    ],
    ["fit lengths", () => P.pullsPlot({ ...smallFit(), bestfit: [1] }), "PLOT_BAD_FIT"],
    ["NaN in ranking", () => P.rankingPlot([{ ...smallRanking()[0]!, postfitUp: NaN }]), "PLOT_NOT_FINITE"],
    ["short CLs scan", () => P.clsPlot(smallCls().slice(0, 1)), "PLOT_EMPTY_SCAN"],
    ["CLs bands", () => P.clsPlot(smallCls().map((p) => ({ ...p, clsExp: [1, 2] as unknown as [number, number, number, number, number] }))), "PLOT_BAD_SCAN"],
    ["unknown extension", () => P.writePlot(P.rocPlot([roc]), "/tmp/x.gif"), "PLOT_FORMAT"],
  ];
  it.each(cases)("%s", async (_name, make, code) => {
    await expect((async () => make())()).rejects.toMatchObject({ name: "HepflowError", code });
  });

  it("a histogram that is all zero still renders (an empty plot shows the problem)", async () => {
    const spec = P.stackPlot({ mc: [{ edges, values: [0, 0, 0], label: "empty" }], data: { edges, values: [0, 0, 0] } }, { logY: true });
    const { png } = await renderBoth(spec);
    expect(png.width).toBeGreaterThan(200);
  });
});
