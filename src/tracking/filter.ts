/**
 * MLflow's search-filter language, the subset its clients send: `metrics.loss < 0.1 and params.lr = '0.01'`.
 * Parsed here into a small AST and evaluated in JavaScript over run records — never handed to SQL or eval.
 */
import { HepflowError } from "../util/index.js";

/** What a clause compares: a metric's latest value, a param, a tag, or a run attribute. */
export type EntityKind = "metric" | "param" | "tag" | "attribute";

export interface Clause {
  kind: EntityKind;
  key: string;
  op: "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";
  value: number | string | string[];
}

export interface OrderBy {
  kind: EntityKind;
  key: string;
  ascending: boolean;
}

/** The view of a run a filter is evaluated against. */
export interface FilterableRun {
  attributes: Record<string, string | number | null>;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

const PREFIXES: Record<string, EntityKind> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
};

/** Attribute names MLflow accepts, with the aliases its clients use. */
const ATTRIBUTES: Record<string, string> = {
  run_id: "run_id",
  run_uuid: "run_id",
  run_name: "run_name",
  status: "status",
  user_id: "user_id",
  start_time: "start_time",
  end_time: "end_time",
  artifact_uri: "artifact_uri",
  lifecycle_stage: "lifecycle_stage",
  experiment_id: "experiment_id",
  created: "start_time",
  Created: "start_time",
  // experiment attributes (experiments/search uses the same grammar)
  name: "name",
  creation_time: "creation_time",
  last_update_time: "last_update_time",
};
const NUMERIC_ATTRIBUTES = new Set(["start_time", "end_time", "creation_time", "last_update_time"]);

type Token = { t: "ident" | "string" | "number" | "op" | "punct"; v: string; at: number };

