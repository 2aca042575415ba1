/** Explanations for fits that fail, located in the user's workspace (file, JSON path, channel and bin). */
import { HepflowError } from "../util/index.js";
import type { Model } from "./model.js";
import type { Workspace } from "./workspace.js";

/**
 * Bins whose expected yield at `pars` (default: the suggested initial values) is negative, zero
 * with events observed, or not finite — where the Poisson likelihood has no finite value — with
 * the sample entries that make them so, as JSON paths into the workspace in the user's order
 * (`$.channels[1].samples[0].data[2]`). Returns null when every bin is fine.
 */
export function explainBadYields(ws: Workspace, model: Model, pars: ArrayLike<number> = model.config.suggestedInit(), { limit = 5 }: { limit?: number } = {}): string | null {
  const c = model.config;
  const expected = model.expectedActualData(pars);
  const problems: string[] = [];
  let at = 0;
  for (const name of c.channels) {
    const nb = c.channelNbins[name] ?? 0;
    const ci = ws.spec.channels.findIndex((x) => x.name === name);
    const ch = ws.spec.channels[ci];
    if (!ch) throw new HepflowError("WORKSPACE_INVALID", `the model's channel "${name}" is not in this workspace; explain yields with the workspace the model was built from`);
    const obs = ws.spec.observations.find((o) => o.name === name)?.data ?? [];
    for (let b = 0; b < nb; b++) {
      const lam = expected[at + b]!;
      const n = obs[b] ?? 0;
      if (Number.isFinite(lam) && (lam > 0 || (lam === 0 && n === 0))) continue;
      const culprits = ch.samples
        .map((s, si) => ({ s, si }))
        .filter(({ s }) => !((s.data[b] ?? Number.NaN) > 0))
        .map(({ s, si }) => `$.channels[${ci}].samples[${si}].data[${b}] = ${s.data[b]} (sample "${s.name}")`);
      problems.push(`channel "${name}" bin ${b}: expected ${lam} with ${n} observed${culprits.length ? `; non-positive nominal yields at ${culprits.join(", ")}` : ""}`);
    }
    at += nb;
  }
  if (!problems.length) return null;
  const more = problems.length > limit ? ` … and ${problems.length - limit} more` : "";
  return `the expected yield is not positive in ${problems.length} bin(s), where the Poisson likelihood is undefined: ${problems.slice(0, limit).join("; ")}${more}${ws.file ? ` (in ${ws.file})` : ""}`;
}
