/** Indices that come from the user's files or options: a clear HepflowError, not a TypeError or NaN further on. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliOutcome } from "../helpers/cli.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepflow-bad-index-"));
const write = (name: string, value: unknown) => {
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
};
const point = (name: string, values: number[], exp: number[]) => ({ name, values, CLs_obs: 0.01, CLs_exp: exp, converged: true });

describe("bad indices in user input", () => {
  it("patchset contour: a grid point without five expected CLs names the file and the point", async () => {
    const grid = write("short.json", { mu: 1, points: [point("a", [1, 2], [0.1, 0.2, 0.3, 0.4, 0.5]), point("b", [1, 3], [0.1, 0.2])] });
    const { error } = await runCliOutcome("patchset", "contour", grid, "-o", path.join(tmp, "c1.svg"));
    expect(error).toMatchObject({ code: "GRID_INVALID", file: grid, object: "points[1]" });
    expect(error?.message).toMatch(/CLs_exp with five values/);
  });

  it("patchset contour: --y beyond a point's values is an option error, not a NaN coordinate", async () => {
    const grid = write("ok.json", { mu: 1, points: [point("a", [1, 2], [0.1, 0.2, 0.3, 0.4, 0.5])] });
    const { error } = await runCliOutcome("patchset", "contour", grid, "-o", path.join(tmp, "c2.svg"), "--y", "2");
    expect(error).toMatchObject({ code: "CLI_BAD_OPTION" });
    expect(error?.message).toMatch(/has 2 values/);
  });

  it("scale: a draw JSON histogram with no edges is refused before any file is written", async () => {
    const h = write("h.json", { x: { edges: [], expr: "x" }, values: [], variances: [] });
    const { error } = await runCliOutcome("scale", h, "-o", path.join(tmp, "s.root"), "-c", "1", "-s", "1", "-l", "1");
    expect(error).toMatchObject({ code: "SCALE_INPUT", file: h, object: "x.edges" });
  });
});
