/**
 * The DAG of a run as an SVG picture: one box per step (init steps as small boxes), coloured by
 * state, edges from the steps whose outputs a step read, laid out in columns by depth.
 */
import path from "node:path";
import type { RunState, StepRecord } from "./engine.js";

const COLOURS: Record<string, string> = { done: "#b7e4c7", cached: "#a9d6f5", resumed: "#d8c8f0", running: "#ffe08a", failed: "#f4a6a6", waiting: "#e6e6e6" };

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The colour key of a step: its status, or how a done step was served. */
export const stepState = (s: StepRecord): string => (s.status === "done" && s.reused ? (s.reused === "cache" ? "cached" : "resumed") : s.status);

/**
 * Absolute paths in a step's command, made relative: to the run directory for what lies inside
 * it, else to `cwd`, so a picture of the run names no machine-specific folders.
 */
export function relativePaths(text: string, runDir: string, cwd = process.cwd()): string {
  const run = path.resolve(runDir);
  return text.replace(/(^|[\s='"(])(\/[^\s'"()]+)/g, (_, lead: string, p: string) => {
    const inRun = p === run || p.startsWith(run + path.sep);
    return lead + (inRun ? path.relative(run, p) || "." : path.relative(cwd, p) || ".");
  });
}

/** Renders the run's step graph as SVG text; commands show paths relative to `runDir` (or the working directory). */
export function renderGraphSvg(state: RunState, runDir?: string): string {
  const shown = (cmd: string) => (runDir === undefined ? cmd : relativePaths(cmd, runDir));
  const steps = Object.values(state.steps);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const depthOf = (s: StepRecord, seen = new Set<string>()): number => {
    if (depth.has(s.id)) return depth.get(s.id)!;
    if (seen.has(s.id)) return 0;
    seen.add(s.id);
    const d = s.inputs.reduce((m, i) => Math.max(m, byId.has(i) ? depthOf(byId.get(i)!, seen) + 1 : 0), 0);
    depth.set(s.id, d);
    return d;
  };
  steps.forEach((s) => depthOf(s));
  const columns: StepRecord[][] = [];
  for (const s of steps) (columns[depth.get(s.id)!] ??= []).push(s);
  const boxW = 190,
    boxH = 38,
    gapX = 60,
    gapY = 14,
    pad = 20,
    legendH = 30;
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, c) => col.forEach((s, r) => pos.set(s.id, { x: pad + c * (boxW + gapX), y: pad + legendH + r * (boxH + gapY) })));
  const width = pad * 2 + Math.max(1, columns.length) * (boxW + gapX) - gapX;
  // An edge that skips a column runs in a lane of its own below the boxes (else it would cross them).
  // Init parameters read further down the chain are not drawn: every step may read them, and the
  // lanes would bury the edges between steps.
  const drawn = (s: StepRecord, i: string) => pos.has(i) && !(byId.get(i)!.init && depth.get(s.id)! - depth.get(i)! > 1);
  const skips = steps.flatMap((s) => s.inputs.filter((i) => drawn(s, i) && depth.get(s.id)! - depth.get(i)! > 1).map((i) => `${i}\0${s.id}`));
  const laneGap = 10;
  const boxesBottom = pad + legendH + Math.max(1, ...columns.map((c) => c.length)) * (boxH + gapY) - gapY;
  const lane = new Map(skips.map((k, i) => [k, boxesBottom + laneGap * (i + 1)]));
  const height = boxesBottom + pad + laneGap * skips.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>`,
  ];
  Object.entries(COLOURS).forEach(([k, c], i) => {
    parts.push(`<rect x="${pad + i * 80}" y="${pad - 6}" width="12" height="12" fill="${c}" stroke="#555"/><text x="${pad + i * 80 + 16}" y="${pad + 4}">${k}</text>`);
  });
  for (const s of steps) {
    const to = pos.get(s.id)!;
    for (const i of s.inputs) {
      const from = pos.get(i);
      if (!from || !drawn(s, i)) continue;
      const [x1, y1, x2, y2] = [from.x + boxW, from.y + boxH / 2, to.x, to.y + boxH / 2];
      const yl = lane.get(`${i}\0${s.id}`);
      // down into the lane in the gap after the source, along it, and up in the gap before the target
      const d =
        yl === undefined
          ? `M${x1},${y1} C${x1 + gapX / 2},${y1} ${x2 - gapX / 2},${y2} ${x2},${y2}`
          : `M${x1},${y1} C${x1 + gapX / 2},${y1} ${x1 + gapX / 2},${yl} ${x1 + gapX},${yl} L${x2 - gapX},${yl} C${x2 - gapX / 2},${yl} ${x2 - gapX / 2},${y2} ${x2},${y2}`;
      parts.push(`<path d="${d}" fill="none" stroke="#666" marker-end="url(#arrow)"/>`);
    }
  }
  for (const s of steps) {
    const p = pos.get(s.id)!;
    const st = stepState(s);
    const sub = s.init ? "init" : `${st}${s.seconds !== undefined ? ` · ${s.seconds < 10 ? s.seconds.toFixed(2) : s.seconds.toFixed(0)} s` : ""}`;
    parts.push(
      `<g><title>${escapeXml(`${s.id}\n${shown(s.command ?? "")}${s.error ? `\n${shown(s.error)}` : ""}`)}</title>` +
        `<rect x="${p.x}" y="${p.y}" width="${boxW}" height="${boxH}" rx="6" fill="${s.init ? "#f7f7f7" : (COLOURS[st] ?? "#fff")}" stroke="#555"/>` +
        `<text x="${p.x + 8}" y="${p.y + 15}" font-weight="bold">${escapeXml(s.id.length > 30 ? "…" + s.id.slice(-29) : s.id)}</text>` +
        `<text x="${p.x + 8}" y="${p.y + 30}" fill="#333">${escapeXml(sub)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
