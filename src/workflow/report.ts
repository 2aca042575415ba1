/**
 * A static HTML report of one analysis run: a single self-contained page (inline CSS, images by
 * relative path) that a physicist can open from disk or send to a colleague.
 */
import { formatNumber } from "../util/index.js";

export interface ReportTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Shown under the table, e.g. how uncertainties were computed. */
  note?: string;
}

export interface ReportPlot {
  title: string;
  /** Path relative to the report's directory. */
  file: string;
  caption?: string;
}

export interface ReportStage {
  name: string;
  seconds: number;
  /** Events processed by the stage, when it processes events. */
  events?: number;
}

export interface ReportInput {
  title: string;
  /** One-paragraph summary at the top (plain text). */
  summary: string;
  /** Headline numbers: label → formatted value. */
  headline: Array<[string, string]>;
  stages: ReportStage[];
  tables: ReportTable[];
  plots: ReportPlot[];
  /** What produced this: version, command line, seed, hashes of config and inputs. */
  provenance: Array<[string, string]>;
  /** The CLI commands that reproduce the run stage by stage. */
  commands: string[];
}

const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function table(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td${typeof v === "number" ? ' class="num"' : ""}>${esc(typeof v === "number" ? formatNumber(v) : v)}</td>`).join("")}</tr>`).join("\n");
  return `<section><h2>${esc(t.title)}</h2><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${t.note ? `<p class="note">${esc(t.note)}</p>` : ""}</section>`;
}

// the number formats live in util (the CLI prints them too); re-exported here for the report
export { formatNumber, valueWithUncertainty } from "../util/index.js";

function stagesTable(stages: ReportStage[]): ReportTable {
  const total = stages.reduce((s, x) => s + x.seconds, 0);
  return {
    title: "Run time per stage",
    columns: ["stage", "seconds", "events", "events/s"],
    rows: [...stages.map((s) => [s.name, s.seconds.toFixed(3), s.events ?? "", s.events ? Math.round(s.events / Math.max(s.seconds, 1e-9)) : ""]), ["total", total.toFixed(3), "", ""]],
  };
}

/** Renders the report page. */
export function renderReport(r: ReportInput): string {
  const headline = r.headline.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join("");
  const plots = r.plots.map((p) => `<figure><img src="${esc(p.file)}" alt="${esc(p.title)}" loading="lazy"><figcaption><b>${esc(p.title)}</b>${p.caption ? ` — ${esc(p.caption)}` : ""}</figcaption></figure>`).join("\n");
  const prov = r.provenance.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1d3557;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}header p{margin:6px 0 0;opacity:.9;max-width:70em}
main{padding:16px 32px;max-width:1400px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}
.card .k{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}th,td{border:1px solid #ddd;padding:4px 10px;text-align:left}
td.num{text-align:right}thead th{background:#f0f0f0}.note{color:#555;font-size:13px}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}figure img{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:#333;margin-top:6px}pre{background:#fff;border:1px solid #ddd;padding:10px;overflow-x:auto}
code{font-size:13px}
</style></head>
<body>
<header><h1>${esc(r.title)}</h1><p>${esc(r.summary)}</p></header>
<main>
<div class="cards">${headline}</div>
<section><h2>Plots</h2><div class="plots">
${plots}
</div></section>
${r.tables.map(table).join("\n")}
${table(stagesTable(r.stages))}
<section><h2>Provenance</h2><table><tbody>${prov}</tbody></table></section>
<section><h2>Reproduce stage by stage</h2><pre>${esc(r.commands.join("\n"))}</pre></section>
</main></body></html>
`;
}
