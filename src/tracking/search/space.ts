/**
 * Search spaces: each parameter has a prior distribution, as in sklearn's ParameterSampler
 * (scipy.stats uniform / loguniform / randint, or a list to choose from) and hyperopt's hp.* nodes.
 * Written as text `uniform(10, 60)`, `loguniform(1e-3, 1)`, `randint(10, 41)`, `quniform(20, 60, 5)`,
 * `choice(25, 50, "x")`, or as YAML/JSON objects `{dist: uniform, low: 10, high: 60}`.
 */
import { HepflowError } from "../../util/index.js";

export type Distribution =
  | { dist: "uniform"; low: number; high: number }
  | { dist: "loguniform"; low: number; high: number }
  /** Integers in [low, high), as scipy.stats.randint. */
  | { dist: "randint"; low: number; high: number }
  /** round(uniform(low, high) / q) · q, as hyperopt's hp.quniform. */
  | { dist: "quniform"; low: number; high: number; q: number }
  | { dist: "choice"; options: Array<string | number> };

export type SearchSpace = Record<string, Distribution>;
export type ParamValue = number | string;
export type ParamSet = Record<string, ParamValue>;

function bad(name: string, msg: string): never {
  throw new HepflowError("SEARCH_SPACE", `parameter "${name}": ${msg}`, { object: name });
}

function literal(s: string): string | number {
  const t = s.trim();
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  const n = Number(t);
  return t !== "" && Number.isFinite(n) ? n : t;
}

/** Checks bounds and fills the shape of one distribution. */
export function checkDistribution(name: string, d: Record<string, unknown>): Distribution {
  const num = (k: string) => {
    const v = Number(d[k]);
    if (d[k] === undefined || !Number.isFinite(v)) bad(name, `${String(d.dist)} needs a number "${k}"`);
    return v;
  };
  switch (d.dist) {
    case "uniform":
    case "loguniform":
    case "randint":
    case "quniform": {
      const low = num("low"),
        high = num("high");
      if (!(high > low)) bad(name, `needs low < high (got ${low}, ${high})`);
      if (d.dist === "loguniform" && !(low > 0)) bad(name, `loguniform needs low > 0 (got ${low})`);
      if (d.dist === "randint" && (!Number.isInteger(low) || !Number.isInteger(high))) bad(name, "randint bounds are integers (high excluded)");
      if (d.dist === "quniform") {
        const q = num("q");
        if (!(q > 0)) bad(name, `quniform needs q > 0 (got ${q})`);
        return { dist: "quniform", low, high, q };
      }
      return { dist: d.dist, low, high };
    }
    case "choice": {
      const o = d.options;
      if (!Array.isArray(o) || o.length === 0) bad(name, "choice needs a non-empty list of options");
      return { dist: "choice", options: o.map((x) => (typeof x === "number" ? x : String(x))) };
    }
    default:
      return bad(name, `unknown distribution "${String(d.dist)}" (uniform, loguniform, randint, quniform, choice)`);
  }
}

/** Parses `uniform(10, 60)`-style text (or a bare list `[25, 50]` = choice). Values are literals, never evaluated. */
export function parseDistribution(name: string, text: string): Distribution {
  const t = text.trim();
  const m = /^([a-z_]+)\s*\((.*)\)$/is.exec(t);
  const list = /^\[(.*)\]$/s.exec(t);
  const items = list?.[1];
  if (items !== undefined) return checkDistribution(name, { dist: "choice", options: splitArgs(items).map(literal) });
  const [fn, inner] = [m?.[1], m?.[2]];
  if (fn === undefined || inner === undefined) return bad(name, `cannot read "${text}": write e.g. uniform(10, 60), loguniform(1e-3, 1), randint(10, 41), quniform(20, 60, 5) or choice(a, b)`);
  const args = splitArgs(inner).map(literal);
  const kind = fn.toLowerCase();
  if (kind === "choice") return checkDistribution(name, { dist: "choice", options: args });
  const [low, high, q] = args;
  return checkDistribution(name, { dist: kind === "uniformint" || kind === "int" ? "randint" : kind, low, high: kind === "uniformint" || kind === "int" ? Number(high) + 1 : high, q });
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = "",
    quote = "";
  for (const c of s) {
    if (quote) {
      cur += c;
      if (c === quote) quote = "";
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      cur += c;
      continue;
    }
    if (c === ",") {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== "" || out.length) out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

/** A space from a YAML/JSON mapping whose values are distribution texts, objects, or lists (choices). */
export function parseSpace(doc: unknown): SearchSpace {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new HepflowError("SEARCH_SPACE", "a search space is a mapping of parameter names to distributions");
  const out: SearchSpace = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = parseDistribution(k, v);
    else if (Array.isArray(v)) out[k] = checkDistribution(k, { dist: "choice", options: v });
    else if (v && typeof v === "object") out[k] = checkDistribution(k, v as Record<string, unknown>);
    else bad(k, `cannot read ${JSON.stringify(v)} as a distribution`);
  }
  if (!Object.keys(out).length) throw new HepflowError("SEARCH_SPACE", "the search space is empty");
  return out;
}

/** Parameter names in the order samplers draw them: sorted, as sklearn's ParameterSampler does, so draws are reproducible. */
export function spaceKeys(space: SearchSpace): string[] {
  return Object.keys(space).sort();
}

/** The space's parameters with their distributions, in spaceKeys order. */
export function spaceEntries(space: SearchSpace): [string, Distribution][] {
  return Object.entries(space).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
