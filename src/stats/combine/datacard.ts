/**
 * Export of a pyhf workspace to a CMS Combine text datacard with shape templates.
 * Mapping: normsys → lnN (κ_down/κ_up); histosys → shape (templates = nominal ± the variation,
 * multiplied by the normsys factors of the same name so one shape line carries both, as
 * Combine's shape morphing includes the normalisation); normfactor → rateParam; lumi →
 * rateParam with a Gaussian `param` constraint; staterror → autoMCStats on the channels that
 * have it (template errors = the staterror widths). shapesys and shapefactor have no
 * equivalent and are reported as unmapped.
 */
import { HepflowError, itemAt } from "../../util/index.js";
import type { MeasurementSpec, NormSysData, HistoSysData, WorkspaceSpec } from "../spec.js";

/** A template to store in the shapes file: `channel/process[_systUp|Down]`. */
export interface ShapeTemplate {
  path: string;
  contents: number[];
  /** Per-bin sum of squared weights (staterror² for nominal templates). */
  sumw2: number[];
}

/** The datacard text, the templates for its shapes file, and what could not be mapped. */
export interface DatacardExport {
  text: string;
  shapes: ShapeTemplate[];
  unmapped: string[];
  /** Original name → Combine-safe name, for channels, processes and parameters that had to change. */
  renamed: Record<string, string>;
}

/** Combine names must be plain tokens: keep letters, digits and _ ; replace the rest by _. */
function sanitizer(): { name: (s: string) => string; renamed: Record<string, string> } {
  const used = new Map<string, string>();
  const renamed: Record<string, string> = {};
  return {
    renamed,
    name(s: string): string {
      const known = [...used.entries()].find(([, orig]) => orig === s);
      if (known) return known[0];
      let t = s.replace(/[^A-Za-z0-9_]/g, "_");
      if (/^[0-9]/.test(t)) t = `_${t}`;
      let u = t;
      for (let k = 2; used.has(u); k++) u = `${t}_${k}`;
      used.set(u, s);
      if (u !== s) renamed[s] = u;
      return u;
    },
  };
}

const num = (v: number) => String(Number(v.toPrecision(10)));

