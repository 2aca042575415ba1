import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStaticServer } from "../../bench/lib/static-server.mjs";
import { openFile } from "../../src/root/index.js";
import { TrackingStore } from "../../src/tracking/index.js";
import { buildUiServer } from "../../src/web/index.js";
import { launchChromium } from "../helpers/browser.js";
import { SHARED as sharedDir } from "../shared.js";

// End to end in Debian's Chromium: the page of `hepflow ui` (dist/web-client, built by `npm run build`)
// over a scratch root with generated data, a reference ROOT file of histograms, a reference workspace,
// a tracking store and a workflow state file.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = join(repo, "bin", "hepflow.js");
const goldens = join(repo, "test", "web", "goldens");
/**
 * Screenshots are compared pixel by pixel (pixelmatch threshold 0.1 on the YIQ colour distance, so
 * anti-aliasing noise does not count) and may differ in at most 0.5 % of the pixels: room for font
 * hinting and sub-pixel differences between Chromium builds, far below what a missing plot, table or
 * panel changes (a plot alone covers > 10 % of the page). Timings and run progress texts are masked.
 * UPDATE_GOLDENS=1 rewrites the goldens (then look at them).
 */
const MAX_DIFF = 0.005;

let root: string, url: string, browser: Browser, close: () => Promise<void>, served: { url: string; close(): Promise<void> };
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(repo, "dist", "web-client", "index.html"))) throw new Error("dist/web-client is missing: npm run build (tsc + vite build) first");
  root = mkdtempSync(join(tmpdir(), "hepflow-ui-e2e-"));
  execFileSync(process.execPath, [bin, "generate", "zee", "--events", "40000", "--files", "16", "--seed", "7", "--out", join(root, "zee")], { stdio: "ignore" });
  copyFileSync(join(sharedDir, "data/root/uproot-hepdata-example.root"), join(root, "hists.root"));
  mkdirSync(join(root, "fit"));
  copyFileSync(join(sharedDir, "reference/stats/docs_2bin_1channel.json"), join(root, "fit", "workspace.json"));
  // a processor folder inside the root: electron pt histogram, slowed per chunk so the run can be watched
  mkdirSync(join(root, "proc"));
  writeFileSync(
    join(root, "proc", "index.mjs"),
    `import { Hist, Regular, toAccumulator } from ${JSON.stringify(pathToFileURL(join(repo, "dist/hist/index.js")).href)};
export const columns = ["Electron_pt"];
export const parameters = { sleep_ms: { type: "int", default: 0, min: 0, max: 5000, help: "pause per chunk" }, fail_once: { type: "bool", default: false, help: "the first chunk of each worker thread fails once (then its retry succeeds)" } };
let failed = false;
export async function process(events, meta) {
  if (meta.params.fail_once && !failed) { failed = true; throw new Error("deliberate first-attempt failure"); }
  if (meta.params.sleep_ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, meta.params.sleep_ms);
  const h = new Hist([Regular(25, 0, 125, { name: "pt", label: "electron pT [GeV]" })], { name: "electron_pt" });
  h.fill(events.Electron.pt.content);
  return { electron_pt: toAccumulator(h), events: events.length };
}
`,
  );
  // 16 files of 2500 events: 16 chunks (a chunk never splits a file's single cluster)
  writeFileSync(join(root, "dataset.json"), JSON.stringify({ samples: [{ name: "zee", files: zeeFiles().map((f) => ({ path: `zee/${f}` })) }] }));
  // tracking store with two runs and a metric history each
  const store = new TrackingStore(join(root, "track"));
  for (const [name, lr] of [
    ["bdt-a", 0.1],
    ["bdt-b", 0.3],
  ] as const) {
    const r = store.startRun({ experimentName: "ui-test", runName: name, startTime: Date.UTC(2026, 0, 1, lr * 10) });
    store.logParams(r.runId, { learning_rate: lr, depth: 3 });
    store.logMetrics(
      r.runId,
      Array.from({ length: 8 }, (_, step) => ({ key: "auc", value: 0.7 + 0.2 * (1 - Math.exp(-lr * (step + 1))), step, timestamp: Date.UTC(2026, 0, 1, 1, step) })),
    );
    store.endRun(r.runId, "FINISHED", Date.UTC(2026, 0, 1, 2));
  }
  store.close();
  // a workflow run directory: its state file as `hepflow workflow run` writes it
  mkdirSync(join(root, "wf", "_hepflow"), { recursive: true });
  const step = (id: string, status: string, inputs: string[], extra: Record<string, unknown> = {}) => ({ id, stage: id.split("/")[0], scope: "", workdir: id, status, parameters: {}, inputs, command: `hepflow ${id}`, ...extra });
  writeFileSync(
    join(root, "wf", "_hepflow", "state.json"),
    JSON.stringify({
      format: "hepflow-workflow-state/1",
      spec: "workflow.yml",
      toplevel: ".",
      init: {},
      status: "failed",
      started: "2026-01-01T00:00:00.000Z",
      updated: "2026-01-01T00:01:00.000Z",
      warnings: [],
      steps: {
        generate: step("generate", "done", [], { seconds: 3.2, reused: "cache" }),
        select: step("select", "done", ["generate"], { seconds: 12.5 }),
        fit: step("fit", "failed", ["select"], { seconds: 0.4, error: "the fit did not converge" }),
        plots: step("plots", "waiting", ["fit"]),
      },
    }),
  );

  // a plain static server on 127.0.0.1 (Range requests) outside the root, the one remote host the app may read
  mkdirSync(join(root, "..", `${basename(root)}-served`));
  served = await startStaticServer({ "/": join(root, "..", `${basename(root)}-served`) });
  copyFileSync(join(sharedDir, "data/root/uproot-hepdata-example.root"), join(root, "..", `${basename(root)}-served`, "remote.root"));
  const built = await buildUiServer({ root, trackingDir: join(root, "track"), allowRemote: [new URL(served.url).host] });
  await built.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (built.app.server.address() as { port: number }).port;
  url = `http://127.0.0.1:${port}`;
  close = () => built.app.close();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
  await served?.close();
  if (root) {
    rmSync(root, { recursive: true, force: true });
    rmSync(join(root, "..", `${basename(root)}-served`), { recursive: true, force: true });
  }
});

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" || (m.type() === "warning" && /Content.Security.Policy/i.test(m.text()))) errors.push(`${hash}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${hash}: ${e.message}`));
  await page.goto(`${url}/${hash}`, { waitUntil: "load" });
  return page;
}

