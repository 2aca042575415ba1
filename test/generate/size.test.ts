// Issue 13 item 11: the pseudo-data default scales with --events; huge outputs ask for --yes.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultDataLuminosity, generateAgc, LUMINOSITY, XSEC } from "../../src/generate/index.js";

describe("generate agc sizes", () => {
  it("the default pseudo-data luminosity expects nominal ttbar --events times (capped at the analysis luminosity)", () => {
    // The rule, computed independently: L = N / sigma_ttbar with sigma_ttbar = 396.87 + 332.97 pb (AGC spec §1.3).
    expect(defaultDataLuminosity(100)).toBeCloseTo(100 / 729.84, 12);
    expect(defaultDataLuminosity(1e9)).toBe(LUMINOSITY);
  });

  it("--events 100 writes a few thousand pseudo-data events, not 56 million", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "gen-size-"));
    const s = await generateAgc({ events: 100, out });
    const cat = JSON.parse(readFileSync(path.join(out, "dataset.json"), "utf8"));
    const data = cat.data.nominal.nevts_total as number;
    const expected = Object.values(XSEC).reduce((a, x) => a + x, 0) * (100 / XSEC.ttbar!);
    // Poisson draws: within 5 sigma of the expectation (~2 300 events).
    expect(Math.abs(data - expected)).toBeLessThan(5 * Math.sqrt(expected));
    expect(s.events).toBe(9 * 100 + data);
  }, 60_000);

  it("an output estimated above 4 GB is refused without allowLarge, before anything is written", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "gen-size-")), "big");
    await expect(generateAgc({ events: 100, out, dataLuminosity: LUMINOSITY })).rejects.toMatchObject({ code: "GENERATE_TOO_LARGE", message: expect.stringContaining("--yes") });
    await expect(generateAgc({ events: 3_000_000, out })).rejects.toMatchObject({ code: "GENERATE_TOO_LARGE" });
  });
});
