/**
 * Typed AST → column kernels. `compile` parses once, resolves every name against the tree's
 * branches (suggesting close names when one is unknown) and builds a tree of small closures,
 * one per distinct subexpression; `evaluate` then runs each closure once per chunk, and each
 * closure runs one whole-column kernel (kernels.ts). Nothing is interpreted per event and the
 * user's text is never turned into code.
 *
 * Typing rules (numpy's for what numpy has, ROOT's for the rest):
 * - booleans are 0/1 masks; in arithmetic they count as integers;
 * - integer (op) integer stays integer for + − × % min max abs; `/` and `**` give float64;
 * - float32 with float32, or with a number written in the expression, stays float32 (the
 *   number is rounded to float32 first, as numpy ≥ 2 treats a Python float); float32 with an
 *   integer or float64 column is float64; comparisons of float32 with a number compare in float32;
 * - math functions keep float32 and turn integers into float64;
 * - sum and mean accumulate in float64 (as TTreeFormula does); max/min keep the element type.
 */
import { HepflowError, isJagged } from "../util/index.js";
import type { Column, Columns } from "../util/index.js";
import type { NumberArray } from "../array/index.js";
import { mapF32, simd, SIMD_FN, SIMD_OP, SIMD_SLOTS, SIMD_STEP, SIMD_UN } from "../array/index.js";
import { nodeKey, type BinaryOp, type Node } from "./ast.js";
import { parse } from "./parse.js";
import { closeNames, exprError } from "./errors.js";
import { allocKind, type FlatValue, type JaggedValue, type Kind, type ScalarValue, type Value } from "./values.js";
import { FN, OP, RED, andValid, binaryAA, binaryAS, compact, element, lengths, narrowInt, reduce, select3, spread, unary } from "./kernels.js";

/** The functions with a SIMD kernel for float32 columns: float32 polynomials, the same values with or without SIMD (array/float32.ts). */
const SIMD_OF: Record<number, number> = { [FN.exp]: SIMD_FN.exp, [FN.sin]: SIMD_FN.sin, [FN.cos]: SIMD_FN.cos, [FN.sinh]: SIMD_FN.sinh, [FN.cosh]: SIMD_FN.cosh };
/** Float32 arithmetic with a SIMD loop (IEEE float32 in both: the values of a Float32Array store of the JavaScript result). */
const SIMD_ARITH: Record<number, number> = { [OP.add]: SIMD_OP.add, [OP.sub]: SIMD_OP.sub, [OP.mul]: SIMD_OP.mul, [OP.div]: SIMD_OP.div, [OP.min]: SIMD_OP.min, [OP.max]: SIMD_OP.max };
const SIMD_ARITH1: Record<number, number> = { [FN.sqrt]: SIMD_UN.sqrt, [FN.abs]: SIMD_UN.abs, [FN.neg]: SIMD_UN.neg, [FN.sq]: SIMD_UN.sq };

/** A branch (or field) an expression may name; `typeName` tells booleans from bytes. */
export interface BranchDesc {
  name: string;
  typeName?: string;
}

/** Per-chunk facts that are not columns: where the chunk starts (for Entry$) and the tree size (Entries$). */
export interface EvalContext {
  entryStart?: number;
  entries?: number;
  totalEntries?: number;
  /** Shared by expressions evaluated on the same chunk, so a subexpression they have in common runs once. */
  memo?: Map<string, Value>;
}

interface Ctx {
  columns: Columns;
  n: number;
  entryStart: number;
  totalEntries: number;
  memo: Map<string, Value>;
}

type Eval = (ctx: Ctx) => Value;

/**
 * A tree of float32 element-wise operations run as one fused program (array/simd.ts `program`):
 * the leaves are the subexpressions it cannot fuse, evaluated as usual.
 */
type Fused = { t: "leaf"; ev: Eval } | { t: "op"; kind: number; op: number; args: Fused[]; ev: Eval | null };