/** Build the datacard for one measurement of the workspace; `shapesFile` is the name written in the `shapes` line. */
export function workspaceToDatacard(ws: WorkspaceSpec, { measurement, shapesFile = "shapes.root" }: { measurement?: string; shapesFile?: string } = {}): DatacardExport {
  const meas: MeasurementSpec | undefined = measurement === undefined ? ws.measurements[0] : ws.measurements.find((m) => m.name === measurement);
  if (!meas) throw new HepflowError("UNKNOWN_MEASUREMENT", `no measurement "${measurement}" (have ${ws.measurements.map((m) => m.name).join(", ")})`);
  const poi = meas.config.poi;
  const param = (n: string) => meas.config.parameters.find((p) => p.name === n);
  const chan = sanitizer();
  const proc = sanitizer();
  const par = sanitizer();
  const unmapped: string[] = [];
  const shapes: ShapeTemplate[] = [];
  const lines: string[] = [];
  const bins: { ch: string; pr: string; signal: boolean; orig: { channel: string; sample: string } }[] = [];
  const lnN = new Map<string, Map<number, string>>();
  const shapeSys = new Map<string, Set<number>>();
  const rateParams: string[] = [];
  const paramLines: string[] = [];
  const statChannels: string[] = [];
  const signalSamples = new Set(ws.channels.flatMap((c) => c.samples.filter((s) => s.modifiers.some((m) => m.type === "normfactor" && m.name === poi)).map((s) => s.name)));
  const procIndex = new Map<string, number>();
  let nextSig = 0,
    nextBkg = 1;
  for (const c of ws.channels) {
    const ch = chan.name(c.name);
    const obs = ws.observations.find((o) => o.name === c.name);
    if (!obs) throw new HepflowError("WORKSPACE_INVALID", `channel "${c.name}" has no observation`);
    shapes.push({ path: `${ch}/data_obs`, contents: obs.data.slice(), sumw2: obs.data.slice() });
    let hasStat = false;
    for (const s of c.samples) {
      const pr = proc.name(s.name);
      const signal = signalSamples.has(s.name);
      if (!procIndex.has(pr)) procIndex.set(pr, signal ? nextSig-- : nextBkg++);
      const col = bins.length;
      bins.push({ ch, pr, signal, orig: { channel: c.name, sample: s.name } });
      const stat = s.modifiers.find((m) => m.type === "staterror");
      if (stat) hasStat = true;
      const err = stat ? (stat.data as number[]) : s.data.map(() => 0);
      shapes.push({ path: `${ch}/${pr}`, contents: s.data.slice(), sumw2: err.map((e) => e * e) });
      for (const m of s.modifiers) {
        const where = `${m.type} "${m.name}" on sample "${s.name}" in channel "${c.name}"`;
        switch (m.type) {
          case "normsys": {
            const d = m.data as NormSysData;
            // with a histosys of the same name the normalisation goes into the shape templates
            if (s.modifiers.some((x) => x.type === "histosys" && x.name === m.name)) break;
            const row = lnN.get(m.name) ?? new Map<number, string>();
            // a single κ means κ^θ in Combine, i.e. 1/κ at θ = −1: only use it when lo = 1/hi
            row.set(col, Math.abs(d.lo * d.hi - 1) < 1e-12 ? num(d.hi) : `${num(d.lo)}/${num(d.hi)}`);
            lnN.set(m.name, row);
            break;
          }
          case "histosys": {
            const d = m.data as HistoSysData;
            const ns = s.modifiers.find((x) => x.type === "normsys" && x.name === m.name)?.data as NormSysData | undefined;
            const sy = par.name(m.name);
            shapes.push({ path: `${ch}/${pr}_${sy}Up`, contents: d.hi_data.map((v) => v * (ns?.hi ?? 1)), sumw2: d.hi_data.map(() => 0) });
            shapes.push({ path: `${ch}/${pr}_${sy}Down`, contents: d.lo_data.map((v) => v * (ns?.lo ?? 1)), sumw2: d.lo_data.map(() => 0) });
            const set = shapeSys.get(m.name) ?? new Set<number>();
            set.add(col);
            shapeSys.set(m.name, set);
            break;
          }
          case "normfactor": {
            const p = param(m.name);
            const init = p?.inits?.[0] ?? 1;
            const b = p?.bounds?.[0] ?? [0, 10];
            rateParams.push(`${par.name(m.name)} rateParam ${ch} ${pr} ${num(init)} [${num(b[0])},${num(b[1])}]`);
            break;
          }
          case "lumi": {
            const p = param(m.name);
            if (!p?.auxdata || !p.sigmas) throw new HepflowError("WORKSPACE_INVALID", `lumi parameter "${m.name}" needs auxdata and sigmas in measurement "${meas.name}"`);
            const b = p.bounds?.[0];
            const lumiPlace = { object: `measurement "${meas.name}" parameter "${m.name}"` };
            const aux = itemAt(p.auxdata, 0, "auxdata", "WORKSPACE_INVALID", lumiPlace);
            rateParams.push(`${par.name(m.name)} rateParam ${ch} ${pr} ${num(p.inits?.[0] ?? aux)}${b ? ` [${num(b[0])},${num(b[1])}]` : ""}`);
            const line = `${par.name(m.name)} param ${num(aux)} ${num(itemAt(p.sigmas, 0, "sigmas", "WORKSPACE_INVALID", lumiPlace))}`;
            if (!paramLines.includes(line)) paramLines.push(line);
            break;
          }
          case "staterror":
            break;
          default:
            unmapped.push(`${where}: Combine has no equivalent (left out)`);
        }
      }
    }
    if (hasStat) statChannels.push(ch);
  }
  for (const p of meas.config.parameters) {
    if (p.fixed && !unmapped.some((u) => u.includes(`"${p.name}"`) && u.includes("fixed"))) {
      unmapped.push(
        `parameter "${p.name}" is fixed in the measurement${p.inits ? ` at ${p.inits.join(", ")}` : ""}; freeze it in Combine with --freezeParameters ${par.name(p.name)}${p.inits?.[0] !== undefined ? ` --setParameters ${par.name(p.name)}=${num(p.inits[0])}` : ""}`,
      );
    }
  }
  const W = (cells: string[]) => cells.join(" ");
  lines.push(`# CMS Combine datacard written by hepflow from a pyhf workspace (measurement "${meas.name}", POI "${poi}")`);
  lines.push(`# In Combine use the POI with: --redefineSignalPOIs ${par.name(poi)} (and freeze r, e.g. --freezeParameters r --setParameters r=1)`);
  lines.push("# normsys -> lnN: Combine interpolates asymmetric lnN smoothly, pyhf uses its normsys interpolation code (code1 = lnN exactly for symmetric kappas)");
  lines.push("# histosys -> shape: Combine morphs with its own smooth-step interpolation; pyhf uses its histosys code (code4p by default)");
  lines.push("# staterror -> autoMCStats 0 0 1 (Barlow-Beeston-lite for every bin, template errors = staterror widths)");
  for (const u of unmapped) lines.push(`# NOT MAPPED: ${u}`);
  for (const [orig, safe] of Object.entries({ ...chan.renamed, ...proc.renamed, ...par.renamed })) lines.push(`# renamed: "${orig}" -> ${safe}`);
  lines.push(`imax ${ws.channels.length} number of channels`, "jmax * number of backgrounds", "kmax * number of nuisance parameters", "-".repeat(40));
  lines.push(`shapes * * ${shapesFile} $CHANNEL/$PROCESS $CHANNEL/$PROCESS_$SYSTEMATIC`, "-".repeat(40));
  lines.push(W(["bin", ...ws.channels.map((c) => chan.name(c.name))]));
  lines.push(W(["observation", ...ws.channels.map((c) => num(ws.observations.find((o) => o.name === c.name)!.data.reduce((a, b) => a + b, 0)))]), "-".repeat(40));
  lines.push(W(["bin", "", ...bins.map((b) => b.ch)]));
  lines.push(W(["process", "", ...bins.map((b) => b.pr)]));
  lines.push(W(["process", "", ...bins.map((b) => String(procIndex.get(b.pr)))]));
  lines.push(W(["rate", "", ...bins.map(() => "-1")]), "-".repeat(40));
  for (const [name, row] of lnN) lines.push(W([par.name(name), "lnN", ...bins.map((_, i) => row.get(i) ?? "-")]));
  for (const [name, set] of shapeSys) lines.push(W([par.name(name), "shape", ...bins.map((_, i) => (set.has(i) ? "1" : "-"))]));
  lines.push(...rateParams, ...paramLines);
  for (const ch of statChannels) lines.push(`${ch} autoMCStats 0 0 1`);
  return { text: lines.join("\n") + "\n", shapes, unmapped, renamed: { ...chan.renamed, ...proc.renamed, ...par.renamed } };
}
