import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REFERENCE } from "../shared.js";
import { runCli as run } from "../helpers/cli.js";

const DIR = path.join(REFERENCE, "stats");
const SB = path.join(DIR, "sbottom-regionC");
const BKG = path.join(SB, "BkgOnly.json");
const POINTS = ["sbottom_1100_650_60", "sbottom_1300_450_60"];
const tmp = mkdtempSync(path.join(tmpdir(), "hepflow-patchset-"));

// pyhf's digest: sha256 of json.dumps(spec, sort_keys=True) — computed by Python, not by hepflow
const pyDigest = (file: string) =>
  execFileSync("python3", ["-c", "import json,hashlib,sys; print(hashlib.sha256(json.dumps(json.load(open(sys.argv[1])),sort_keys=True,ensure_ascii=False).encode('utf8')).hexdigest())", file], { encoding: "utf8" }).trim();

/** A patchset in pyhf's format made of the published RegionC patches. */
function patchset(digest: string): string {
  const file = path.join(tmp, `patchset-${digest.slice(0, 8)}.json`);
  const patches = POINTS.map((name) => ({ metadata: { name, values: name.split("_").slice(1).map(Number) }, patch: JSON.parse(readFileSync(path.join(SB, `patch.${name}.json`), "utf8")) }));
  writeFileSync(file, JSON.stringify({ metadata: { description: "RegionC points", digests: { sha256: digest }, labels: ["m_sbottom", "m_neutralino2", "m_neutralino1"], references: {} }, patches, version: "1.0.0" }));
  return file;
}

describe("hepflow patchset (pyhf patchset)", () => {
  const good = patchset(pyDigest(BKG));

  it("verify accepts the workspace the digests were made for and refuses another", async () => {
    expect(await run("patchset", "verify", BKG, good)).toBe("All good.\n");
    const bad = patchset("0".repeat(64));
    await expect(run("patchset", "verify", BKG, bad)).rejects.toThrow(/sha256 digest is 0{64}/);
    await expect(run("patchset", "apply", BKG, bad, "--name", POINTS[0]!)).rejects.toThrow(/not made for this background-only workspace/);
  });

  it("extract gives the patch file's operations; --with-metadata merges the patchset's metadata", async () => {
    const ops = JSON.parse(await run("patchset", "extract", good, "--name", POINTS[1]!));
    expect(ops).toEqual(JSON.parse(readFileSync(path.join(SB, `patch.${POINTS[1]}.json`), "utf8")));
    const m = JSON.parse(await run("patchset", "extract", good, "--name", POINTS[1]!, "--with-metadata"));
    expect(Object.keys(m)).toEqual(["metadata", "patch"]);
    expect(m.metadata.name).toBe(POINTS[1]);
    expect(m.metadata.labels).toEqual(["m_sbottom", "m_neutralino2", "m_neutralino1"]);
    expect(m.metadata.values).toEqual([1300, 450, 60]);
    await expect(run("patchset", "extract", good, "--name", "sbottom_1_2_3")).rejects.toThrow(/no patch named "sbottom_1_2_3"/);
    await expect(run("patchset", "extract", good)).rejects.toThrow(/--name/);
  });

  it("inspect lists every patch with its values", async () => {
    const text = await run("patchset", "inspect", good);
    expect(text).toMatch(/2 patches found in Patchset/);
    expect(text).toMatch(/sbottom_1100_650_60\s+\(1100, 650, 60\)/);
    const j = JSON.parse(await run("patchset", "inspect", good, "--json"));
    expect(j.patches).toEqual([
      { name: POINTS[0], values: [1100, 650, 60] },
      { name: POINTS[1], values: [1300, 450, 60] },
    ]);
  });

  it("apply gives the workspace on which cls reproduces pyhf's CLs for that point", async () => {
    const out = path.join(tmp, "applied.json");
    await run("patchset", "apply", BKG, good, "--name", POINTS[0]!, "--output-file", out);
    await expect(run("patchset", "apply", BKG, good, "--name", POINTS[0]!, "--output-file", out)).rejects.toThrow(/--force/);
    const ref = JSON.parse(readFileSync(path.join(SB, `${POINTS[0]}.expected.json`), "utf8")).cases[0].hypotest;
    const j = JSON.parse(await run("cls", out, "--test-poi", "1", "--json"));
    // pyhf reference precision for CLs: 7e-7 relative (README); the deep tail (CLs_exp[0] ~ 1e-8) is optimizer-limited, 1e-4
    expect(Math.abs(j.CLs_obs / ref.CLs_obs - 1)).toBeLessThan(1e-5);
    ref.CLs_exp.forEach((v: number, i: number) => expect(Math.abs(j.CLs_exp[i] / v - 1)).toBeLessThan(1e-4));
  }, 60_000);
});

describe("hepflow inspect --json in pyhf inspect's shape", () => {
  it("samples, channels, modifiers, parameters and measurements as pyhf gives them", async () => {
    const ref = JSON.parse(readFileSync(path.join(DIR, "docs_2bin_1channel.expected.json"), "utf8")).model;
    const j = JSON.parse(await run("inspect", path.join(DIR, "docs_2bin_1channel.json"), "--json"));
    expect(j.samples).toEqual(ref.samples);
    expect(j.channels).toEqual(ref.channels.map((c: string) => [c, ref.channel_nbins[c]]));
    expect(j.modifiers).toEqual(Object.fromEntries(ref.modifiers));
    const constraint = (p: { constraint: string | null }) => (p.constraint ? `constrained_by_${p.constraint}` : "unconstrained");
    expect(j.parameters).toEqual(
      Object.entries(ref.parameters)
        .map(([n, p]) => [n, constraint(p as { constraint: string | null })])
        .sort(),
    );
    expect(j.systematics).toEqual([
      ["mu", "unconstrained", ["normfactor"]],
      ["uncorr_bkguncrt", "constrained_by_poisson", ["shapesys"]],
    ]);
    expect(j.measurements).toEqual([["Measurement", "mu", []]]);
    expect(j.par_names).toEqual(ref.par_names);
  });

  it("a background-only workspace is inspected without a POI", async () => {
    const j = JSON.parse(await run("inspect", BKG, "--json"));
    expect(j.poi).toBeNull();
    // pyhf orders channels by name (code-point order, as Python's sorted)
    const names = JSON.parse(readFileSync(BKG, "utf8")).channels.map((c: { name: string }) => c.name);
    expect(j.channels.map((c: [string, number]) => c[0])).toEqual([...names].sort());
    expect(j.parameters.find((p: [string, string]) => p[0] === "mu_SIG")).toBeUndefined();
  });
});
