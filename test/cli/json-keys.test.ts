import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REFERENCE } from "../shared.js";
import { runCli as run } from "../helpers/cli.js";

const DIR = path.join(REFERENCE, "stats");
const WS = path.join(DIR, "all_modifiers_2channel.json");
const ref = JSON.parse(readFileSync(path.join(DIR, "all_modifiers_2channel.expected.json"), "utf8"));
const mle = ref.cases[0].mle;
const bestfit = (name: string) => mle.bestfit[ref.model.par_names.indexOf(name)];

/** Every object key in a JSON value. */
function keys(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keys(x, out));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keys(x, out);
    }
  }
  return out;
}
// pyhf's own mixed-case keys; every other key is snake_case (keys that are data — parameter, channel, modifier names — are skipped by the callers)
const PYHF = new Set(["CLs_obs", "CLs_exp", "CLsb_obs", "CLb_obs"]);
const snake = (k: string) => PYHF.has(k) || /^[a-z][a-z0-9_]*$/.test(k);

describe("one key style in every --json", () => {
  it("cls, fit, ranking, yields, scan, gof, inspect: snake_case or pyhf's keys", async () => {
    const outputs: Record<string, unknown> = {
      cls: JSON.parse(await run("cls", WS, "--json")),
      ranking: JSON.parse(await run("ranking", WS, "--json", "--top", "3")),
      yields: JSON.parse(await run("yields", WS, "--json")),
      scan: JSON.parse(await run("scan", WS, "--json", "--points", "3")),
      gof: JSON.parse(await run("gof", WS, "--json")),
    };
    const f = JSON.parse(await run("fit", WS, "--json"));
    // the values of mle_parameters/bestfit/uncertainties are keyed by parameter name (data, not schema)
    outputs.fit = { ...f, mle_parameters: null, mle_uncertainties: null, bestfit: null, uncertainties: null };
    const i = JSON.parse(await run("inspect", WS, "--json"));
    outputs.inspect = { ...i, modifiers: null };
    for (const [cmd, j] of Object.entries(outputs)) {
      const bad = [...keys(j)].filter((k) => !snake(k));
      expect(bad, `${cmd} --json keys`).toEqual([]);
    }
    const y = outputs.yields as { prefit: { samples: { bin_uncertainties: number[] }[] }[] };
    expect(y.prefit[0]!.samples[0]!.bin_uncertainties.length).toBeGreaterThan(0);
  }, 120_000);
});

describe("ranking of unconstrained parameters (cabinetry's way) and --top", () => {
  it("a free normfactor and a shapefactor have no pre-fit impact and no pull; --top N limits every table", async () => {
    const j = JSON.parse(await run("ranking", WS, "--json"));
    const by = new Map(j.impacts.map((x: { name: string }) => [x.name, x]));
    for (const n of ["k_ttbar", "qcd_sf[0]", "qcd_sf[2]"]) {
      const x = by.get(n) as { prefit_up: number | null; prefit_down: number | null; constrained: boolean; bestfit: number };
      expect(x.constrained, n).toBe(false);
      expect(x.prefit_up, n).toBeNull();
      expect(x.prefit_down, n).toBeNull();
      // the free fit behind the ranking is pyhf's MLE (reference precision 1e-4 relative for weakly constrained parameters)
      expect(Math.abs(x.bestfit - bestfit(n))).toBeLessThan(1e-4 * Math.max(1, Math.abs(bestfit(n))));
      expect(
        j.pulls.some((p: { name: string }) => p.name === n),
        `${n} not among the pulls`,
      ).toBe(false);
    }
    const jes = by.get("jes") as { prefit_up: number; constrained: boolean };
    expect(jes.constrained).toBe(true);
    expect(Number.isFinite(jes.prefit_up) && jes.prefit_up !== 0).toBe(true);

    const text = await run("ranking", WS, "--top", "4");
    const [impactTable, pullTable] = text.split("\n\n").slice(1, 3);
    expect(impactTable!.split("\n").length).toBe(2 + 4);
    expect(pullTable!.split("\n").length).toBeLessThanOrEqual(2 + 4);
    // the POI line is rounded to its uncertainty, not printed to 17 digits
    expect(text.split("\n")[0]).toMatch(/^mu = -?\d+\.\d{1,4} ± \d+\.\d{1,4} {2}\(top 4/);
  }, 120_000);
});
