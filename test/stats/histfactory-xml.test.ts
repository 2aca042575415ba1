/**
 * HistFactory XML ↔ JSON against pyhf. References: the XML/ROOT inputs pyhf's importer is tested on
 * (../shared/data/histfactory-xml/pyhf, README there), the workspaces pyhf's own readxml makes of
 * them (test/stats/reference/pyhf-xml2json/, written by bench/peers/pyhf_xml2json.py with pyhf run
 * from source; its histograms come from the shared README's JSROOT reading, not from hepflow), and
 * the facts pyhf's tests/test_import.py asserts (quoted in the shared README).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hypotest, readHistFactoryXml, Workspace, workspaceToHistFactoryXml, writeHistFactoryXml } from "../../src/stats/index.js";
import type { HypotestResult, WorkspaceSpec } from "../../src/stats/index.js";
import { SHARED } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const V = path.join(SHARED, "data/histfactory-xml/pyhf/validation");
const REF = new URL("./reference/pyhf-xml2json/", import.meta.url);

/**
 * Deep equality with numbers compared to `rel` relative. Default 2e-7: the reference's histogram
 * errors come from the shared README, which prints JSROOT's values to 8 significant digits
 * (e.g. 4.472136 for √20); contents are exact there (float32 values).
 */
function expectClose(a: unknown, b: unknown, where = "$", rel = 2e-7): void {
  if (typeof b === "number") {
    expect(typeof a, where).toBe("number");
    expect(Math.abs((a as number) - b), `${where}: ${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
  } else if (Array.isArray(b)) {
    expect(Array.isArray(a) && a.length, where).toBe(b.length);
    b.forEach((v, i) => expectClose((a as unknown[])[i], v, `${where}[${i}]`, rel));
  } else if (b !== null && typeof b === "object") {
    expect(Object.keys(a as object).sort(), where).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(b)) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`, rel);
  } else expect(a, where).toEqual(b);
}

const cases = readdirSync(REF).filter((f) => f.endsWith(".json"));

describe("xml2json reproduces pyhf's readxml", () => {
  it("has all six pyhf-converted configurations", () => expect(cases.length).toBe(6));
  for (const f of cases) {
    it(f.replace(".json", ""), async () => {
      const ref = JSON.parse(readFileSync(new URL(f, REF), "utf8"));
      const gen = ref._generator;
      delete ref._generator;
      const ws = await readHistFactoryXml(path.join(SHARED, "data/histfactory-xml/pyhf", gen.config), { basedir: path.join(SHARED, "data/histfactory-xml/pyhf", gen.basedir) });
      expectClose(ws, ref);
      // and it is a valid workspace (pyhf validates its output against workspace.json)
      expect(() => Workspace.fromJSON(ws)).not.toThrow();
    });
  }

  it("xmlimport_input and xmlimport_input4 (HistoPath sub-directories): pyhf's test_import assertions", async () => {
    for (const dir of ["xmlimport_input", "xmlimport_input4"]) {
      const spec = await readHistFactoryXml(path.join(V, dir, "config/example.xml"), { basedir: path.join(V, dir) });
      // xmlimport_input4 has only GaussExample
      expect(spec.measurements.map((m) => m.name)).toEqual(dir === "xmlimport_input" ? ["GaussExample", "GammaExample", "LogNormExample", "ConstExample"] : ["GaussExample"]);
      const pars = spec.measurements[0]!.config.parameters;
      expect(pars.map((p) => p.name)).toEqual(["lumi", "SigXsecOverSM", "syst1"]);
      expect(pars[0]).toMatchObject({ auxdata: [1], bounds: [[0.5, 1.5]], inits: [1], sigmas: [0.1] });
      const samples = spec.channels[0]!.samples;
      expect(samples[1]!.modifiers[0]!.type).toBe("lumi");
      expect(samples[2]!.modifiers[0]!.type).toBe("lumi");
      expect(samples[2]!.modifiers[1]).toMatchObject({ type: "staterror", data: [0, 10] });
      // 0.05 stored as float32 × 100
      expect((samples[1]!.modifiers[1]!.data as number[])[0]).toBeCloseTo(5, 6);
      const ws = Workspace.fromJSON({ ...spec, measurements: [spec.measurements[0]] } as WorkspaceSpec);
      const model = ws.model();
      expect(Array.from(model.expectedActualData(model.config.suggestedInit()))).toEqual([120, 110]);
      const data = ws.data(model);
      expect(Array.from(data)).toEqual([122, 112, 1, 0, 0, 0, 1, 1]);
    }
  });
});

