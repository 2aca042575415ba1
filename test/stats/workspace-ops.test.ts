import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { combineWorkspaces, fit, pruneWorkspace, renameWorkspace, type Workspace } from "../../src/stats/index.js";
import type { WorkspaceSpec } from "../../src/stats/index.js";
import { REFERENCE } from "../shared.js";

const STATS = path.join(REFERENCE, "stats");
const load = (name: string) => JSON.parse(readFileSync(path.join(STATS, `${name}.json`), "utf8")) as WorkspaceSpec;
const expected = (name: string) => JSON.parse(readFileSync(path.join(STATS, `${name}.expected.json`), "utf8"));
const SETTINGS = { modifierSettings: { normsys: { interpcode: "code4" as const }, histosys: { interpcode: "code4p" as const } } };
const twiceNll = (ws: Workspace) => {
  const m = ws.model(SETTINGS);
  return fit(ws.data(m), m).twiceNll;
};
// pyhf's reference twice-NLL is converged to ~4e-11 (README); the fit here stops at ~1e-9 relative
const TOL = 1e-8;

describe("workspace combine", () => {
  const full = load("validation_2bin_2channel");
  const signalOnly = pruneWorkspace(full, { channels: ["control"] });
  const controlOnly = pruneWorkspace(full, { channels: ["signal"] });

  it("splitting by channel and combining back gives pyhf's fit of the whole", () => {
    const back = combineWorkspaces(signalOnly, controlOnly);
    expect(back.channelNames.sort()).toEqual(["control", "signal"]);
    const ref = expected("validation_2bin_2channel").cases[0].mle.twice_nll;
    expect(Math.abs(twiceNll(back) - ref) / ref).toBeLessThan(TOL);
  });

  it("refuses clashing channels unless an outer join is asked for", () => {
    expect(() => combineWorkspaces(full, full)).toThrow(/channels in common \(signal, control\)/);
    const outer = combineWorkspaces(full, full, "outer");
    expect(outer.toJSON().channels).toEqual(full.channels);
    // an outer join of different contents is ambiguous; left/right outer pick a side
    const other = structuredClone(full);
    other.channels[0]!.samples[0]!.data = [1, 2];
    expect(() => combineWorkspaces(full, other, "outer")).toThrow(/channel "signal" with different content/);
    expect(combineWorkspaces(full, other, "left outer").toJSON().channels[0]!.samples[0]!.data).toEqual([10, 35]);
    expect(combineWorkspaces(full, other, "right outer").toJSON().channels[0]!.samples[0]!.data).toEqual([1, 2]);
  });

  it("checks measurements: same name needs the same POI; parameter settings merge", () => {
    const a = structuredClone(signalOnly.toJSON());
    const b = structuredClone(controlOnly.toJSON());
    b.measurements[0]!.config.poi = "uncorr_bkguncrt_control";
    expect(() => combineWorkspaces(a, b)).toThrow(/POI "mu" on the left and "uncorr_bkguncrt_control"/);
    const c = structuredClone(controlOnly.toJSON());
    a.measurements[0]!.config.parameters = [{ name: "mu", bounds: [[0, 5]] }];
    c.measurements[0]!.config.parameters = [{ name: "uncorr_bkguncrt_control", inits: [1, 1] }];
    expect(
      combineWorkspaces(a, c)
        .toJSON()
        .measurements[0]!.config.parameters.map((p) => p.name),
    ).toEqual(["mu", "uncorr_bkguncrt_control"]);
    c.measurements[0]!.config.parameters = [{ name: "mu", bounds: [[0, 6]] }];
    expect(() => combineWorkspaces(a, c)).toThrow(/sets parameter "mu" differently/);
  });
});

describe("workspace prune", () => {
  const spec = load("all_modifiers_2channel");
  it("removes channels with their observations, samples, modifiers and their parameter settings", () => {
    const names = spec.channels.map((c) => c.name);
    const p = pruneWorkspace(spec, { channels: [names[2]!] }).toJSON();
    expect(p.channels.map((c) => c.name)).toEqual(names.slice(0, 2));
    expect(p.observations.map((o) => o.name)).toEqual(spec.observations.filter((o) => o.name !== names[2]).map((o) => o.name));
    const q = pruneWorkspace(spec, { modifiers: ["theory_fixed"], modifierTypes: ["staterror"] }).toJSON();
    const mods = q.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers));
    expect(mods.some((m) => m.name === "theory_fixed" || m.type === "staterror")).toBe(false);
    expect(q.measurements[0]!.config.parameters.some((x) => x.name === "theory_fixed")).toBe(false);
    // the same count as in the input minus what was removed
    const before = spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers));
    expect(mods.length).toBe(before.filter((m) => m.name !== "theory_fixed" && m.type !== "staterror").length);
  });
  it("names what it cannot prune", () => {
    expect(() => pruneWorkspace(spec, { samples: ["nope"] })).toThrow(/cannot prune sample "nope"/);
    expect(() => pruneWorkspace(spec, { measurements: spec.measurements.map((m) => m.name) })).toThrow(/every measurement/);
  });
});

describe("workspace rename", () => {
  it("renames the POI modifier and channels without changing the likelihood", () => {
    const spec = load("validation_2bin_2channel");
    const r = renameWorkspace(spec, { modifiers: { mu: "signal_strength" }, channels: { signal: "SR" }, samples: { background: "bkg" }, measurements: { measurement: "meas" } });
    const j = r.toJSON();
    expect(j.measurements[0]).toMatchObject({ name: "meas", config: { poi: "signal_strength" } });
    expect(j.channels.map((c) => c.name)).toEqual(["SR", "control"]);
    expect(j.observations.map((o) => o.name)).toEqual(["SR", "control"]);
    expect(j.channels[0]!.samples.map((s) => s.name)).toEqual(["signal", "bkg"]);
    const ref = expected("validation_2bin_2channel").cases[0].mle.twice_nll;
    expect(Math.abs(twiceNll(r) - ref) / ref).toBeLessThan(TOL);
    expect(() => renameWorkspace(spec, { channels: { signal: "control" } })).toThrow(/two channels the name "control"/);
  });
});