const UNARY_FUNCS: Record<string, number> = {
  abs: FN.abs,
  fabs: FN.abs,
  sqrt: FN.sqrt,
  exp: FN.exp,
  log: FN.log,
  log10: FN.log10,
  log2: FN.log2,
  sin: FN.sin,
  cos: FN.cos,
  tan: FN.tan,
  asin: FN.asin,
  acos: FN.acos,
  atan: FN.atan,
  sinh: FN.sinh,
  cosh: FN.cosh,
  tanh: FN.tanh,
  asinh: FN.asinh,
  acosh: FN.acosh,
  atanh: FN.atanh,
  floor: FN.floor,
  ceil: FN.ceil,
  round: FN.round,
  trunc: FN.trunc,
  sign: FN.sign,
  expm1: FN.expm1,
  log1p: FN.log1p,
  cbrt: FN.cbrt,
  "TMath::Abs": FN.abs,
  "TMath::Sqrt": FN.sqrt,
  "TMath::Exp": FN.exp,
  "TMath::Log": FN.log,
  "TMath::Log10": FN.log10,
  "TMath::Log2": FN.log2,
  "TMath::Sin": FN.sin,
  "TMath::Cos": FN.cos,
  "TMath::Tan": FN.tan,
  "TMath::ASin": FN.asin,
  "TMath::ACos": FN.acos,
  "TMath::ATan": FN.atan,
  "TMath::SinH": FN.sinh,
  "TMath::CosH": FN.cosh,
  "TMath::TanH": FN.tanh,
  "TMath::ASinH": FN.asinh,
  "TMath::ACosH": FN.acosh,
  "TMath::ATanH": FN.atanh,
  "TMath::Floor": FN.floor,
  "TMath::Ceil": FN.ceil,
  "TMath::Sq": FN.sq,
  "TMath::Sign": FN.sign,
  "std::abs": FN.abs,
  "std::sqrt": FN.sqrt,
  "std::exp": FN.exp,
  "std::log": FN.log,
};
const BINARY_FUNCS: Record<string, BinaryOp | "pow" | "atan2" | "hypot" | "fmod" | "min" | "max"> = {
  pow: "pow",
  "TMath::Power": "pow",
  "std::pow": "pow",
  atan2: "atan2",
  "TMath::ATan2": "atan2",
  hypot: "hypot",
  "TMath::Hypot": "hypot",
  fmod: "fmod",
  "TMath::Min": "min",
  "TMath::Max": "max",
  "std::min": "min",
  "std::max": "max",
};
/** Per-event reductions; the `$` spellings follow TTreeFormula (Max$/Min$ of nothing is 0). */
const REDUCTIONS: Record<string, { op: "sum" | "count" | "len" | "any" | "all" | "max" | "min" | "mean"; root: boolean }> = {
  sum: { op: "sum", root: false },
  count: { op: "count", root: false },
  len: { op: "len", root: false },
  any: { op: "any", root: false },
  all: { op: "all", root: false },
  mean: { op: "mean", root: false },
  Sum$: { op: "sum", root: true },
  Length$: { op: "len", root: true },
  Max$: { op: "max", root: true },
  Min$: { op: "min", root: true },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, "TMath::Pi": Math.PI, "TMath::E": Math.E, "TMath::TwoPi": 2 * Math.PI, "TMath::PiOver2": Math.PI / 2 };
const KNOWN_FUNCS = [...Object.keys(UNARY_FUNCS), ...Object.keys(BINARY_FUNCS), ...Object.keys(REDUCTIONS), "min", "max", "where", "Alt$", "MaxIf$", "MinIf$", ...Object.keys(CONSTANTS)];

function isFloatKind(k: Kind): boolean {
  return k === "f32" || k === "f64";
}

/** Kind of arithmetic between two values; numbers written in the expression adapt to the column. */
function promote(a: Value, b: Value): Kind {
  const ka = a.kind === "bool" ? "int" : a.kind,
    kb = b.kind === "bool" ? "int" : b.kind;
  if (a.shape === "scalar" && b.shape !== "scalar") {
    // a written number takes the column's precision, except that a non-integer makes integers float64
    if (kb === "int") return ka === "int" ? "int" : "f64";
    return kb;
  }
  if (b.shape === "scalar" && a.shape !== "scalar") return promote(b, a);
  if (ka === kb) return ka;
  if (ka === "f64" || kb === "f64") return "f64";
  if (ka === "f32" || kb === "f32") return "f64"; // float32 with an integer column: numpy gives float64
  return "int";
}

function finish(kind: Kind, out: NumberArray): NumberArray {
  return kind === "int" && out instanceof Float64Array ? narrowInt(out) : out;
}

/** An expression compiled against a tree's branches; evaluate it on chunks of those columns. */
export class Expression {
  /** The branches the expression reads (what a reader should load). */
  readonly branches: readonly string[];
  private readonly root: Eval;
  private readonly bools: ReadonlySet<string>;

  constructor(
    readonly source: string,
    available: readonly (string | BranchDesc)[],
  ) {
    const descs = available.map((b) => (typeof b === "string" ? { name: b } : b));
    const names = new Set(descs.map((d) => d.name));
    this.bools = new Set(descs.filter((d) => d.typeName !== undefined && /^(Bool_t|bool)\b|<bool>/.test(d.typeName)).map((d) => d.name));
    const used = new Set<string>();
    const tree = parse(source);
    const cache = new Map<string, Eval>();
    this.root = this.build(tree, names, used, cache);
    this.branches = [...used];
  }

  /** Evaluate on one chunk's columns (which must include `branches`). */
  evaluate(columns: Columns, context: EvalContext = {}): Value {
    let n = context.entries;
    if (n === undefined) {
      const first = this.branches.map((b) => columns[b]).find((c) => c !== undefined);
      if (first === undefined) {
        if (this.branches.length) throw new HepflowError("EXPR_INPUT", `column "${this.branches[0]}" is missing from the chunk`, { object: `expression "${this.source}"` });
        n = 0;
      } else n = first.length;
    }
    return this.root({ columns, n, entryStart: context.entryStart ?? 0, totalEntries: context.totalEntries ?? n, memo: context.memo ?? new Map() });
  }

