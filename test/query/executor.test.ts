/**
 * The func_adl_uproot executor's own test cases (../shared/data/func_adl/func_adl_uproot), run
 * through hepflow's query → column-kernel path on the same ROOT files. Expected values are the
 * ones those tests assert; forms hepflow does not translate are listed and must fail with a
 * named error (never a wrong number).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { openFile } from "../../src/root/index.js";
import { parseQueryText, runQuery, aggregateQuery, translate } from "../../src/query/index.js";
import { isJagged, type Column } from "../../src/util/index.js";

const DIR = new URL("../../../shared/data/func_adl/func_adl_uproot/", import.meta.url);
interface Expect {
  of: string;
  path: (string | number)[];
  op: "==" | "allclose";
  value: unknown;
}
interface Case {
  test: string;
  query: string;
  query_language: string;
  input_files: string[];
  expect?: Expect[];
  checks_source: string[];
}
const cases = (JSON.parse(readFileSync(new URL("executor_cases.json", DIR), "utf8")) as { cases: Case[] }).cases;

/** Forms hepflow refuses on purpose (nested collections, sorting, four-vector methods, Concat): each must be a named error. */
const UNSUPPORTED = new Set([
  "test_ast_executor_tofourmomentum",
  "test_ast_executor_tofourmomentum_mass",
  "test_ast_executor_tofourmomentum_sum",
  "test_ast_executor_tofourmomenta",
  "test_ast_executor_tofourmomenta_mass",
  "test_ast_executor_tofourmomenta_sum",
  "test_ast_executor_orderby_same_vector_branch",
  "test_ast_executor_orderby_different_vector_branch",
  "test_ast_executor_orderby_negative_vector_branch",
  "test_ast_executor_orderby_different_negative_vector_branch",
  "test_ast_executor_orderbydescending_vector_branch",
  "test_ast_executor_cross_join",
  "test_ast_executor_cross_join_where_any",
  "test_ast_executor_cross_join_where_any_2",
  "test_ast_executor_contains_vector_branch_in_vector_branch",
  "test_ast_executor_choose",
  "test_ast_executor_select_of_choose",
  "test_ast_executor_sum_in_select_of_choose",
  "test_ast_executor_choose_zipped_dict",
  "test_ast_executor_field_of_choose",
  "test_ast_executor_reducer_of_reducer_of_choose",
  "test_ast_executor_multiple_counts_of_choose",
  "test_ast_executor_concat",
  "test_ast_executor_elementat_in_cross_join",
]);

function toList(c: Column, rows: number, bool: boolean): unknown[] {
  const out: unknown[] = [];
  const norm = (v: number | bigint): unknown => (typeof v === "bigint" ? Number(v) : Number.isNaN(v) ? null : bool ? v !== 0 : v);
  if (isJagged(c)) {
    for (let i = 0; i < rows; i++) out.push(Array.from((c.content as Float64Array).subarray(c.offsets[i]!, c.offsets[i + 1]!), norm));
  } else for (let i = 0; i < rows; i++) out.push(norm((c as Float64Array)[i]!));
  return out;
}

async function run(c: Case, asColumns = false): Promise<unknown> {
  const file = await openFile(new URL(`tests/${c.input_files[0]}`, DIR).pathname);
  const tree = await file.tree("tree");
  try {
    const q = parseQueryText(c.query);
    const plan = translate(q, tree.branches, c.query);
    if (plan.aggregate) return await aggregateQuery(tree, q, { source: c.query });
    const cols: Record<string, unknown[]> = Object.fromEntries(plan.columns.map((p) => [p.name, []]));
    for await (const ch of runQuery(tree, q, { source: c.query })) {
      for (const [k, v] of Object.entries(ch.columns)) (cols[k] ??= []).push(...toList(v as Column, ch.rows, ch.types[k] === "bool"));
    }
    const names = Object.keys(cols);
    if (plan.zipped && !asColumns) {
      // a list of records per event: row i is its elements as tuples (or records)
      const fields = Object.keys(cols);
      return cols[fields[0]!]!.map((_, i) => (cols[fields[0]!]![i] as unknown[]).map((_, j) => fields.map((f) => (cols[f]![i] as unknown[])[j])));
    }
    return names.length === 1 && names[0] === "col1" ? cols.col1 : cols;
  } finally {
    await file.close?.();
  }
}