describe("2D histograms (ShapeSys2D, which pyhf cannot convert)", () => {
  it("are unrolled x outer, y inner, as numpy's (nx, ny) flatten; the README's TH2F contents are in ROOT's global-bin order (x fastest)", async () => {
    const spec = await readHistFactoryXml(path.join(V, "xmlimport_input/config/examples/example_ShapeSys2D.xml"), { basedir: path.join(V, "xmlimport_input") });
    // data [122, 122, 132, 132] (x fastest) → [122, 132, 122, 132]
    expect(spec.observations[0]!.data).toEqual([122, 132, 122, 132]);
    const bkg1 = spec.channels[0]!.samples[1]!;
    expect(bkg1.data).toEqual([100, 10, 100, 10]);
    // shapesys = sample × relative errors [0.1, 0.15, 0.1, 0.15] (x fastest, float32)
    expectClose(bkg1.modifiers[1]!.data, [100 * 0.1, 10 * 0.1, 100 * 0.15, 10 * 0.15]);
  });
});

describe("json2xml → xml2json round trip (pyhf's test_import_roundtrip)", () => {
  for (const f of ["xmlimport_input", "xmlimport_input2", "xmlimport_input3_ShapeSys"]) {
    it(f, async () => {
      const ref = JSON.parse(readFileSync(new URL(`${f}.json`, REF), "utf8"));
      delete ref._generator;
      const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-xml-"));
      try {
        const exp = workspaceToHistFactoryXml(ref);
        await writeHistFactoryXml(dir, exp);
        const back = await readHistFactoryXml(path.join(dir, exp.files[0]!.path), { basedir: dir });
        const a = Workspace.fromJSON({ ...ref, measurements: [ref.measurements[0]] });
        const b = Workspace.fromJSON({ ...back, measurements: [back.measurements[0]] });
        const ma = a.model(),
          mb = b.model();
        // histograms are written as TH1D: observed+aux data, inits and bounds equal to 1e-12
        expectClose(Array.from(b.data(mb)), Array.from(a.data(ma)), "data", 1e-12);
        expectClose(Array.from(mb.config.suggestedInit()), Array.from(ma.config.suggestedInit()), "inits", 1e-12);
        expectClose(mb.config.suggestedBounds(), ma.config.suggestedBounds(), "bounds", 1e-12);
        expect(mb.config.suggestedFixed()).toEqual(ma.config.suggestedFixed());
        const ha = hypotest(1, a.data(ma), ma) as HypotestResult;
        const hb = hypotest(1, b.data(mb), mb) as HypotestResult;
        expect(Math.abs(hb.cls / ha.cls - 1)).toBeLessThan(1e-6);
        hb.expected.forEach((v, i) => expect(Math.abs(v / ha.expected[i]! - 1)).toBeLessThan(1e-6));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("bad XML gives a clear error naming the file", () => {
  it("malformed XML, a missing histogram, a missing <Data>", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-xml-"));
    try {
      const top = path.join(dir, "top.xml");
      writeFileSync(top, "<Combination><Input>ch.xml</Input><Measurement Name='m' Lumi='1' LumiRelErr='0.1'><POI>mu</POI></Measurement>");
      await expect(readHistFactoryXml(top, { basedir: dir })).rejects.toThrow(/malformed XML.*line/);
      writeFileSync(top, "<Combination><Input>ch.xml</Input><Measurement Name='m' Lumi='1' LumiRelErr='0.1'><POI>mu</POI></Measurement></Combination>");
      writeFileSync(path.join(dir, "ch.xml"), `<Channel Name="c" InputFile="${path.join(V, "xmlimport_input/data/example.root")}"><Data HistoName="data"/><Sample Name="s" HistoName="nope"/></Channel>`);
      await expect(readHistFactoryXml(top, { basedir: dir })).rejects.toThrow(/sample "s".*"nope"/);
      writeFileSync(path.join(dir, "ch.xml"), `<Channel Name="c" InputFile="x.root"><Sample Name="s" HistoName="a"/></Channel>`);
      await expect(readHistFactoryXml(top, { basedir: dir })).rejects.toThrow(/ch\.xml.*no <Data>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("hepflow xml2json / json2xml", () => {
  it("converts xmlimport_input2 to pyhf's JSON and back, refusing to overwrite without --force", async () => {
    const ref = JSON.parse(readFileSync(new URL("xmlimport_input2.json", REF), "utf8"));
    delete ref._generator;
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-xml-"));
    try {
      const wsFile = path.join(dir, "ws.json");
      await runCli("xml2json", path.join(V, "xmlimport_input2/config/example.xml"), "--basedir", path.join(V, "xmlimport_input2"), "--output-file", wsFile);
      expectClose(JSON.parse(readFileSync(wsFile, "utf8")), ref);
      const out = path.join(dir, "xml");
      await runCli("json2xml", wsFile, "--output-dir", out);
      expect(readdirSync(path.join(out, "config")).sort()).toEqual(["FitConfig_channel1.xml", "FitConfig_channel2.xml"]);
      await expect(runCli("json2xml", wsFile, "--output-dir", out)).rejects.toThrow(/not empty/);
      const back = path.join(dir, "back.json");
      await runCli("xml2json", path.join(out, "FitConfig.xml"), "--basedir", out, "--output-file", back);
      expectClose(JSON.parse(readFileSync(back, "utf8")).channels, ref.channels, "$", 1e-12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