  private fail(code: string, message: string, node: { pos: number; end: number }, hint?: string): HepflowError {
    return exprError(code, message, this.source, node.pos, node.end, hint);
  }

  private build(node: Node, names: Set<string>, used: Set<string>, cache: Map<string, Eval>): Eval {
    const key = nodeKey(node);
    const hit = cache.get(key);
    if (hit) return hit;
    const inner = this.fuse(node, this.buildNode(node, names, used, cache), (n) => this.build(n, names, used, cache));
    // each distinct subexpression runs once per chunk, so `x[m] * y[m]` shares one offsets array
    const memo: Eval = (ctx) => {
      let v = ctx.memo.get(key);
      if (v === undefined) {
        v = inner(ctx);
        ctx.memo.set(key, v);
      }
      return v;
    };
    cache.set(key, memo);
    return memo;
  }

  private buildNode(node: Node, names: Set<string>, used: Set<string>, cache: Map<string, Eval>): Eval {
    const sub = (n: Node): Eval => this.build(n, names, used, cache);
    switch (node.type) {
      case "number": {
        const v: ScalarValue = { shape: "scalar", kind: node.integer ? "int" : "f64", value: node.value };
        return () => v;
      }
      case "bool": {
        const v: ScalarValue = { shape: "scalar", kind: "bool", value: node.value ? 1 : 0 };
        return () => v;
      }
      case "name":
        return this.buildName(node, names, used);
      case "unary": {
        const arg = sub(node.arg);
        return (ctx) => this.unaryOp(node.op, arg(ctx), node);
      }
      case "binary": {
        const l = sub(node.left),
          r = sub(node.right);
        return (ctx) => this.binary(node.op, l(ctx), r(ctx), node, ctx);
      }
      case "index": {
        const t = sub(node.target),
          i = sub(node.index);
        return (ctx) => this.index(t(ctx), i(ctx), node, ctx);
      }
      case "call":
        return this.buildCall(node, sub);
    }
  }

  /** The SIMD step a node compiles to when its operands are float32 (the same loop binary/map would pick), or null. */
  private static stepOf(node: Node): { kind: number; op: number; args: Node[] } | "pass" | null {
    if (node.type === "binary") {
      const op = node.op === "+" ? SIMD_OP.add : node.op === "-" ? SIMD_OP.sub : node.op === "*" ? SIMD_OP.mul : node.op === "/" ? SIMD_OP.div : undefined;
      return op === undefined ? null : { kind: SIMD_STEP.arith, op, args: [node.left, node.right] };
    }
    if (node.type === "unary") return node.op === "+" ? "pass" : node.op === "-" ? { kind: SIMD_STEP.arith1, op: SIMD_UN.neg, args: [node.arg] } : null;
    if (node.type !== "call") return null;
    if (node.args.length === 1 && node.fn in UNARY_FUNCS) {
      const code = UNARY_FUNCS[node.fn]!;
      if (SIMD_OF[code] !== undefined) return { kind: SIMD_STEP.map, op: SIMD_OF[code]!, args: node.args };
      if (SIMD_ARITH1[code] !== undefined) return { kind: SIMD_STEP.arith1, op: SIMD_ARITH1[code]!, args: node.args };
      return null;
    }
    const b = node.args.length === 2 ? (BINARY_FUNCS[node.fn] ?? (node.fn === "min" || node.fn === "max" ? node.fn : undefined)) : undefined;
    if (b === "min" || b === "max") return { kind: SIMD_STEP.arith, op: b === "min" ? SIMD_OP.min : SIMD_OP.max, args: node.args };
    return null;
  }

  /**
   * Element-wise float32 arithmetic and math of two or more operations runs as one fused program
   * over blocks that stay in cache — one pass, no intermediate columns — with the per-operation
   * float32 loops the unfused path runs, so the values are the same. Whatever the chunk's columns do
   * not allow (other types, collections of different sizes, per-event with per-element values) falls
   * back to `plain`, operation by operation.
   */
  private fuse(node: Node, plain: Eval, sub: (n: Node) => Eval): Eval {
    let ops = 0;
    // an operation keeps its own closure too, for when it meets numbers only (`2*pi`): that is a number
    const tree = (n: Node): Fused => {
      const s = Expression.stepOf(n);
      if (s === "pass" && n.type === "unary") return tree(n.arg);
      if (s === null || s === "pass") return { t: "leaf", ev: sub(n) };
      ops++;
      return { t: "op", kind: s.kind, op: s.op, args: s.args.map(tree), ev: n === node ? null : sub(n) };
    };
    if (Expression.stepOf(node) === null) return plain;
    const root = tree(node);
    if (ops < 2) return plain;
    return (ctx) => this.runFused(root, ctx) ?? plain(ctx);
  }

