/** `hepflow draw FILE[:TREE]... EXPR`: TTree::Draw — a histogram of an expression in the terminal, or as PNG/SVG/JSON. */
import type { Command } from "commander";
import { HepflowError, claimOutputFile, onlyItem, writeOutputFile } from "../../util/index.js";

interface DrawCliOptions {
  where?: string;
  weight?: string;
  bins?: string;
  range?: string[];
  yRange?: string[];
  out?: string;
  logy?: boolean;
  json?: boolean;
  step?: string;
  force?: boolean;
  width?: string;
}

/** FILE:TREE → [file, tree]; a bare FILE (no tree part) gives tree undefined. URLs keep their scheme's colon. */
export function splitSpec(spec: string): [string, string | undefined] {
  const m = /^(.*\.root)(?::(.+))?$/i.exec(spec) ?? /^(.*):([^/:]+)$/.exec(spec);
  if (m?.[1] !== undefined) return [m[1], m[2]];
  return [spec, undefined];
}

export function register(program: Command): void {
  program
    .command("draw <inputs...>")
    .description('histogram an expression (TTree::Draw): FILE[:TREE]... EXPR, 1D or "y:x"; terminal bars unless -o')
    .option("-w, --where <cut>", "selection, e.g. 'nJet >= 4' (a non-boolean value multiplies the weight, as in ROOT)")
    .option("--weight <expr>", "weight per event or element")
    .option("--bins <n>", "bins per axis (default: one per integer for small integer ranges, else 100 for -o/--json, 40 in the terminal, 40×40 in 2D)")
    .option("--range <lo hi...>", "x range: LO HI")
    .option("--y-range <lo hi...>", "y range of a 2D draw: LO HI")
    .option("-o, --out <file>", "write .png, .svg or .json instead of printing")
    .option("--logy", "logarithmic y (counts) axis")
    .option("--json", "print the histogram as JSON")
    .option("--step <n>", "entries per chunk", "1000000")
    .option("--width <n>", "terminal bar width", "50")
    .option("--force", "overwrite an existing output file")
    .action(async (inputs: string[], o: DrawCliOptions) => {
      const expr = inputs.at(-1);
      if (inputs.length < 2 || expr === undefined) throw new HepflowError("CLI_USAGE", "draw needs FILE[:TREE] and an expression, e.g. hepflow draw f.root:Events 'Jet_pt'");
      const specs = inputs.slice(0, -1);
      const { draw } = await import("../../expr/index.js");
      const { progressPrinter } = await import("../progress.js");
      const range = (r: string[] | undefined, name: string): [number, number] | undefined => {
        if (!r) return undefined;
        const v = r
          .flatMap((x) => x.split(/[ ,]+/))
          .filter(Boolean)
          .map(Number);
        const [lo, hi, ...extra] = v;
        if (lo === undefined || hi === undefined || extra.length || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) throw new HepflowError("CLI_BAD_OPTION", `${name} takes LO HI with LO < HI, not '${r.join(" ")}'`);
        return [lo, hi];
      };
      // the terminal gets 40 rows by default (ROOT's 100 bins for files)
      const bins = o.bins === undefined ? (o.out || o.json ? undefined : 40) : Number(o.bins);
      if (bins !== undefined && (!Number.isInteger(bins) || bins < 1 || bins > 100000)) throw new HepflowError("CLI_BAD_OPTION", `--bins takes a positive integer, not '${o.bins}'`);
      const step = Number(o.step);
      if (!Number.isInteger(step) || step < 1) throw new HepflowError("CLI_BAD_OPTION", `--step takes a positive integer, not '${o.step}'`);
      const files = await expandInputs(specs);
      // refused before any reading: an existing output, or an output that is one of the inputs
      if (o.out) claimOutputFile(o.out, { force: o.force, inputs: files.map(([path]) => path) });
      const opened: Array<{ close(): Promise<void> }> = [];
      try {
        const trees = await openTrees(files, opened);
        const progress = process.stderr.isTTY ? progressPrinter() : undefined;
        const h = await draw(trees, expr, { where: o.where, weight: o.weight, bins, range: range(o.range, "--range"), yRange: range(o.yRange, "--y-range"), stepSize: step, onProgress: progress });
        progress?.end();
        if (o.out) await writeOut(h, o.out, o.logy ?? false);
        else if (o.json) process.stdout.write(JSON.stringify(toJSON(h)) + "\n");
        else {
          const { histogramText } = await import("../histtext.js");
          process.stdout.write(histogramText(h, { logy: o.logy, width: Number(o.width) || 50 }));
        }
      } finally {
        for (const f of opened) await f.close();
      }
    });
}