function at(v: unknown, path: (string | number)[]): unknown {
  for (const p of path) {
    if (p === ".fields") {
      v = Object.keys(v as object);
      continue;
    }
    if (v && typeof v === "object" && !Array.isArray(v) && typeof p === "number") {
      // record arrays index by row: the row's fields as a tuple
      v = Object.values(v as Record<string, unknown[]>).map((col) => col[p]);
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      const rec = v as Record<string, unknown>;
      v =
        rec[String(p)] ??
        Object.fromEntries(
          Object.entries(rec)
            .filter(([k]) => k.startsWith(`${p}.`))
            .map(([k, x]) => [k.slice(String(p).length + 1), x]),
        );
    } else v = (v as unknown[])[p as number];
  }
  return v;
}

function close(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i]));
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b); // numpy allclose defaults
  return a === b;
}

const withExpect = cases.filter((c) => c.expect?.length && c.expect.every((e) => e.of === "result") && !UNSUPPORTED.has(c.test));
/** Cases whose only assertion is the truth of a boolean; the expected value is in the test's name. */
const truthCases = cases.filter((c) => /_(true|false)$/.test(c.test) && !c.expect?.length);

describe("func_adl_uproot executor cases", () => {
  it.each(withExpect.map((c) => [c.test, c] as const))("%s", async (_name, c) => {
    const r = await run(c);
    for (const e of c.expect!) {
      const got = at(r, e.path);
      if (e.op === "allclose") expect(close(got, e.value), JSON.stringify(got)).toBe(true);
      else if (Array.isArray(e.value) && e.value.some((x) => typeof x === "number" && !Number.isInteger(x))) expect(close(got, e.value), JSON.stringify(got)).toBe(true);
      else expect(got).toEqual(e.value);
    }
  });
  it.each(truthCases.map((c) => [c.test, c] as const))("%s", async (name, c) => {
    expect(await run(c)).toBe(name.endsWith("_true"));
  });
  it.each([...UNSUPPORTED].map((t) => [t, cases.find((c) => c.test === t)!] as const))("%s is refused with a named error", async (_n, c) => {
    await expect(run(c)).rejects.toThrow(/QUERY_UNSUPPORTED|not supported|is not a method|no counterpart/);
  });
  // their assertions compare record fields with ak.max(abs(a - b)) < 1e-6; the values are quoted from checks_source
  const ZIPPED_WHERE: Record<string, [string, string]> = {
    test_ast_executor_where_vector_branch_list: ["0", "1"],
    test_ast_executor_where_vector_branch_tuple: ["0", "1"],
    test_ast_executor_where_vector_branch_dict: ["ints", "floats"],
  };
  it.each(Object.entries(ZIPPED_WHERE))("%s", async (name, [ints, floats]) => {
    const c = cases.find((x) => x.test === name)!;
    expect(c.checks_source.join("\n")).toContain("[[], [8.8, 9.9], [15.15]]");
    const r = (await run(c, true)) as Record<string, number[][]>;
    expect(r[ints]).toEqual([[], [2, 3], [13]]);
    const want = [[], [8.8, 9.9], [15.15]];
    expect(r[floats]!.map((x) => x.length)).toEqual(want.map((x) => x.length));
    r[floats]!.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(1e-6)));
  });
  it("covers the cases", () => {
    expect(withExpect.length + truthCases.length + UNSUPPORTED.size + Object.keys(ZIPPED_WHERE).length).toBe(cases.length);
  });
});