  private runFused(root: Fused, ctx: Ctx): Value | null {
    const k = simd();
    if (k === null) return null;
    const columns: Float32Array[] = [],
      inSlots: number[] = [],
      scalars: number[] = [],
      scalarSlots: number[] = [],
      steps: number[] = [];
    // the first column met sets the shape (assigned inside gen, hence a holder TypeScript does not narrow)
    const first: { v: FlatValue | JaggedValue | null } = { v: null };
    let valid: Uint8Array | null = null,
      slots = 0,
      ok = true;
    const free: number[] = [],
      temps = new Set<number>();
    const fail = (): null => {
      ok = false;
      return null;
    };
    // post-order, returning [slot, whether a column is below]; a step's output may take an operand's
    // slot (the loops read element i before writing it)
    const gen = (f: Fused): [number, boolean] | null => {
      if (!ok) return null;
      if (f.t === "leaf") {
        const v = f.ev(ctx);
        if (v.shape === "scalar") {
          scalars.push(v.value);
          scalarSlots.push(slots);
          return [slots++, false];
        }
        if (v.kind !== "f32" || !(v.data instanceof Float32Array)) return fail();
        const shape = first.v;
        if (shape === null) first.v = v;
        else if (shape.shape !== v.shape || shape.data.length !== v.data.length || (v.shape === "jagged" && shape.shape === "jagged" && v.offsets !== shape.offsets && !sameOffsets(v.offsets, shape.offsets))) return fail();
        valid = andValid(valid, v.valid);
        const seen = columns.indexOf(v.data);
        if (seen >= 0) return [inSlots[seen]!, true];
        columns.push(v.data);
        inSlots.push(slots);
        return [slots++, true];
      }
      const nScalars = scalars.length;
      const a = gen(f.args[0]!),
        b = f.args.length > 1 ? gen(f.args[1]!) : a;
      if (a === null || b === null) return null;
      if (!a[1] && !b[1]) {
        // numbers alone (its operands took the last scalar slots): computed as the unfused path does, one number
        if (f.ev === null) return fail();
        const v = f.ev(ctx);
        if (v.shape !== "scalar") return fail();
        slots -= scalars.length - nScalars;
        scalars.length = scalarSlots.length = nScalars;
        scalars.push(v.value);
        scalarSlots.push(slots);
        return [slots++, false];
      }
      for (const s of [a[0], b[0]]) if (temps.delete(s)) free.push(s);
      const out = free.pop() ?? slots++;
      temps.add(out);
      steps.push(f.kind, f.op, a[0], b[0], out);
      return [out, true];
    };
    const result = gen(root);
    const s = first.v;
    if (result === null || !ok || s === null || slots > SIMD_SLOTS) return null;
    const out = new Float32Array(s.data.length);
    k.program(columns, inSlots, scalars, scalarSlots, steps, result[0], out);
    return s.shape === "jagged" ? { shape: "jagged", kind: "f32", offsets: s.offsets, data: out, valid } : { shape: "flat", kind: "f32", data: out, valid };
  }

  private buildName(node: Extract<Node, { type: "name" }>, names: Set<string>, used: Set<string>): Eval {
    let name = node.name;
    if (!names.has(name) && name.includes(".") && names.has(name.replaceAll(".", "_"))) name = name.replaceAll(".", "_"); // Jet.pt → Jet_pt
    if (names.has(name)) {
      used.add(name);
      const isBool = this.bools.has(name);
      return (ctx) => this.leaf(name, ctx.columns[name], isBool, node);
    }
    if (name in CONSTANTS) {
      const v: ScalarValue = { shape: "scalar", kind: "f64", value: CONSTANTS[name]! };
      return () => v;
    }
    if (name === "Entry$") {
      return (ctx) => {
        const data = new Float64Array(ctx.n);
        for (let i = 0; i < ctx.n; i++) data[i] = ctx.entryStart + i;
        return { shape: "flat", kind: "int", data: narrowInt(data), valid: null };
      };
    }
    if (name === "Entries$") return (ctx) => ({ shape: "scalar", kind: "int", value: ctx.totalEntries });
    if (KNOWN_FUNCS.includes(name)) throw this.fail("EXPR_SYNTAX", `${name} is a function; call it as ${name}(…)`, node);
    const close = closeNames(name, names);
    throw this.fail("EXPR_UNKNOWN_NAME", `no branch named "${name}"`, node, close.length ? `did you mean: ${close.join(", ")}?` : undefined);
  }