/** The screenshot against its golden; the goldens are checked in, a missing one fails. */
async function matchGolden(page: Page, name: string, mask: string[] = []): Promise<void> {
  // the root's name is a random scratch folder
  const shot = await page.screenshot({ fullPage: false, mask: ["#root-name", ...mask].map((m) => page.locator(m)), animations: "disabled" });
  const file = join(goldens, `${name}.png`);
  if (process.env.UPDATE_GOLDENS === "1") {
    mkdirSync(goldens, { recursive: true });
    writeFileSync(file, shot);
  }
  if (!existsSync(file)) throw new Error(`no golden ${file} (UPDATE_GOLDENS=1 writes it)`);
  const a = PNG.sync.read(shot),
    b = PNG.sync.read(readFileSync(file));
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  const diff = new PNG({ width: a.width, height: a.height });
  const bad = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  if (bad / (a.width * a.height) > MAX_DIFF) writeFileSync(join(tmpdir(), `hepflow-ui-${name}.diff.png`), PNG.sync.write(diff));
  expect(bad / (a.width * a.height), `${name}: ${bad} pixels differ`).toBeLessThanOrEqual(MAX_DIFF);
}

const zeeFiles = () =>
  readdirSync(join(root, "zee"))
    .filter((f) => f.endsWith(".root"))
    .sort();

/** Electron pt values of all files, read with the ROOT reader: the independent count of what a draw fills. */
async function electronPts(): Promise<number[]> {
  const out: number[] = [];
  for (const f of zeeFiles()) {
    const file = await openFile(join(root, "zee", f));
    const t = await file.tree("Events");
    for await (const c of t.iterate(["Electron_pt"])) out.push(...(c.columns.Electron_pt as { content: Float32Array }).content);
    await file.close();
  }
  return out;
}

