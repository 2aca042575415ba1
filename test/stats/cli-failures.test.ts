// Issue 13 items 7 and 8 across every stats command: a failed fit or a non-finite result is a
// non-zero exit with advice after the record (converged: false) is written, and every input
// error names the file, the JSON path and the channel/bin in the user's order.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliOutcome } from "../helpers/cli.js";
import { REFERENCE } from "../shared.js";

const WS = path.join(REFERENCE, "stats", "docs_2bin_1channel.json");
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-statsfail-"));

const run = runCliOutcome;

/**
 * The reference workspace as two channels whose order differs from the sorted one pyhf and the
 * model use ("zz" first in the file, "aa" second), so an index counted after sorting would be wrong.
 */
// biome-ignore lint/suspicious/noExplicitAny: the edits make raw, deliberately invalid workspace JSON
function twoChannels(edit: (ws: any) => void): string {
  const ws = JSON.parse(readFileSync(WS, "utf8"));
  const aa = ws.channels[0];
  const zz = JSON.parse(JSON.stringify(aa));
  aa.name = "aa";
  zz.name = "zz";
  for (const s of aa.samples) for (const m of s.modifiers) if (m.type === "shapesys") m.name += "_aa";
  ws.channels = [zz, aa];
  ws.observations = [
    { name: "zz", data: [50, 60] },
    { name: "aa", data: [50, 60] },
  ];
  edit(ws);
  const file = path.join(dir, `ws-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(ws));
  return file;
}

const COMMANDS = ["fit", "cls", "scan", "gof", "yields", "ranking", "significance", "limit"];

describe("stats input errors name file, JSON path and channel/bin in the user's order (item 8)", () => {
  // Per command: negative expected yield, negative observation, initial value outside its bounds,
  // empty bounds, an unknown measurement parameter, a POI the model lacks.
  const negYield = twoChannels((ws) => {
    ws.channels[0].samples[1].data[1] = -100;
  });
  const negObs = twoChannels((ws) => {
    ws.observations[0].data[1] = -3;
  });
  const badInit = twoChannels((ws) => {
    ws.measurements[0].config.parameters = [{ name: "mu", inits: [20], bounds: [[0, 10]] }];
  });
  const emptyBounds = twoChannels((ws) => {
    ws.measurements[0].config.parameters = [{ name: "mu", bounds: [[5, 1]] }];
  });
  const unknownPar = twoChannels((ws) => {
    ws.measurements[0].config.parameters = [{ name: "lumii", inits: [1] }];
  });
  const missingPoi = twoChannels((ws) => {
    ws.measurements[0].config.poi = "mu_missing";
  });
  for (const cmd of COMMANDS) {
    it(`${cmd}`, async () => {
      let r = await run(cmd, negYield);
      expect(r.error?.message).toContain(negYield);
      expect(r.error?.message).toContain("$.channels[0].samples[1].data[1]");
      expect(r.error?.message).toContain('channel "zz" bin 1');
      // the expected yields are at fault, never the (fine) observed data
      expect(r.error?.message).not.toMatch(/observed count .* is -/);
      r = await run(cmd, negObs);
      expect(r.error?.message).toContain(negObs);
      expect(r.error?.message).toContain("$.observations[0].data[1]");
      expect(r.error?.message).toContain('channel "zz"');
      r = await run(cmd, badInit);
      expect(r.error?.message).toContain(badInit);
      expect(r.error?.message).toContain("$.measurements[0].config.parameters[0].inits[0]");
      const cases: Array<[string, string]> = [
        [emptyBounds, "$.measurements[0].config.parameters[0].bounds[0]"],
        [unknownPar, "$.measurements[0].config.parameters[0]"],
      ];
      // fit, gof and yields need no POI: a model without one is fitted as it is (issue 14 item 2)
      if (!["fit", "gof", "yields"].includes(cmd)) cases.push([missingPoi, "$.measurements[0].config.poi"]);
      for (const [file, where] of cases) {
        r = await run(cmd, file);
        expect(r.error?.message, where).toContain(file);
        expect(r.error?.message, where).toContain(where);
      }
    });
  }

  it("a model error (a shared shapesys) names the file, not only the JSON path", async () => {
    const shared = twoChannels((ws) => {
      for (const s of ws.channels[1].samples) for (const m of s.modifiers) if (m.type === "shapesys") m.name = m.name.replace(/_aa$/, "");
    });
    const r = await run("fit", shared);
    expect(r.error?.message).toContain(`${shared}: $.channels[0].samples[1].modifiers[0]`);
  });
});

describe("fit, scan, gof, yields and ranking fail after recording converged: false (item 7)", () => {
  const negYield = twoChannels((ws) => {
    ws.channels[0].samples[1].data[1] = -100;
  });
  for (const cmd of ["fit", "scan", "gof", "yields", "ranking"]) {
    it(cmd, async () => {
      const r = await run(cmd, negYield, "--json");
      expect(r.error?.message).toMatch(/Things to try/);
      expect(JSON.parse(r.out).converged).toBe(false);
      const text = await run(cmd, negYield);
      expect(text.error?.message).toMatch(/did not converge|not finite|non-finite/);
    });
  }

  it("a converged run still exits 0 and says converged: true", async () => {
    for (const cmd of ["scan", "gof", "yields", "ranking"]) {
      const r = await run(cmd, WS, "--json");
      expect(r.error, cmd).toBeUndefined();
      expect(JSON.parse(r.out).converged, cmd).toBe(true);
    }
  });
});