  private leaf(name: string, col: Column | undefined, isBool: boolean, node: Node): Value {
    if (col === undefined) throw this.fail("EXPR_INPUT", `column "${name}" was not read`, node);
    if (isJagged(col)) {
      const content = col.content as Column;
      if (isJagged(content) || Array.isArray(content)) throw this.fail("EXPR_TYPE", `branch "${name}" is ${isJagged(content) ? "doubly nested" : "a collection of strings"}; expressions take numbers and one level of collections`, node);
      return { shape: "jagged", kind: kindOf(content, isBool), offsets: col.offsets, data: asNumbers(content), valid: null };
    }
    if (Array.isArray(col)) throw this.fail("EXPR_TYPE", `branch "${name}" holds strings; expressions take numbers`, node);
    return { shape: "flat", kind: kindOf(col, isBool), data: asNumbers(col), valid: null };
  }

  private buildCall(node: Extract<Node, { type: "call" }>, sub: (n: Node) => Eval): Eval {
    const fn = node.fn,
      args = node.args.map(sub),
      nargs = node.args.length;
    const arity = (...ok: number[]) => {
      if (!ok.includes(nargs)) throw this.fail("EXPR_ARITY", `${fn} takes ${ok.join(" or ")} argument${ok.length === 1 && ok[0] === 1 ? "" : "s"}, not ${nargs}`, node);
    };
    if (fn in CONSTANTS) {
      arity(0);
      const v: ScalarValue = { shape: "scalar", kind: "f64", value: CONSTANTS[fn]! };
      return () => v;
    }
    if (fn in UNARY_FUNCS) {
      arity(1);
      const code = UNARY_FUNCS[fn]!;
      return (ctx) => this.mathOp(code, args[0]!(ctx), node);
    }
    if ((fn === "min" || fn === "max") && nargs === 1) return (ctx) => this.reduction(fn, false, args[0]!(ctx), node);
    if (fn in BINARY_FUNCS || fn === "min" || fn === "max") {
      arity(2);
      const op = BINARY_FUNCS[fn] ?? (fn as "min" | "max");
      return (ctx) => this.binary(op, args[0]!(ctx), args[1]!(ctx), node, ctx);
    }
    if (fn in REDUCTIONS) {
      arity(1);
      const r = REDUCTIONS[fn]!;
      return (ctx) => this.reduction(r.op, r.root, args[0]!(ctx), node);
    }
    if (fn === "MaxIf$" || fn === "MinIf$") {
      arity(2);
      // TTreeFormula: the max/min over elements passing the condition, 0 when none does
      return (ctx) => this.reduction(fn === "MaxIf$" ? "max" : "min", true, this.index(args[0]!(ctx), args[1]!(ctx), node, ctx, true), node);
    }
    if (fn === "where") {
      arity(3);
      return (ctx) => this.where(args[0]!(ctx), args[1]!(ctx), args[2]!(ctx), node, ctx);
    }
    if (fn === "Alt$") {
      arity(2);
      return (ctx) => this.alt(args[0]!(ctx), args[1]!(ctx), node, ctx);
    }
    const close = closeNames(fn, KNOWN_FUNCS, 4);
    throw this.fail("EXPR_UNKNOWN_FUNCTION", `unknown function "${fn}"`, node, close.length ? `did you mean: ${close.join(", ")}?` : undefined);
  }

  /** Bring two values to one shape: jagged wins, and two jagged values must be the same collection. */
  private align(a: Value, b: Value, node: Node, ctx: Ctx): { a: Value; b: Value; offsets: Int32Array | null } {
    if (a.shape === "jagged" && b.shape === "jagged") {
      if (a.offsets !== b.offsets && !sameOffsets(a.offsets, b.offsets)) {
        throw this.fail("EXPR_SHAPE", "the two sides are collections of different sizes (e.g. Jet_* with Muon_*); reduce one of them first (sum, max, [0], …)", node);
      }
      return { a, b, offsets: a.offsets };
    }
    if (a.shape === "jagged") return { a, b: b.shape === "flat" ? spreadFlat(b, a.offsets) : b, offsets: a.offsets };
    if (b.shape === "jagged") return { a: a.shape === "flat" ? spreadFlat(a, b.offsets) : a, b, offsets: b.offsets };
    void ctx;
    return { a, b, offsets: null };
  }