describe("hepflow ui in Chromium", () => {
  it("Files: a ROOT file's trees and branches with sizes and codecs; clicking a branch draws it; histograms on click", async () => {
    const page = await open("#/files?dir=zee&file=zee/dy_ee_000.root");
    await page.locator('button[data-branch="Electron_pt"]').waitFor();
    const row = page.locator("table.branches tr", { has: page.locator('button[data-branch="Electron_pt"]') });
    const cells = await row.locator("td").allTextContents();
    expect(cells[1]).toBe("Float_t[nElectron]");
    expect(cells[2]).toBe("nElectron");
    // the zee generator writes zstd:3 (src/generate/zee.ts): the basket tag and the file header say so
    expect(cells[6]).toBe("zstd");
    expect(await page.locator(".detail p.muted").first().textContent()).toContain("file compression zstd:3");
    await page.locator('button[data-branch="Electron_pt"]').click();
    await page.locator(".status.done").waitFor();
    expect(await page.locator(".plot canvas").count()).toBe(1);
    const first = (await electronPts()).length;
    // the status line counts the entries filled: every electron of the first file (half of the values read above)
    const text = await page.locator(".status.done").textContent();
    const file0 = await openFile(join(root, "zee", "dy_ee_000.root"));
    let n0 = 0;
    for await (const c of (await file0.tree("Events")).iterate(["Electron_pt"])) n0 += (c.columns.Electron_pt as { content: Float32Array }).content.length;
    await file0.close();
    expect(n0).toBeLessThan(first);
    expect(text).toContain(`${n0.toLocaleString("en-US")} entries`);
    await matchGolden(page, "files-branch", [".status"]);
    await page.close();

    const hp = await open("#/files?file=hists.root");
    await hp.locator('button[data-object="hpx"]').click();
    await hp.locator(".status.done").waitFor();
    expect(await hp.locator(".status.done").textContent()).toBe("hpx: 75000 entries");
    await hp.locator("#files-log").check();
    await hp.locator(".status.done").waitFor();
    await hp.locator('button[data-object="hpxpy"]').click();
    await hp.locator(".status.done", { hasText: "hpxpy" }).waitFor();
    expect(await hp.locator(".plot canvas").count()).toBe(1);
    await matchGolden(hp, "files-hist2d");
    await hp.close();

    // a URL of the allowed host, typed into the Files view: listed and drawn by the server over HTTP
    const rp = await open("#/files");
    await rp.locator("#files-url").fill(new URL("remote.root", served.url.endsWith("/") ? served.url : `${served.url}/`).href);
    await rp.locator("#files-open-url").click();
    await rp.locator('button[data-object="hpx"]').click();
    await rp.locator(".status.done").waitFor();
    expect(await rp.locator(".status.done").textContent()).toBe("hpx: 75000 entries");
    expect(await rp.locator(".detail h2").textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/remote\.root$/);
    await rp.close();
  });

  it("Draw: the histogram fills progressively and ends equal to an independent count", async () => {
    const page = await open("#/draw?path=zee/dy_ee_000.root&tree=Events&expr=Electron_pt");
    await page.locator(".status.done").waitFor();
    const n = await page.locator(".plot").getAttribute("data-renders");
    expect(Number(n)).toBeGreaterThanOrEqual(1);
    // over the event stream directly, a tree of several clusters (75000 entries): partial histograms, then the
    // final one, whose bins equal a count made here from the ROOT reader's values
    const stream = await page.evaluate(async () => {
      const r = await fetch("/api/draw?path=hists.root&tree=ntuple&expr=px&step=5000&bins=40&lo=-4&hi=4");
      const text = await r.text();
      const events = text
        .split("\n\n")
        .filter(Boolean)
        .map((b) => ({ event: /event: (\w+)/.exec(b)![1], data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
      return events.map((e) => ({ event: e.event, entries: e.data.entries as number, values: e.data.values as number[] }));
    });
    const partials = stream.filter((e) => e.event === "partial");
    expect(partials.length).toBeGreaterThanOrEqual(1);
    const done = stream.at(-1)!;
    expect(done.event).toBe("done");
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.entries).toBeGreaterThanOrEqual(partials[i - 1]!.entries);
    expect(partials.at(-1)!.entries).toBeLessThan(done.entries);
    const file = await openFile(join(root, "hists.root"));
    const counts = new Array(40).fill(0);
    for await (const c of (await file.tree("ntuple")).iterate(["px"]))
      for (const v of c.columns.px as Float32Array) {
        const b = Math.floor((v + 4) / 0.2);
        if (b >= 0 && b < 40) counts[b]++;
      }
    await file.close();
    expect(done.values).toEqual(counts);
    // overlay of two draws, normalised, then the exports
    await page.locator("#draw-add").click();
    await page.locator("#draw-where").fill("Electron_pt > 30");
    await page.locator("#draw-go").click();
    await page.locator(".status.done").waitFor();
    await page.locator("#draw-add").click();
    await page.locator("#draw-norm").check();
    await page.locator("ul.overlay li").nth(1).waitFor();
    await page.waitForFunction(() => Number(document.querySelector(".plot")?.getAttribute("data-renders")) >= 4);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "PNG" }).click()]);
    expect(dl.suggestedFilename()).toBe("hepflow-draw.png");
    const [svg] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "SVG" }).click()]);
    expect(readFileSync(await svg.path()).toString()).toMatch(/^<svg/);
    await matchGolden(page, "draw-overlay", [".status"]);
    await page.close();
  });

  it("Runs: a run started from the page fills its histogram live and ends equal to the CLI's result", async () => {
    const page = await open("#/runs");
    await page.locator("#run-processor").fill("proc");
    await page.locator("#run-dataset").fill("dataset.json");
    await page.locator("#run-workers").fill("1");
    await page.locator("#run-chunk").fill("2000");
    await page.locator("#run-params").fill("sleep_ms=120, fail_once=true");
    await page.locator("#run-start").click();
    const seen: number[] = [];
    const plot = page.locator('.plot[data-hist="electron_pt"]');
    for (let i = 0; i < 300; i++) {
      const state = await page
        .locator("#run-state")
        .textContent()
        .catch(() => null);
      const sum = await plot.getAttribute("data-sum", { timeout: 100 }).catch(() => null);
      if (sum !== null && Number(sum) !== seen.at(-1)) seen.push(Number(sum));
      if (state === "finished" || state === "failed") break;
      await page.waitForTimeout(50);
    }
    expect(await page.locator("#run-state").textContent()).toBe("finished");
    const all = await electronPts();
    const inRange = all.filter((v) => v >= 0 && v < 125).length;
    // grew while running: several distinct partial sums, increasing, the last one the whole dataset
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.at(-1)).toBe(inRange);
    // the failed attempt was listed as it happened (retried, then the run went on), counted for its worker
    expect(await page.locator("#run-failures li").allTextContents()).toEqual([expect.stringMatching(/^\d+\.\d s zee dy_ee_000\.root \[0, 2500\) attempt 1 on thread-1: Error: deliberate first-attempt failure — retrying$/)]);
    expect((await page.locator("#run-workers-table tr").nth(1).locator("td").allTextContents())[4]).toBe("1");
    // one worker thread did every chunk: 16 files of 2500 events in chunks of 2000 → 16 chunks (a chunk never splits a file's cluster)
    const workerRow = await page.locator("#run-workers-table tr").nth(1).locator("td").allTextContents();
    expect(workerRow.slice(0, 3)).toEqual(["thread-1", "16", (40000).toLocaleString("en-US")]);
    // before the terminal run below adds a row to the runs table
    await matchGolden(page, "runs", ["#run-progress", "table.runs", ".rundetail h3", ".status", "pre.log", "#run-failures"]);
    // the same processor started in a terminal with --live, in the background: the page attaches while it runs
    const cli = join(root, "terminal-run");
    const child = spawn(process.execPath, [bin, "run", join(root, "proc"), "--dataset", join(root, "dataset.json"), "--workers", "1", "--chunk-size", "2000", "-P", "sleep_ms=120", "--out", cli, "--live", "--no-track"], { stdio: "ignore" });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    try {
      for (let i = 0; i < 200 && !existsSync(join(cli, "live.json")); i++) await page.waitForTimeout(25);
      const termId = Buffer.from("terminal-run").toString("base64url"); // the run id: its folder under the root
      const tp = await open(`#/runs?run=${termId}`);
      const tseen: number[] = [];
      const tplot = tp.locator('.plot[data-hist="electron_pt"]');
      let runningSeen = 0;
      for (let i = 0; i < 300; i++) {
        const state = await tp
          .locator("#run-state")
          .textContent()
          .catch(() => null);
        const sum = await tplot.getAttribute("data-sum", { timeout: 100 }).catch(() => null);
        if (sum !== null && Number(sum) !== tseen.at(-1)) {
          tseen.push(Number(sum));
          if (state === "running") runningSeen++;
        }
        if (state === "finished" || state === "failed") break;
        await tp.waitForTimeout(50);
      }
      expect(await tp.locator("#run-state").textContent()).toBe("finished");
      expect(await exited).toBe(0);
      // grew while the terminal run was running (at least three distinct sums seen in state "running"), then the whole dataset
      expect(runningSeen).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < tseen.length; i++) expect(tseen[i]!).toBeGreaterThan(tseen[i - 1]!);
      expect(tseen.at(-1)).toBe(inRange);
      await tp.close();
    } finally {
      if (child.exitCode === null) child.kill("SIGINT");
    }
    const acc = JSON.parse(readFileSync(join(cli, "accumulator.json"), "utf8")) as { electron_pt: { sumw?: number[]; [k: string]: unknown } };
    const field = Object.entries(acc.electron_pt).find(([k, v]) => k !== "hepflowHist" && Array.isArray(v))![1] as number[];
    // the page's run and the terminal run, as the page shows them, equal the CLI's accumulator
    const id = await page.locator("button[data-run]").first().getAttribute("data-run");
    const view = (await page.evaluate(async (i) => (await fetch(`/api/runs/${i}`)).json(), id)) as { histograms: Array<{ values: number[] }> };
    expect(view.histograms[0]!.values).toEqual(field.slice(1, -1)); // the CLI's storage has under/overflow bins
    const listed = (await page.evaluate(async () => (await fetch("/api/runs")).json())) as { runs: Array<{ id: string; dir: string; state: string; startedHere: boolean }> };
    const term = listed.runs.find((r) => r.dir === "terminal-run")!;
    expect(term).toMatchObject({ state: "finished", startedHere: false });
    const tview = (await page.evaluate(async (i) => (await fetch(`/api/runs/${i}`)).json(), term.id)) as { histograms: Array<{ values: number[] }> };
    expect(tview.histograms[0]!.values).toEqual(field.slice(1, -1));
    rmSync(cli, { recursive: true, force: true });
    await page.close();
  });

  it("Fits, Tracking and Workflows render their plots and tables", async () => {
    const fit = await open("#/fits?path=fit/workspace.json");
    await fit.locator("[data-ready]").waitFor({ timeout: 30_000 });
    // pulls, correlations, pre- and post-fit stacks of the one channel, ranking, CLs scan
    expect(await fit.locator(".fitplot h3").allTextContents()).toEqual(["Pulls", "Correlations", "Pre-fit singlechannel", "Post-fit singlechannel", "Ranking (impacts on the POI)", "CLs scan"]);
    expect(await fit.locator(".fitplot canvas").count()).toBe(6);
    // pyhf's numbers for this workspace (../shared/reference/stats/docs_2bin_1channel.expected.json)
    const ref = (
      JSON.parse(readFileSync(join(sharedDir, "reference/stats/docs_2bin_1channel.expected.json"), "utf8")) as { cases: Array<{ mle: { bestfit: number[]; uncertainties: number[]; twice_nll: number }; upper_limit_root: { obs: number } }> }
    ).cases[0]!;
    const sigma = await fit.locator("table.params tr", { hasText: "(POI)" }).locator("td").nth(2).textContent();
    // printed to 6 significant digits; the fits agree to ~1e-6 relative
    expect(Number(sigma)).toBeCloseTo(ref.mle.uncertainties[0]!, 4);
    const summary = (await fit.locator("[data-ready] p").first().textContent())!;
    expect(Number(/2NLL ([\d.]+)/.exec(summary)![1])).toBeCloseTo(ref.mle.twice_nll, 4);
    // the page's limit comes from a 21-point CLs scan, interpolated linearly between points 0.28 apart:
    // within 2 % of pyhf's root-found limit
    const obs = Number(/observed ([\d.]+)/.exec(summary)![1]);
    expect(Math.abs(obs - ref.upper_limit_root.obs) / ref.upper_limit_root.obs).toBeLessThan(0.02);
    // the stacks' numbers: pre-fit, the workspace's own sample and observed bins; post-fit, those scaled by pyhf's
    // best fit (mu for the signal, the shapesys gammas for the background) — to 1e-4 absolute, the minimisers'
    // agreement on parameters of order 1 (mu sits at its bound 0)
    const ws = JSON.parse(readFileSync(join(sharedDir, "reference/stats/docs_2bin_1channel.json"), "utf8")) as { channels: Array<{ samples: Array<{ name: string; data: number[] }> }>; observations: Array<{ data: number[] }> };
    const api = (await fit.evaluate(async () => (await fetch("/api/fit?path=fit/workspace.json&cls=0")).json())) as {
      yields: Array<{ stage: string; samples: Array<{ name: string; bins: number[] }>; data: number[] }>;
      ranking: Array<{ name: string; postfitUp: number; postfitDown: number }>;
    };
    const [pre, post] = api.yields;
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name); // the model orders samples by name, as pyhf does
    expect([...pre!.samples].sort(byName)).toEqual(ws.channels[0]!.samples.map((x) => ({ name: x.name, bins: x.data })).sort(byName));
    expect(pre!.data).toEqual(ws.observations[0]!.data);
    const [muHat, g1, g2] = ref.mle.bestfit;
    const want = { signal: [5 * muHat!, 10 * muHat!], background: [50 * g1!, 60 * g2!] } as Record<string, number[]>;
    for (const x of post!.samples) x.bins.forEach((v, i) => expect(Math.abs(v - want[x.name]![i]!), `${x.name}[${i}]`).toBeLessThan(1e-4));
    expect(api.ranking.map((x) => x.name).sort()).toEqual(["uncorr_bkguncrt[0]", "uncorr_bkguncrt[1]"]);
    for (const x of api.ranking) expect(Number.isFinite(x.postfitUp) && Number.isFinite(x.postfitDown)).toBe(true);
    await matchGolden(fit, "fits");
    await fit.locator(".fitplot", { hasText: "Ranking" }).scrollIntoViewIfNeeded();
    await matchGolden(fit, "fits-ranking");
    await fit.close();

    const tr = await open("#/tracking");
    await tr.locator("input[data-run]").nth(1).waitFor();
    expect(await tr.locator("table.tracked tr").count()).toBe(3);
    await tr.locator("input[data-run]").nth(0).check();
    await tr.locator("input[data-run]").nth(1).check();
    await tr.locator("#track-compare").click();
    await tr.locator(".plot canvas").waitFor();
    expect(await tr.locator("table.compare").textContent()).toContain("param learning_rate");
    await matchGolden(tr, "tracking");
    await tr.close();

    const wf = await open("#/workflows?path=wf");
    await wf.locator("table.steps tr").nth(4).waitFor();
    await wf.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>("img.dag");
      return !!i && i.complete && i.naturalWidth > 0;
    });
    expect(await wf.locator("table.steps").textContent()).toContain("cached");
    await matchGolden(wf, "workflows");
    await wf.close();
  });

  it("no view logged a console error (Content-Security-Policy violations included)", () => {
    expect(errors).toEqual([]);
  });
});
