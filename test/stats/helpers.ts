/** Small workspaces written out by hand for the stats tests. */
import type { ModifierSpec, WorkspaceSpec } from "../../src/stats/index.js";

/** One channel, one bin: signal s (with normfactor mu) and background b with the given modifiers, n observed. */
export function counting(s: number, b: number, n: number, bkgModifiers: ModifierSpec[] = [], parameters: WorkspaceSpec["measurements"][0]["config"]["parameters"] = []): WorkspaceSpec {
  return {
    channels: [
      {
        name: "SR",
        samples: [
          { name: "signal", data: [s], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          { name: "background", data: [b], modifiers: bkgModifiers },
        ],
      },
    ],
    observations: [{ name: "SR", data: [n] }],
    measurements: [{ name: "meas", config: { poi: "mu", parameters } }],
    version: "1.0.0",
  };
}