/** Opens each input's tree (the only one in the file when no TREE is given); files go into `opened` so the caller closes them even after an error. */
export async function openTrees(files: Array<[string, string | undefined]>, opened: Array<{ close(): Promise<void> }>): Promise<import("../../root/index.js").TreeLike[]> {
  const { openFile } = await import("../../root/index.js");
  const trees = [];
  for (const [path, treeName] of files) {
    const f = await openFile(path);
    opened.push(f);
    trees.push(await f.tree(treeName ?? (await onlyTree(f, path))));
  }
  return trees;
}

/** FILE[:TREE] specs with local globs expanded (sorted, so the fill order is fixed); URLs pass through. */
export async function expandInputs(specs: string[]): Promise<Array<[string, string | undefined]>> {
  const out: Array<[string, string | undefined]> = [];
  const { readdirSync } = await import("node:fs");
  const nodePath = await import("node:path");
  const { createRequire } = await import("node:module");
  const picomatch = createRequire(import.meta.url)("picomatch") as (glob: string) => (name: string) => boolean;
  for (const spec of specs) {
    const [path, tree] = splitSpec(spec);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || !/[*?[]/.test(path)) {
      out.push([path, tree]);
      continue;
    }
    const dir = nodePath.dirname(path),
      base = nodePath.basename(path);
    if (/[*?[]/.test(dir)) throw new HepflowError("CLI_USAGE", `globs only in the file name, not the directory: ${path}`);
    const match = picomatch(base);
    const names = readdirSync(dir)
      .filter((n) => match(n))
      .sort();
    if (names.length === 0) throw new HepflowError("CLI_USAGE", `no file matches ${path}`);
    for (const n of names) out.push([nodePath.join(dir, n), tree]);
  }
  return out;
}

export async function onlyTree(f: { keys(): Promise<Array<{ path: string; className: string }>> }, path: string): Promise<string> {
  const trees = (await f.keys()).filter((k) => /^(TTree|TNtuple|TNtupleD|ROOT::(Experimental::)?RNTuple)$/.test(k.className));
  const names = [...new Set(trees.map((t) => t.path))];
  const only = onlyItem(names);
  if (only !== undefined) return only;
  throw new HepflowError("CLI_USAGE", names.length ? `${path} holds several trees (${names.join(", ")}); write FILE:TREE` : `${path} holds no TTree or RNTuple`, { file: path });
}

function toJSON(h: import("../../expr/index.js").DrawResult): Record<string, unknown> {
  const edges = (a: { bins: number; lo: number; hi: number }) => Array.from({ length: a.bins + 1 }, (_, i) => a.lo + ((a.hi - a.lo) * i) / a.bins);
  return {
    x: { ...h.x, edges: edges(h.x) },
    y: h.y ? { ...h.y, edges: edges(h.y) } : undefined,
    values: Array.from(h.values),
    variances: Array.from(h.variances),
    underflow: h.underflow,
    overflow: h.overflow,
    entries: h.entries,
    integral: h.integral,
    nan: h.nan,
    events: h.events,
    branches: h.branches,
  };
}

async function writeOut(h: import("../../expr/index.js").DrawResult, out: string, logy: boolean): Promise<void> {
  // already claimed before reading, so these writes only replace what the user allowed
  if (/\.json$/i.test(out) && !/\.vl\.json$/i.test(out)) {
    writeOutputFile(out, JSON.stringify(toJSON(h), null, 1) + "\n", { force: true });
    return;
  }
  if (!/\.(png|svg|vl\.json)$/i.test(out)) throw new HepflowError("CLI_BAD_OPTION", `-o must end in .png, .svg, .vl.json or .json: ${out}`);
  const plot = await import("../../plot/index.js");
  const j = toJSON(h) as { x: { edges: number[] }; y?: { edges: number[] } };
  const spec = h.y
    ? plot.hist2dPlot({ xEdges: j.x.edges, yEdges: j.y!.edges, values: h.values, label: `${h.y.expr}:${h.x.expr}` }, { xTitle: h.x.expr, yTitle: h.y.expr, experiment: "none" })
    : plot.stackPlot({ mc: [{ edges: j.x.edges, values: h.values, variances: h.variances, label: h.x.expr }] }, { xTitle: h.x.expr, logY: logy, experiment: "none" });
  if (/\.vl\.json$/i.test(out)) writeOutputFile(out, JSON.stringify(spec, null, 1) + "\n", { force: true });
  else await plot.writePlot(spec, out);
}
