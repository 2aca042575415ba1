/**
 * Query tree + the dataset's schema → a column plan. The translation is symbolic: the event, a
 * NanoAOD collection (`e.Electron` = all `Electron_*` branches), a zipped record, a record or tuple
 * result and a column expression are values of the translator; lambdas are applied by binding
 * their parameter to such a value. What comes out is a handful of expressions in hepflow's column
 * language (expr/) — an event mask and one expression per output column — that run as
 * whole-column kernels; nothing is interpreted per event. Unknown branches, mixed collections and
 * unsupported forms are errors that point into the lambda.
 */
import type { BranchInfo } from "../root/index.js";
import { closeNames } from "../expr/index.js";
import { stripSpans, type QNode, type Span } from "./ast.js";
import { queryError } from "./errors.js";
import { isUprootRaw, uprootRawPlan, uprootRawTree } from "./uprootraw.js";

type Shape = "scalar" | "flat" | "jagged";

/** A column expression: expr-language text, its shape, and (jagged) which collection it runs along. */
interface ExprSym {
  k: "expr";
  text: string;
  shape: Shape;
  axis: string | null;
  bool: boolean /** bound as one element of a collection inside a lambda */;
  elem?: boolean;
}
/** A collection of records: unmasked jagged fields sharing one axis, and the elements kept so far. */
interface CollSym {
  k: "coll";
  fields: Map<string, ExprSym>;
  mask: string | null;
  axis: string;
}
/** One element of a collection, inside a lambda over it: its attributes are the fields. */
interface ElemSym {
  k: "elem";
  of: CollSym;
  masked: boolean;
}
/** A dict or tuple result. */
interface RecordSym {
  k: "record";
  fields: Map<string, Sym>;
  tuple: boolean;
}
interface EventSym {
  k: "event";
}
type Sym = ExprSym | CollSym | ElemSym | RecordSym | EventSym;

/** One output column: an expression per row, named as the query's record names it. */
export interface PlanColumn {
  name: string;
  expr: string;
  shape: Shape;
  /** For jagged columns: the collection they run along; columns with equal axes share their offsets. */
  axis: string | null;
}

/** A whole-stream result (`.Count()`, `.Sum()`, …) instead of columns. */
export interface PlanAggregate {
  op: "Count" | "Sum" | "Min" | "Max" | "First" | "Last" | "ElementAt" | "Any" | "All" | "Contains";
  index?: number;
}

/** What runs per chunk: keep events where `mask`; evaluate `columns`; flatten if SelectMany. */
export interface Plan {
  tree: string | null;
  mask: string | null;
  columns: PlanColumn[];
  /** After SelectMany: one output row per element (all columns jagged along one collection). */
  flatten: boolean;
  /** Each row is a list of records (a zipped collection), not a record of lists. */
  zipped: boolean;
  take: number | null;
  aggregate: PlanAggregate | null;
}

const FUNCS: Record<string, { expr: string; args: number }> = {
  abs: { expr: "abs", args: 1 },
  fabs: { expr: "abs", args: 1 },
  sqrt: { expr: "sqrt", args: 1 },
  exp: { expr: "exp", args: 1 },
  log: { expr: "log", args: 1 },
  log10: { expr: "log10", args: 1 },
  log2: { expr: "log2", args: 1 },
  sin: { expr: "sin", args: 1 },
  cos: { expr: "cos", args: 1 },
  tan: { expr: "tan", args: 1 },
  arcsin: { expr: "asin", args: 1 },
  arccos: { expr: "acos", args: 1 },
  arctan: { expr: "atan", args: 1 },
  asin: { expr: "asin", args: 1 },
  acos: { expr: "acos", args: 1 },
  atan: { expr: "atan", args: 1 },
  sinh: { expr: "sinh", args: 1 },
  cosh: { expr: "cosh", args: 1 },
  tanh: { expr: "tanh", args: 1 },
  arcsinh: { expr: "asinh", args: 1 },
  arccosh: { expr: "acosh", args: 1 },
  arctanh: { expr: "atanh", args: 1 },
  floor: { expr: "floor", args: 1 },
  ceil: { expr: "ceil", args: 1 },
  round: { expr: "round", args: 1 },
  trunc: { expr: "trunc", args: 1 },
  sign: { expr: "sign", args: 1 },
  cbrt: { expr: "cbrt", args: 1 },
  expm1: { expr: "expm1", args: 1 },
  log1p: { expr: "log1p", args: 1 },
  arctan2: { expr: "atan2", args: 2 },
  atan2: { expr: "atan2", args: 2 },
  hypot: { expr: "hypot", args: 2 },
  power: { expr: "pow", args: 2 },
  pow: { expr: "pow", args: 2 },
  minimum: { expr: "min", args: 2 },
  maximum: { expr: "max", args: 2 },
  fmod: { expr: "fmod", args: 2 },
};
const MODULES = new Set(["np", "numpy", "math"]);