  private binary(op: BinaryOp | "pow" | "atan2" | "hypot" | "fmod" | "min" | "max", a0: Value, b0: Value, node: Node, ctx: Ctx): Value {
    const { a, b, offsets } = this.align(a0, b0, node, ctx);
    const compare = op === "<" || op === "<=" || op === ">" || op === ">=" || op === "==" || op === "!=";
    const logical = op === "&&" || op === "||";
    const bitwise = op === "&" || op === "|";
    let kind: Kind;
    let code: number;
    if (compare || logical) kind = "bool";
    else if (bitwise) {
      if (isFloatKind(a.kind) || isFloatKind(b.kind)) throw this.fail("EXPR_TYPE", `"${op}" takes booleans or integers; for a logical and/or of comparisons write && / || (or put parentheses around each comparison)`, node);
      kind = a.kind === "bool" && b.kind === "bool" ? "bool" : "int";
    } else {
      kind = promote(a, b);
      if (kind === "int" && (op === "/" || op === "**" || op === "pow" || op === "atan2" || op === "hypot")) kind = "f64";
    }
    switch (op) {
      case "+":
        code = OP.add;
        break;
      case "-":
        code = OP.sub;
        break;
      case "*":
        code = OP.mul;
        break;
      case "/":
        code = OP.div;
        break;
      case "%":
      case "fmod":
        code = OP.mod;
        break;
      case "**":
      case "pow":
        code = OP.pow;
        break;
      case "<":
        code = OP.lt;
        break;
      case "<=":
        code = OP.le;
        break;
      case ">":
        code = OP.gt;
        break;
      case ">=":
        code = OP.ge;
        break;
      case "==":
        code = OP.eq;
        break;
      case "!=":
        code = OP.ne;
        break;
      case "&&":
        code = OP.and;
        break;
      case "||":
        code = OP.or;
        break;
      case "&":
        code = kind === "bool" ? OP.and : OP.bitand;
        break;
      case "|":
        code = kind === "bool" ? OP.or : OP.bitor;
        break;
      case "min":
        code = OP.min;
        break;
      case "max":
        code = OP.max;
        break;
      case "atan2":
        code = OP.atan2;
        break;
      case "hypot":
        code = OP.hypot;
        break;
    }
    // the precision a comparison happens in: float32 data against a written number compares in float32
    const f32 = compare ? (a.kind === "f32" && (b.kind === "f32" || b.shape === "scalar")) || (b.kind === "f32" && a.shape === "scalar") : kind === "f32";
    const round = (s: number) => (f32 ? Math.fround(s) : s);
    if (a.shape === "scalar" && b.shape === "scalar") {
      const tmpA = new Float64Array([round(a.value)]),
        out = allocKind(kind === "int" && bitwise ? "f64" : kind, 1);
      binaryAS(tmpA, round(b.value), out, code);
      return { shape: "scalar", kind, value: kind === "int" && bitwise ? out[0]! | 0 : out[0]! };
    }
    const n = a.shape === "scalar" ? (b as FlatValue | JaggedValue).data.length : (a as FlatValue | JaggedValue).data.length;
    let out: NumberArray = bitwise && kind === "int" ? new Int32Array(n) : allocKind(kind, n);
    const fast = out instanceof Float32Array && (a.shape === "scalar" || a.data instanceof Float32Array) && (b.shape === "scalar" || b.data instanceof Float32Array) ? SIMD_ARITH[code] : undefined;
    const k = fast === undefined ? null : simd();
    if (k) k.arith(fast!, a.shape === "scalar" ? round(a.value) : (a.data as Float32Array), b.shape === "scalar" ? round(b.value) : (b.data as Float32Array), out as Float32Array);
    else if (b.shape === "scalar") binaryAS((a as FlatValue).data, round(b.value), out, code);
    else if (a.shape === "scalar") binaryAS(b.data, round(a.value), out, swapped(code));
    else binaryAA(a.data, b.data, out, code);
    out = finish(kind, out);
    const valid = andValid(a.shape === "scalar" ? null : a.valid, b.shape === "scalar" ? null : b.valid);
    return offsets ? { shape: "jagged", kind, offsets, data: out, valid } : { shape: "flat", kind, data: out, valid };
  }

  private unaryOp(op: "-" | "+" | "!" | "~", a: Value, node: Node): Value {
    if (op === "+") return a;
    if (op === "!") return this.map(a, "bool", FN.not);
    if (op === "~") {
      if (a.kind === "bool") return this.map(a, "bool", FN.not);
      if (a.kind !== "int") throw this.fail("EXPR_TYPE", `"~" takes booleans or integers`, node);
      return this.map(a, "int", FN.bitnot, true);
    }
    return this.map(a, a.kind === "bool" ? "int" : a.kind, FN.neg);
  }

  private mathOp(code: number, a: Value, node: Node): Value {
    void node;
    const integral = a.kind === "int" || a.kind === "bool";
    // abs, sign and rounding keep integers integers; everything else makes float64 of them
    if (integral && (code === FN.abs || code === FN.sign || code === FN.sq)) return this.map(a, "int", code);
    if (integral && (code === FN.floor || code === FN.ceil || code === FN.round || code === FN.trunc)) return a.kind === "bool" ? this.map(a, "int", FN.copy) : a;
    return this.map(a, a.kind === "f32" ? "f32" : "f64", code);
  }

