/**
 * JSROOT reading the same branches in the same page, for bench/browser.bench.mjs only: loaded by
 * a dynamic import, so the reader's own bundle never fetches it. JSROOT reads row-wise through
 * a TSelector, the way its tree player does.
 */
// JSROOT is declared untyped for the type check (test/untyped-modules.d.ts).
import { openFile } from "jsroot/io";
import { TSelector, treeProcess } from "jsroot/tree";

export async function timeJsroot(url: string, tree: string, branches: string[]): Promise<{ ms: number; entries: number }> {
  const t0 = performance.now();
  const file = await openFile(url);
  const t = await file.readObject(tree);
  const sel = new TSelector();
  for (const b of branches) sel.addBranch(b);
  let n = 0;
  sel.Process = () => {
    n++;
  };
  await treeProcess(t, sel);
  return { ms: performance.now() - t0, entries: n };
}