/** A branch is jagged when it has a counter or is a std::vector / array per entry. */
function isJaggedBranch(b: BranchInfo): boolean {
  return b.counter !== undefined || /vector<|\[/.test(b.typeName);
}
function isBoolBranch(b: BranchInfo): boolean {
  return /^(Bool_t|bool)\b|<bool>/.test(b.typeName);
}

/** Translates a query tree against a tree's branches; `source` is the text spans count in. */
export function translate(query: QNode, branches: readonly BranchInfo[], source?: string): Plan {
  if (isUprootRaw(query)) return uprootRawPlan(query, branches, source);
  return new Translator(branches, source).run(query);
}

class Translator {
  private readonly byName = new Map<string, BranchInfo>();
  constructor(
    private readonly branches: readonly BranchInfo[],
    private readonly source?: string,
  ) {
    for (const b of branches) this.byName.set(b.name, b);
  }

  /** Argument `i` of a call or LINQ step the user wrote; a missing one is the query's fault. */
  private argAt(args: readonly QNode[], i: number, what: string, n: QNode): QNode {
    return args[i] ?? this.fail("QUERY_TYPE", `${what} needs ${i === 0 ? "an argument" : `${i + 1} arguments`}`, n);
  }

  /** The first field of a collection: its length and axis stand for all of them. */
  private firstField(c: CollSym, n: QNode): [string, ExprSym] {
    const first = c.fields.entries().next();
    if (first.done) return this.fail("QUERY_TYPE", "a collection of no fields (an empty record) has no length", n);
    return first.value;
  }

  private fail(code: string, msg: string, n: { span?: Span } | undefined, hint?: string): never {
    throw queryError(code, msg, this.source, n?.span, hint);
  }

  run(q: QNode): Plan {
    const chain: QNode[] = [];
    let cur = q;
    while (cur.type === "linq") {
      chain.unshift(cur);
      cur = cur.source;
    }
    const tree = this.sourceTree(cur);
    let row: Sym = { k: "event" };
    let mask: string | null = null,
      many = false,
      take: number | null = null;
    let aggregate: PlanAggregate | null = null;
    for (let i = 0; i < chain.length; i++) {
      const step = chain[i] as Extract<QNode, { type: "linq" }>;
      if (aggregate) this.fail("QUERY_UNSUPPORTED", `nothing can follow .${aggregate.op}() at the top level of a query`, step);
      const lam = (): Extract<QNode, { type: "lambda" }> => this.lambdaArg(step, 0, 1);
      switch (step.op) {
        case "Where": {
          if (many) {
            row = this.seqOp("Where", row, step);
            break;
          }
          const p = this.toExpr(this.apply(lam(), [row], null), step);
          if (p.shape === "jagged") this.fail("QUERY_TYPE", "an event filter must be one true/false per event; this is one per element — use .Count() > 0, .Any(…) or .All(…)", lam().body);
          mask = mask ? `(${mask}) && (${p.text})` : p.text;
          break;
        }
        case "Select":
          row = many ? this.seqOp("Select", row, step) : this.apply(lam(), [row], null);
          break;
        case "SelectMany": {
          if (many) this.fail("QUERY_UNSUPPORTED", "a second SelectMany (nested collections) is not supported", step);
          const v = this.asSequence(this.apply(lam(), [row], null), lam().body);
          row = v;
          many = true;
          break;
        }
        case "Take": {
          const n = step.args[0];
          if (n?.type !== "number" || !Number.isInteger(n.value) || n.value < 0) this.fail("QUERY_TYPE", "Take needs a non-negative integer", step);
          take = Math.min(take ?? Infinity, (n as { value: number }).value);
          break;
        }
        case "Count":
        case "Sum":
        case "Min":
        case "Max":
        case "First":
        case "Last":
          aggregate = { op: step.op };
          break;
        case "ElementAt": {
          const n = step.args[0];
          if (n?.type !== "number" || !Number.isInteger(n.value)) this.fail("QUERY_TYPE", "ElementAt needs an integer", step);
          aggregate = { op: "ElementAt", index: (n as { value: number }).value };
          break;
        }
        case "Any":
        case "All": {
          const p = this.toExpr(this.apply(lam(), [row], null), step);
          row = p;
          aggregate = { op: step.op };
          break;
        }
        case "Contains": {
          const v = this.toExpr(this.eval(this.argAt(step.args, 0, "Contains", step), new Map(), null), step);
          row = this.binary("==", this.toExpr(row, step), v, step);
          aggregate = { op: "Contains" };
          break;
        }
        default:
          this.fail("QUERY_UNSUPPORTED", `${step.op} is not supported at the top level of a query`, step);
      }
    }
    const columns = this.outputs(row, many, q);
    if (aggregate && columns.length !== 1) this.fail("QUERY_TYPE", `.${aggregate.op}() needs one value per row, not a record`, q);
    return { tree, mask, columns, flatten: many, zipped: row.k === "coll" && !many, take, aggregate };
  }

  /** `EventDataset('file', 'tree')`, `FromTree('tree')` or any name standing for the dataset. */
  private sourceTree(n: QNode): string | null {
    if (n.type === "name") return null;
    if (n.type === "call" && n.fn.type === "name" && (n.fn.id === "EventDataset" || n.fn.id === "FromTree")) {
      const strs = n.args.filter((a) => a.type === "string" || a.type === "list");
      if (n.fn.id === "FromTree") return strs[0]?.type === "string" ? strs[0].value : null;
      return strs[1]?.type === "string" ? strs[1].value : null;
    }
    return this.fail("QUERY_UNSUPPORTED", "a query starts from the dataset: FromTree('Events') or EventDataset(…)", n);
  }

  private lambdaArg(step: Extract<QNode, { type: "linq" }>, i: number, params: number): Extract<QNode, { type: "lambda" }> {
    const a = step.args[i];
    if (a?.type !== "lambda") this.fail("QUERY_TYPE", `${step.op} needs a lambda`, step);
    if ((a as { params: string[] }).params.length !== params) this.fail("QUERY_TYPE", `the lambda of ${step.op} takes ${params} parameter`, a);
    return a as Extract<QNode, { type: "lambda" }>;
  }

  private apply(lam: Extract<QNode, { type: "lambda" }>, args: Sym[], axis: string | null, env: Map<string, Sym> = new Map()): Sym {
    const inner = new Map(env);
    for (const [i, p] of lam.params.entries()) inner.set(p, args[i] ?? this.fail("QUERY_TYPE", `the lambda takes ${lam.params.length} parameters, it is given ${args.length}`, lam));
    return this.eval(lam.body, inner, axis);
  }

  /** The result rows as named output columns. */
  private outputs(row: Sym, many: boolean, q: QNode): PlanColumn[] {
    const out: PlanColumn[] = [];
    const add = (name: string, s: Sym): void => {
      if (s.k === "record") {
        for (const [k, v] of s.fields) add(name ? `${name}.${k}` : k, v);
        return;
      }
      if (s.k === "coll") {
        for (const k of s.fields.keys()) add(name ? `${name}.${k}` : k, this.collField(s, k));
        return;
      }
      if (s.k === "event") {
        for (const b of this.branches) add(b.name, this.branchSym(b));
        return;
      }
      const e = this.toExpr(s, q);
      out.push({ name: name || "col1", expr: e.text, shape: e.shape, axis: e.shape === "jagged" ? e.axis : null });
    };
    add("", row);
    if (many) {
      const axes = new Set(out.map((c) => (c.shape === "jagged" ? "j" : c.shape)));
      if (axes.has("flat")) this.fail("QUERY_TYPE", "after SelectMany every output must be per element", q);
    }
    return out;
  }

  private branchSym(b: BranchInfo): ExprSym {
    const jag = isJaggedBranch(b);
    // std::vector branches carry their own lengths: whether two agree is checked by the kernels per chunk
    return { k: "expr", text: "`" + b.name + "`", shape: jag ? "jagged" : "flat", axis: jag ? (b.counter ?? "std::vector") : null, bool: isBoolBranch(b) };
  }

  /** `e.X` / `e['X']`: a branch, or the NanoAOD collection of all `X_*` branches. */
  private eventField(name: string, n: QNode): Sym {
    const b = this.byName.get(name);
    if (b) return this.branchSym(b);
    const members = this.branches.filter((x) => x.name.startsWith(name + "_") && isJaggedBranch(x));
    if (members.length) {
      const fields = new Map<string, ExprSym>();
      const [first] = members;
      const counter = first?.counter ?? null;
      for (const m of members) if ((m.counter ?? null) === counter) fields.set(m.name.slice(name.length + 1), this.branchSym(m));
      return { k: "coll", fields, mask: null, axis: counter ?? first?.name ?? name };
    }
    const close = closeNames(name, [...this.byName.keys(), ...this.collectionNames()]);
    return this.fail("QUERY_UNKNOWN_BRANCH", `the dataset has no branch or collection "${name}"`, n, close.length ? `did you mean: ${close.join(", ")}?` : undefined);
  }

  private collectionNames(): string[] {
    const s = new Set<string>();
    for (const b of this.branches) {
      const i = b.name.indexOf("_");
      if (i > 0 && isJaggedBranch(b)) s.add(b.name.slice(0, i));
    }
    return [...s];
  }

  private collField(c: CollSym, name: string): ExprSym {
    const f = c.fields.get(name)!;
    return c.mask ? { ...f, text: `(${f.text})[${c.mask}]`, axis: `${c.axis}[${c.mask}]` } : f;
  }

  private maskedAxis(c: CollSym): string {
    return c.mask ? `${c.axis}[${c.mask}]` : c.axis;
  }

  private toExpr(s: Sym, n: QNode): ExprSym {
    if (s.k === "expr") return s;
    const what = s.k === "coll" ? "a collection of records" : s.k === "record" ? "a record" : s.k === "elem" ? "a collection element (record)" : "the whole event";
    return this.fail("QUERY_TYPE", `expected a number or column here, found ${what}`, n, s.k === "coll" ? "select one attribute: .Select(x => x.pt)" : undefined);
  }

  /** A value seen as a sequence (for SelectMany): a jagged column, a collection, or a record of jagged columns. */
  private asSequence(s: Sym, n: QNode): ExprSym | CollSym {
    if (s.k === "coll") return s;
    if (s.k === "expr" && s.shape === "jagged") return s;
    if (s.k === "record") return this.zip(s, n);
    return this.fail("QUERY_TYPE", "SelectMany needs a collection (one list per event)", n);
  }

  private zip(r: RecordSym, n: QNode): CollSym {
    const fields = new Map<string, ExprSym>();
    let axis: string | null = null;
    for (const [k, v] of r.fields) {
      const e = v.k === "coll" ? null : this.toExpr(v, n);
      if (e?.shape !== "jagged") this.fail("QUERY_TYPE", `Zip needs collections; "${k}" is not one`, n);
      if (axis !== null && e!.axis !== axis) this.fail("QUERY_SHAPE", `Zip needs collections of equal lengths; "${k}" runs along a different collection`, n);
      axis = e!.axis;
      fields.set(k, e!);
    }
    if (axis === null) this.fail("QUERY_TYPE", "Zip of nothing", n);
    return { k: "coll", fields, mask: null, axis: axis! };
  }

  /** A LINQ operator applied to a collection value (`jets.Where(…)`, `jets.Count()`, …). */
  private seqOp(op: string, src: Sym, node: Extract<QNode, { type: "linq" }>, env: Map<string, Sym> = new Map(), ctxAxis: string | null = null): Sym {
    if (src.k === "record" && op !== "Zip") src = this.zip(src, node);
    if (op === "Zip") {
      if (src.k === "record") return this.zip(src, node);
      if (src.k === "coll") return src;
      return this.fail("QUERY_TYPE", "Zip needs a dict or list of collections", node);
    }
    if (src.k !== "coll" && !(src.k === "expr" && src.shape === "jagged")) {
      this.fail("QUERY_TYPE", `.${op}() needs a collection; this is ${src.k === "expr" ? "one value per " + (src.shape === "flat" ? "event" : "query") : "a " + src.k}`, node.source);
    }
    if (ctxAxis !== null) {
      if (src.k === "expr" && src.elem) this.fail("QUERY_TYPE", `.${op}() needs a collection; inside this lambda the element is one value`, node);
      this.fail("QUERY_UNSUPPORTED", `.${op}() inside a lambda over another collection (a nested loop / cross join) is not supported`, node);
    }
    const lam = (): Extract<QNode, { type: "lambda" }> => this.lambdaArg(node, 0, 1);
    const s = src as ExprSym | CollSym;
    const axisOf = s.k === "coll" ? this.maskedAxis(s) : s.axis!;
    switch (op) {
      case "Select": {
        const elem: Sym = s.k === "coll" ? { k: "elem", of: s, masked: true } : { ...s, elem: true };
        const r = this.apply(lam(), [elem], axisOf, env);
        return this.alongAxis(r, s, axisOf, lam().body);
      }
      case "Where": {
        const elem: Sym = s.k === "coll" ? { k: "elem", of: s, masked: false } : { ...s, elem: true };
        const baseAxis = s.k === "coll" ? s.axis : s.axis!;
        const p = this.toExpr(this.apply(lam(), [elem], baseAxis, env), lam().body);
        const pj = this.along(p, s.k === "coll" ? this.firstField(s, node)[1] : s, baseAxis, lam().body);
        if (s.k === "coll") return { ...s, mask: s.mask ? `(${s.mask}) && (${pj.text})` : pj.text };
        return { k: "expr", text: `(${s.text})[${pj.text}]`, shape: "jagged", axis: `${s.axis}[${pj.text}]`, bool: s.bool };
      }
      case "Count":
        if (s.k === "coll") return { k: "expr", text: s.mask ? `sum(${s.mask})` : `len(${this.firstField(s, node)[1].text})`, shape: "flat", axis: null, bool: false };
        return { k: "expr", text: `len(${s.text})`, shape: "flat", axis: null, bool: false };
      case "Sum":
      case "Min":
      case "Max": {
        const e = this.toExpr(s, node);
        return { k: "expr", text: `${op.toLowerCase()}(${e.text})`, shape: "flat", axis: null, bool: false };
      }
      case "First":
      case "Last":
      case "ElementAt": {
        let idx = op === "First" ? 0 : -1;
        if (op === "ElementAt") {
          const a = node.args[0];
          if (a?.type !== "number" || !Number.isInteger(a.value)) this.fail("QUERY_TYPE", "ElementAt needs an integer", node);
          idx = (a as { value: number }).value;
        }
        if (s.k === "coll") {
          const fields = new Map<string, Sym>();
          for (const k of s.fields.keys()) {
            const f = this.collField(s, k);
            fields.set(k, { ...f, text: `(${f.text})[${idx}]`, shape: "flat", axis: null });
          }
          return { k: "record", fields, tuple: false };
        }
        return { k: "expr", text: `(${s.text})[${idx}]`, shape: "flat", axis: null, bool: s.bool };
      }
      case "Any":
      case "All": {
        const elem: Sym = s.k === "coll" ? { k: "elem", of: s, masked: false } : { ...s, elem: true };
        const baseAxis = s.k === "coll" ? s.axis : s.axis!;
        const p = this.toExpr(this.apply(lam(), [elem], baseAxis, env), lam().body).text;
        const m = s.k === "coll" ? s.mask : null;
        const text = op === "Any" ? `any(${m ? `(${m}) && (${p})` : p})` : `all(${m ? `!(${m}) || (${p})` : p})`;
        return { k: "expr", text, shape: "flat", axis: null, bool: true };
      }
      case "Contains": {
        const arg = this.argAt(node.args, 0, "Contains", node);
        const v = this.toExpr(this.eval(arg, env, null), arg);
        if (v.shape === "jagged") this.fail("QUERY_UNSUPPORTED", "Contains of a collection value is not supported", node.args[0]);
        return { k: "expr", text: `any((${this.toExpr(s, node).text}) == (${v.text}))`, shape: "flat", axis: null, bool: true };
      }
      default:
        return this.fail("QUERY_UNSUPPORTED", `${op} on a collection is not supported (supported: Select, Where, Count, Sum, Min, Max, First, Last, ElementAt, Any, All, Contains, Zip)`, node);
    }
  }

  /** A per-element lambda result as a sequence along `axis`: an expression, or a record → collection. */
  private alongAxis(r: Sym, like: ExprSym | CollSym, axis: string, n: QNode): Sym {
    if (r.k === "record") {
      const fields = new Map<string, ExprSym>();
      for (const [k, v] of r.fields) fields.set(k, this.along(this.toExpr(v, n), like, axis, n));
      return { k: "coll", fields, mask: null, axis };
    }
    if (r.k === "elem") return r.masked ? { ...r.of } : r.of;
    return this.along(this.toExpr(r, n), like, axis, n);
  }

  /** `e` as a jagged column along `axis`: constants and per-event values are repeated over the elements. */
  private along(e: ExprSym, like: ExprSym | CollSym, axis: string, n: QNode): ExprSym {
    if (e.shape === "jagged") {
      if (e.axis !== axis) this.fail("QUERY_SHAPE", "this value runs along a different collection than the lambda's", n);
      return e;
    }
    let ref: ExprSym, refText: string;
    if (like.k === "coll") {
      const [firstName, firstExpr] = this.firstField(like, n);
      ref = this.collField(like, firstName);
      refText = axis === like.axis ? firstExpr.text : ref.text;
    } else {
      ref = like;
      refText = like.text;
    }
    return { k: "expr", text: `where(((${refText}) == (${refText})) || true, ${e.text}, ${e.text})`, shape: "jagged", axis, bool: e.bool };
  }

  private binary(op: string, l: ExprSym, r: ExprSym, n: QNode): ExprSym {
    if (l.shape === "jagged" && r.shape === "jagged" && l.axis !== r.axis) {
      this.fail("QUERY_SHAPE", "the two sides run along different collections (different numbers of elements per event)", n);
    }
    const shape: Shape = l.shape === "jagged" || r.shape === "jagged" ? "jagged" : l.shape === "flat" || r.shape === "flat" ? "flat" : "scalar";
    const axis = l.shape === "jagged" ? l.axis : r.axis;
    const bool = ["==", "!=", "<", "<=", ">", ">=", "&&", "||"].includes(op);
    const text = op === "//" ? `floor((${l.text}) / (${r.text}))` : `(${l.text}) ${op} (${r.text})`;
    return { k: "expr", text, shape, axis: shape === "jagged" ? axis : null, bool };
  }

  private lit(text: string, bool = false): ExprSym {
    return { k: "expr", text, shape: "scalar", axis: null, bool };
  }

  private eval(n: QNode, env: Map<string, Sym>, axis: string | null): Sym {
    const sub = (x: QNode): Sym => this.eval(x, env, axis);
    const ex = (x: QNode): ExprSym => this.toExpr(sub(x), x);
    switch (n.type) {
      case "name": {
        const v = env.get(n.id);
        if (!v) this.fail("QUERY_UNKNOWN_NAME", `"${n.id}" is not a lambda parameter`, n);
        return v!;
      }
      case "number": {
        const t = n.float && Number.isInteger(n.value) ? `${n.value}.0` : String(n.value);
        return this.lit(t.includes("e") && !t.includes(".") && n.float ? String(n.value) : t);
      }
      case "bool":
        return this.lit(n.value ? "true" : "false", true);
      case "string":
        return this.fail("QUERY_TYPE", "a string is only allowed as a branch or dict key", n);
      case "none":
        return this.fail("QUERY_TYPE", "None has no column value", n);
      case "list":
        return { k: "record", fields: new Map(n.items.map((it, i) => [String(i), sub(it)])), tuple: true };
      case "dict": {
        const fields = new Map<string, Sym>();
        n.keys.forEach((k, i) => {
          if (k.type !== "string" && k.type !== "number") this.fail("QUERY_TYPE", "a result key must be a string", k);
          fields.set(String((k as { value: string | number }).value), sub(this.argAt(n.values, i, "a result dictionary's key", k)));
        });
        return { k: "record", fields, tuple: false };
      }
      case "attr":
        return this.member(sub(n.target), n.name, n);
      case "subscript": {
        const t = sub(n.target);
        if (n.index.type === "string") return this.member(t, n.index.value, n);
        if (n.index.type === "number" && Number.isInteger(n.index.value)) {
          if (t.k === "record" || t.k === "elem") return this.member(t, String(n.index.value), n);
          const e = this.toExpr(t, n.target);
          if (e.shape !== "jagged") this.fail("QUERY_TYPE", "only collections can be indexed by position", n);
          return { k: "expr", text: `(${e.text})[${n.index.value}]`, shape: "flat", axis: null, bool: e.bool };
        }
        return this.fail("QUERY_UNSUPPORTED", "an index must be a string key or an integer", n.index);
      }
      case "call":
        return this.call(n, env, axis);
      case "linq": {
        const src = sub(n.source);
        return this.seqOp(n.op, src, n, env, axis);
      }
      case "if": {
        const c = ex(n.test),
          a = ex(n.then),
          b = ex(n.else);
        const ab = this.binary("+", a, b, n);
        const all = this.binary("+", c, ab, n);
        return { k: "expr", text: `where(${c.text}, ${a.text}, ${b.text})`, shape: all.shape, axis: all.axis, bool: a.bool && b.bool };
      }
      case "unary": {
        const a = ex(n.arg);
        if (n.op === "not") return { ...a, text: `!(${a.text})`, bool: true };
        if (n.op === "~") return { ...a, text: a.bool ? `!(${a.text})` : `~(${a.text})` };
        return { ...a, text: `${n.op}(${a.text})`, bool: false };
      }
      case "binary": {
        if (n.op === "^" || n.op === "<<" || n.op === ">>") this.fail("QUERY_UNSUPPORTED", `"${n.op}" is not supported by the column kernels`, n);
        const l = ex(n.left),
          r = ex(n.right);
        const op = n.op === "&" && l.bool && r.bool ? "&&" : n.op === "|" && l.bool && r.bool ? "||" : n.op;
        return this.binary(op, l, r, n);
      }
      case "boolop":
        return this.binary(n.op === "and" ? "&&" : "||", ex(n.left), ex(n.right), n);
      case "compare":
        return this.binary(n.op, ex(n.left), ex(n.right), n);
      case "lambda":
        return this.fail("QUERY_TYPE", "a lambda is only allowed as the argument of Select, Where, …", n);
    }
  }

  private member(t: Sym, name: string, n: QNode): Sym {
    switch (t.k) {
      case "event":
        return this.eventField(name, n);
      case "record": {
        const v = t.fields.get(name);
        if (!v) this.fail("QUERY_UNKNOWN_FIELD", `the record has no field "${name}" (it has: ${[...t.fields.keys()].join(", ")})`, n);
        return v!;
      }
      case "elem": {
        if (!t.of.fields.has(name)) {
          const close = closeNames(name, t.of.fields.keys());
          this.fail("QUERY_UNKNOWN_BRANCH", `the collection has no attribute "${name}"`, n, close.length ? `did you mean: ${close.join(", ")}?` : `it has: ${[...t.of.fields.keys()].join(", ")}`);
        }
        return t.masked ? this.collField(t.of, name) : t.of.fields.get(name)!;
      }
      case "coll": {
        if (!t.fields.has(name)) this.fail("QUERY_UNKNOWN_BRANCH", `the collection has no attribute "${name}"`, n, `it has: ${[...t.fields.keys()].join(", ")}`);
        return this.collField(t, name);
      }
      case "expr":
        return this.fail("QUERY_TYPE", `a number has no attribute "${name}"`, n);
    }
  }

  private call(n: Extract<QNode, { type: "call" }>, env: Map<string, Sym>, axis: string | null): Sym {
    let fname: string | null = null;
    if (n.fn.type === "name" && !env.has(n.fn.id)) fname = n.fn.id;
    else if (n.fn.type === "attr" && n.fn.target.type === "name" && MODULES.has(n.fn.target.id) && !env.has(n.fn.target.id)) fname = n.fn.name;
    if (fname === "Zip" || (n.fn.type === "attr" && n.fn.name === "Zip")) {
      const arg = n.fn.type === "attr" && fname === null ? this.eval(n.fn.target, env, axis) : this.eval(this.argAt(n.args, 0, "Zip", n), env, axis);
      if (arg.k !== "record") this.fail("QUERY_TYPE", "Zip needs a dict or list of collections", n);
      return this.zip(arg as RecordSym, n);
    }
    if (fname === null) {
      if (n.fn.type === "attr") return this.fail("QUERY_UNSUPPORTED", `"${n.fn.name}(…)" is not a method of this value (attributes are read without parentheses: x.${n.fn.name})`, n.fn);
      return this.fail("QUERY_UNSUPPORTED", "only functions and collection methods can be called", n.fn);
    }
    const f = FUNCS[fname];
    if (!f) return this.fail("QUERY_UNKNOWN_FUNCTION", `unknown function "${fname}"`, n.fn, `known: ${Object.keys(FUNCS).join(", ")}`);
    if (n.args.length !== f.args) this.fail("QUERY_TYPE", `${fname} takes ${f.args} argument${f.args > 1 ? "s" : ""}`, n);
    const args = n.args.map((a) => this.toExpr(this.eval(a, env, axis), a));
    const [a0, a1] = args;
    if (a0 === undefined) return this.fail("QUERY_TYPE", `${fname} takes ${f.args} argument${f.args > 1 ? "s" : ""}`, n);
    const shape = a1 !== undefined ? this.binary("+", a0, a1, n) : a0;
    return { k: "expr", text: `${f.expr}(${args.map((a) => a.text).join(", ")})`, shape: shape.shape, axis: shape.axis, bool: false };
  }
}

/** The tree a query names (`FromTree('Events')`, `EventDataset(f, 'Events')`, UprootRaw `treename`), if any. */
export function queryTree(query: QNode): string | null {
  if (isUprootRaw(query)) return uprootRawTree(query);
  let cur = query;
  while (cur.type === "linq") cur = cur.source;
  if (cur.type === "call" && cur.fn.type === "name" && (cur.fn.id === "EventDataset" || cur.fn.id === "FromTree")) {
    const strs = cur.args.filter((a): a is Extract<QNode, { type: "string" }> => a.type === "string");
    return cur.fn.id === "FromTree" ? (strs[0]?.value ?? null) : (strs[1]?.value ?? null);
  }
  return null;
}

/**
 * The query with spans dropped and its dataset source spelled one way
 * (`EventDataset('bogus.root', tree)`), so `FromTree('Events')…` and the TS builder's form of the
 * same query are one cache key.
 */
export function canonicalQuery(query: QNode): QNode {
  const strip = stripSpans(query);
  const fix = (n: QNode): QNode => {
    if (n.type === "linq") return { ...n, source: fix(n.source) };
    if (n.type === "call" && n.fn.type === "name" && (n.fn.id === "EventDataset" || n.fn.id === "FromTree")) {
      const tree = queryTree(n);
      return { type: "call", fn: { type: "name", id: "EventDataset" }, args: [{ type: "string", value: "bogus.root" }, ...(tree !== null ? [{ type: "string" as const, value: tree }] : [])] };
    }
    return n;
  };
  return isUprootRaw(strip) ? strip : fix(strip);
}