  private map(a: Value, kind: Kind, code: number, int32 = false): Value {
    if (a.shape === "scalar") {
      const out = allocKind(kind === "int" ? "f64" : kind, 1);
      unary(new Float64Array([a.value]), out, code);
      return { shape: "scalar", kind, value: int32 ? out[0]! | 0 : out[0]! };
    }
    let out: NumberArray = int32 ? new Int32Array(a.data.length) : allocKind(kind, a.data.length);
    const f32 = a.data instanceof Float32Array && out instanceof Float32Array;
    const fast = f32 ? SIMD_OF[code] : undefined,
      fast1 = f32 ? SIMD_ARITH1[code] : undefined;
    const k = fast === undefined && fast1 === undefined ? null : simd();
    if (k && fast !== undefined) k.map(fast, a.data as Float32Array, out as Float32Array);
    else if (k) k.arith1(fast1!, a.data as Float32Array, out as Float32Array);
    else if (fast !== undefined) mapF32(fast, a.data as Float32Array, out as Float32Array);
    else unary(a.data, out, code);
    out = finish(kind, out);
    return { ...a, kind, data: out };
  }

  private reduction(op: "sum" | "count" | "len" | "any" | "all" | "max" | "min" | "mean", root: boolean, a: Value, node: Node): Value {
    void node;
    const boolLike = a.kind === "bool";
    if (a.shape !== "jagged") {
      // one value per event already: a reduction over one element
      if (op === "len") return a.shape === "scalar" ? { shape: "scalar", kind: "int", value: 1 } : { shape: "flat", kind: "int", data: new Int32Array(a.data.length).fill(1), valid: a.valid };
      if (op === "count" || op === "any" || op === "all") return boolLike || op !== "count" ? this.map(a, op === "count" ? "int" : "bool", FN.truthy) : this.reduction("len", root, a, node);
      if (op === "sum" && boolLike) return this.map(a, "int", FN.copy);
      return a;
    }
    const n = a.offsets.length - 1;
    if (op === "len") return { shape: "flat", kind: "int", data: lengths(a.offsets), valid: a.valid };
    let kind: Kind, code: number;
    switch (op) {
      case "sum":
        kind = boolLike ? "int" : a.kind === "int" ? "int" : "f64";
        code = boolLike ? RED.count : RED.sum;
        break;
      case "count":
        kind = "int";
        code = boolLike ? RED.count : -1;
        break;
      case "any":
        kind = "bool";
        code = RED.any;
        break;
      case "all":
        kind = "bool";
        code = RED.all;
        break;
      case "max":
        kind = a.kind === "bool" ? "int" : a.kind;
        code = RED.max;
        break;
      case "min":
        kind = a.kind === "bool" ? "int" : a.kind;
        code = RED.min;
        break;
      case "mean":
        kind = "f64";
        code = RED.mean;
        break;
    }
    if (code === -1) return { shape: "flat", kind: "int", data: lengths(a.offsets), valid: a.valid };
    let out: NumberArray = allocKind(kind === "int" ? "f64" : kind, n);
    const emptyMarks = new Uint8Array(n).fill(1);
    reduce(a.data, a.offsets, out, emptyMarks, code, 0);
    out = finish(kind, out);
    // hepflow's max/min/mean of nothing has no value (the event drops out); ROOT's Max$/Min$ give 0
    let valid = a.valid;
    if ((op === "max" || op === "min" || op === "mean") && !root) valid = andValid(valid, emptyMarks);
    return { shape: "flat", kind, data: out, valid };
  }

  /** x[i] (element i per event), x[mask] (elements or events passing), with ROOT's "no element, no value". */
  private index(t: Value, i: Value, node: Node, ctx: Ctx, maskOnly = false): Value {
    void ctx;
    if (t.shape === "scalar") throw this.fail("EXPR_TYPE", "only branches and collections can be indexed", node);
    if (i.kind === "bool") {
      if (t.shape === "jagged" && i.shape === "jagged") {
        if (t.offsets !== i.offsets && !sameOffsets(t.offsets, i.offsets)) throw this.fail("EXPR_SHAPE", "the mask is a different collection from the values it selects", node);
        const newOffsets = new Int32Array(t.offsets.length);
        const buf = new (t.data.constructor as new (n: number) => NumberArray)(t.data.length);
        const k = compact(t.data, i.data, t.offsets, buf, newOffsets);
        return { shape: "jagged", kind: t.kind, offsets: newOffsets, data: buf.slice(0, k), valid: andValid(t.valid, i.valid) };
      }
      if (i.shape === "jagged") throw this.fail("EXPR_SHAPE", "a per-element mask cannot select from a per-event branch", node);
      // an event-level condition: events failing it have no value
      const pass = i.shape === "scalar" ? (i.value ? null : new Uint8Array(t.shape === "flat" ? t.data.length : t.offsets.length - 1)) : toMask(i);
      return { ...t, valid: andValid(t.valid, pass) };
    }
    if (maskOnly) throw this.fail("EXPR_TYPE", "the condition must be a comparison or another boolean", node);
    if (t.shape !== "jagged") throw this.fail("EXPR_TYPE", "this is one value per event; only collections (e.g. Jet_pt) can be indexed by position", node);
    if (i.shape === "jagged") throw this.fail("EXPR_TYPE", "indexing by a collection of positions is not supported; use a mask (Jet_pt[Jet_eta > 0]) or one position per event", node);
    if (isFloatKind(i.kind) && !(i.shape === "scalar" && Number.isInteger(i.value))) throw this.fail("EXPR_TYPE", "an index must be an integer", node);
    const n = t.offsets.length - 1;
    const out = allocKind(t.kind === "int" ? "f64" : t.kind, n);
    const valid = new Uint8Array(n).fill(1);
    element(t.data, t.offsets, out, valid, i.shape === "scalar" ? null : i.data, i.shape === "scalar" ? i.value : 0);
    return { shape: "flat", kind: t.kind, data: finish(t.kind, out), valid: andValid(andValid(t.valid, i.shape === "scalar" ? null : i.valid), valid) };
  }