function fail(filter: string, at: number, msg: string): never {
  throw new HepflowError("INVALID_PARAMETER_VALUE", `invalid filter "${filter}" at character ${at + 1}: ${msg}`, { object: "filter" });
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      // quoted: a string literal ('…' or "…") or a quoted key (`…` or "…" right after a dot)
      let j = i + 1,
        v = "";
      while (j < s.length && s[j] !== c) {
        if (s[j] === "\\" && j + 1 < s.length) j++;
        v += s[j];
        j++;
      }
      if (j >= s.length) fail(s, i, `unterminated ${c}`);
      const prev = out.at(-1);
      const afterDot = prev?.v === "." && prev.t === "punct";
      out.push({ t: c === "`" || (c === '"' && afterDot) ? "ident" : "string", v, at: i });
      i = j + 1;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === "!=" || two === "<=" || two === ">=" || two === "==") {
      out.push({ t: "op", v: two === "==" ? "=" : two, at: i });
      i += 2;
      continue;
    }
    if (c === "=" || c === "<" || c === ">") {
      out.push({ t: "op", v: c, at: i });
      i++;
      continue;
    }
    if (c === "." || c === "(" || c === ")" || c === ",") {
      // a dot starting a number (".5") is a number, otherwise punctuation
      if (c === "." && /[0-9]/.test(s[i + 1] ?? "") && (out.at(-1)?.t ?? "op") === "op") {
        /* fall through to number */
      } else {
        out.push({ t: "punct", v: c, at: i });
        i++;
        continue;
      }
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
    const last = out.at(-1);
    if (num && (!last || last.t === "op" || last.v === "(" || last.v === ",")) {
      out.push({ t: "number", v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_\-:/]*/.exec(s.slice(i));
    if (id) {
      out.push({ t: "ident", v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    fail(s, i, `unexpected character "${c}"`);
  }
  return out;
}

function entity(s: string, toks: Token[], pos: { i: number }): { kind: EntityKind; key: string; at: number } {
  const first = toks[pos.i];
  if (first?.t !== "ident") fail(s, first?.at ?? s.length, "expected an identifier such as metrics.loss");
  const dot = toks[pos.i + 1];
  let kind: EntityKind, key: string;
  if (dot && dot.t === "punct" && dot.v === ".") {
    const k = PREFIXES[first.v.toLowerCase()];
    if (!k) fail(s, first.at, `unknown entity type "${first.v}" (metrics, params, tags or attributes)`);
    // a key may itself contain dots (tags.mlflow.runName): join everything up to the comparator
    const parts: string[] = [];
    let j = pos.i + 2;
    for (;;) {
      const t = toks[j];
      if (t?.t !== "ident") fail(s, t?.at ?? s.length, "expected a key after the dot");
      parts.push(t.v);
      j++;
      const next = toks[j];
      if (next?.t === "punct" && next.v === ".") {
        j++;
        continue;
      }
      break;
    }
    kind = k;
    key = parts.join(".");
    pos.i = j;
  } else {
    // bare names are attributes in MLflow's grammar only for the known ones
    if (!(first.v in ATTRIBUTES)) fail(s, first.at, `"${first.v}" needs a prefix (metrics., params., tags. or attributes.)`);
    kind = "attribute";
    key = first.v;
    pos.i++;
  }
  if (kind === "attribute") {
    const a = ATTRIBUTES[key];
    if (!a) fail(s, first.at, `unknown attribute "${key}" (${Object.keys(ATTRIBUTES).join(", ")})`);
    key = a;
  }
  return { kind, key, at: first.at };
}

/** Parses an MLflow filter string (clauses joined by AND). An empty string matches everything. */
export function parseFilter(filter: string | undefined): Clause[] {
  const s = (filter ?? "").trim();
  if (!s) return [];
  const toks = tokenize(s);
  const pos = { i: 0 };
  const clauses: Clause[] = [];
  for (;;) {
    const e = entity(s, toks, pos);
    let t = toks[pos.i];
    if (!t) fail(s, s.length, "expected a comparator");
    let op: Clause["op"];
    if (t.t === "op") {
      op = t.v as Clause["op"];
      pos.i++;
    } else if (t.t === "ident" && ["LIKE", "ILIKE", "IN"].includes(t.v.toUpperCase())) {
      op = t.v.toUpperCase() as Clause["op"];
      pos.i++;
    } else if (t.t === "ident" && t.v.toUpperCase() === "NOT" && toks[pos.i + 1]?.v.toUpperCase() === "IN") {
      op = "NOT IN";
      pos.i += 2;
    } else fail(s, t.at, `expected a comparator, got "${t.v}"`);
    t = toks[pos.i];
    let value: Clause["value"];
    if (op === "IN" || op === "NOT IN") {
      if (t?.v !== "(") fail(s, t?.at ?? s.length, "IN takes a parenthesised list of strings");
      pos.i++;
      const list: string[] = [];
      for (;;) {
        const v = toks[pos.i];
        if (v?.t !== "string") fail(s, v?.at ?? s.length, "IN lists hold quoted strings");
        list.push(v.v);
        pos.i++;
        const sep = toks[pos.i];
        if (sep?.v === ",") {
          pos.i++;
          continue;
        }
        if (sep?.v === ")") {
          pos.i++;
          break;
        }
        fail(s, sep?.at ?? s.length, "expected , or ) in the IN list");
      }
      value = list;
    } else {
      if (!t || (t.t !== "string" && t.t !== "number")) fail(s, t?.at ?? s.length, "expected a value");
      pos.i++;
      const numeric = e.kind === "metric" || (e.kind === "attribute" && NUMERIC_ATTRIBUTES.has(e.key));
      if (numeric) {
        if (t.t !== "number") fail(s, t.at, `${e.kind === "metric" ? "metrics" : e.key} compare with a number, not '${t.v}'`);
        if (op === "LIKE" || op === "ILIKE") fail(s, t.at, `${op} works on strings only`);
        value = Number(t.v);
      } else {
        if (t.t !== "string") fail(s, t.at, `params, tags and string attributes compare with a quoted string (got ${t.v})`);
        if (!["=", "!=", "LIKE", "ILIKE"].includes(op)) fail(s, t.at, `${op} is not supported on strings (=, !=, LIKE, ILIKE)`);
        value = t.v;
      }
    }
    clauses.push({ kind: e.kind, key: e.key, op, value });
    const next = toks[pos.i];
    if (!next) break;
    if (next.t === "ident" && next.v.toUpperCase() === "AND") {
      pos.i++;
      continue;
    }
    fail(s, next.at, next.t === "ident" && next.v.toUpperCase() === "OR" ? "OR is not supported by MLflow's filter syntax; use AND" : `expected AND, got "${next.v}"`);
  }
  return clauses;
}

/** SQL LIKE: % any run, _ one character; ILIKE ignores case. */
function like(value: string, pattern: string, ignoreCase: boolean): boolean {
  let re = "^";
  for (const ch of pattern) re += ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(re + "$", ignoreCase ? "is" : "s").test(value);
}

function lookup(run: FilterableRun, kind: EntityKind, key: string): string | number | null | undefined {
  if (kind === "metric") return run.metrics[key];
  if (kind === "param") return run.params[key];
  if (kind === "tag") return run.tags[key];
  return run.attributes[key];
}

/** True when the run satisfies every clause; a run without the key never matches (as in MLflow). */
export function matches(run: FilterableRun, clauses: Clause[]): boolean {
  for (const c of clauses) {
    const v = lookup(run, c.kind, c.key);
    if (v === undefined || v === null) return false;
    if (c.op === "IN" || c.op === "NOT IN") {
      const inList = (c.value as string[]).includes(String(v));
      if (inList !== (c.op === "IN")) return false;
      continue;
    }
    if (c.op === "LIKE" || c.op === "ILIKE") {
      if (!like(String(v), c.value as string, c.op === "ILIKE")) return false;
      continue;
    }
    const a = typeof c.value === "number" ? Number(v) : String(v);
    const b = c.value;
    const ok = c.op === "=" ? a === b : c.op === "!=" ? a !== b : c.op === "<" ? a < b : c.op === "<=" ? a <= b : c.op === ">" ? a > b : a >= b;
    if (!ok) return false;
  }
  return true;
}

/** Parses one `order_by` entry: `metrics.loss DESC`, `attributes.start_time`, `params.lr ASC`. */
export function parseOrderBy(text: string): OrderBy {
  const s = text.trim();
  const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(s)!;
  const key = m[1] ?? "";
  const toks = tokenize(key);
  const pos = { i: 0 };
  const e = entity(key, toks, pos);
  if (pos.i !== toks.length) fail(s, toks[pos.i]?.at ?? s.length, "order_by takes one key and an optional ASC or DESC");
  return { kind: e.kind, key: e.key, ascending: (m[2] ?? "ASC").toUpperCase() === "ASC" };
}

/**
 * Sorts runs by the order_by keys, then by start time (newest first) and run id, as MLflow does;
 * runs missing a key sort after the runs that have it, whatever the direction.
 */
export function sortRuns<T extends FilterableRun>(runs: T[], orderBy: OrderBy[]): T[] {
  const keys = [...orderBy, { kind: "attribute" as const, key: "start_time", ascending: false }, { kind: "attribute" as const, key: "run_id", ascending: true }];
  return [...runs].sort((x, y) => {
    for (const k of keys) {
      const a = lookup(x, k.kind, k.key),
        b = lookup(y, k.kind, k.key);
      const an = a === undefined || a === null || (typeof a === "number" && Number.isNaN(a));
      const bn = b === undefined || b === null || (typeof b === "number" && Number.isNaN(b));
      if (an && bn) continue;
      if (an) return 1;
      if (bn) return -1;
      let c: number;
      if (k.kind === "metric" || typeof a === "number") c = Number(a) - Number(b);
      else c = String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
      if (c !== 0) return k.ascending ? c : -c;
    }
    return 0;
  });
}