  private where(c0: Value, a0: Value, b0: Value, node: Node, ctx: Ctx): Value {
    const kind: Kind = a0.kind === "bool" && b0.kind === "bool" ? "bool" : promote(a0, b0);
    const first = this.align(c0, a0, node, ctx);
    const second = this.align(first.a, b0, node, ctx);
    const third = this.align(second.a, first.b, node, ctx);
    const c = third.a,
      a = third.b,
      b = second.b;
    const offsets = third.offsets ?? second.offsets;
    if (c.shape === "scalar" && a.shape === "scalar" && b.shape === "scalar") return { shape: "scalar", kind, value: c.value ? a.value : b.value };
    const n = (c.shape !== "scalar" ? c : a.shape !== "scalar" ? a : (b as FlatValue | JaggedValue)).data.length;
    const f32 = kind === "f32";
    const arr = (v: Value): NumberArray => (v.shape === "scalar" ? allocKind(kind === "int" ? "f64" : kind, n).fill(f32 ? Math.fround(v.value) : v.value) : v.data);
    let out: NumberArray = allocKind(kind === "int" ? "f64" : kind, n);
    select3(arr(c), arr(a), arr(b), out);
    out = finish(kind, out);
    const valid = andValid(andValid(c.shape === "scalar" ? null : c.valid, a.shape === "scalar" ? null : a.valid), b.shape === "scalar" ? null : b.valid);
    return offsets ? { shape: "jagged", kind, offsets, data: out, valid } : { shape: "flat", kind, data: out, valid };
  }

  /** Alt$(x, fallback): x where it has a value, else the fallback (TTreeFormula's guard against short arrays). */
  private alt(x: Value, fallback: Value, node: Node, ctx: Ctx): Value {
    if (x.shape === "scalar" || x.valid === null) return x;
    const nEvents = x.valid.length;
    const has: FlatValue = { shape: "flat", kind: "bool", data: x.valid, valid: null };
    const clean: Value = { ...x, valid: null };
    const r = this.where(has, clean, fallback, node, ctx);
    if (r.shape === "scalar") return r;
    // events keep a value where x had one, or where the fallback has one
    const fv = fallback.shape === "scalar" ? null : fallback.valid;
    if (fv === null) return { ...r, valid: null };
    const valid = new Uint8Array(nEvents);
    for (let e = 0; e < nEvents; e++) valid[e] = x.valid[e]! | fv[e]!;
    return { ...r, valid };
  }
}

function swapped(code: number): number {
  switch (code) {
    case OP.sub:
      return OP.rsub;
    case OP.div:
      return OP.rdiv;
    case OP.mod:
      return OP.rmod;
    case OP.pow:
      return OP.rpow;
    case OP.atan2:
      return OP.ratan2;
    case OP.lt:
      return OP.gt;
    case OP.le:
      return OP.ge;
    case OP.gt:
      return OP.lt;
    case OP.ge:
      return OP.le;
    default:
      return code; // commutative
  }
}

function sameOffsets(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function spreadFlat(v: FlatValue, offsets: Int32Array): JaggedValue {
  const out = new (v.data.constructor as new (n: number) => NumberArray)(offsets[offsets.length - 1]!);
  spread(v.data, offsets, out);
  return { shape: "jagged", kind: v.kind, offsets, data: out, valid: v.valid };
}

function toMask(v: FlatValue): Uint8Array {
  const m = new Uint8Array(v.data.length);
  unary(v.data, m, FN.truthy);
  return v.valid ? andValid(m, v.valid)! : m;
}

/** 64-bit integers become float64 (exact below 2^53, e.g. event numbers). */
function asNumbers(c: Exclude<Column, string[]>): NumberArray {
  if (c instanceof BigInt64Array || c instanceof BigUint64Array) {
    const out = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = Number(c[i]!);
    return out;
  }
  return c as NumberArray;
}

function kindOf(a: Exclude<Column, string[] | { offsets: Int32Array }>, isBool: boolean): Kind {
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Float64Array) return "f64";
  if (isBool && a instanceof Uint8Array) return "bool";
  return "int";
}

/** Compile an expression against the branches a tree offers (names, or {name, typeName}). */
export function compile(source: string, branches: readonly (string | BranchDesc)[]): Expression {
  return new Expression(source, branches);
}
