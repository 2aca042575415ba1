/**
 * func_adl queries in Python syntax (how ServiceX YAML specs and func_adl users write them):
 * a small recursive-descent parser for the expression subset func_adl uses — lambdas, attribute
 * access, calls, subscripts, literals, dicts/lists/tuples, arithmetic, comparisons (chained ones
 * become `and`), `and`/`or`/`not`, `in`, conditional expressions — into the query tree, then
 * LINQ calls become LINQ nodes. The text is only parsed, never run.
 */
import { insertLinqNodes, mapChildren, type QNode, type Span, type BinaryOp, type CompareOp } from "./ast.js";
import { queryError } from "./errors.js";

interface Tok {
  kind: "name" | "number" | "string" | "op" | "end";
  text: string;
  value?: string;
  pos: number;
  end: number;
}

const OPS = ["**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", "."];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (m: string, p: number): never => {
    throw queryError("QUERY_SYNTAX", m, src, { pos: p, end: p + 1 });
  };
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "\\" && (src[i + 1] === "\n" || (src[i + 1] === "\r" && src[i + 2] === "\n"))) {
      i += src[i + 1] === "\n" ? 2 : 3;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const str = /^([rRbBuU]?)('''|"""|'|")/.exec(src.slice(i, i + 4));
    const [prefix, q] = [str?.[1], str?.[2]];
    if (prefix !== undefined && q !== undefined && (prefix === "" || /[A-Za-z]/.test(prefix))) {
      const raw = /[rR]/.test(prefix);
      i += prefix.length + q.length;
      let v = "";
      for (;;) {
        if (i >= src.length) fail("unterminated string", start);
        if (src.startsWith(q, i)) {
          i += q.length;
          break;
        }
        if (q.length === 1 && src[i] === "\n") fail("line break inside a string", i);
        if (src[i] === "\\" && !raw) {
          const e = src.charAt(i + 1);
          v += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e === "\n" ? "" : e === "0" ? "\0" : e;
          i += 2;
        } else v += src[i++];
      }
      out.push({ kind: "string", text: src.slice(start, i), value: v, pos: start, end: i });
      continue;
    }
    const num = /^(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      out.push({ kind: "number", text: num[0], pos: start, end: i });
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      i += name[0].length;
      out.push({ kind: "name", text: name[0], pos: start, end: i });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected character ${JSON.stringify(c)}`, i);
    i += op!.length;
    out.push({ kind: "op", text: op!, pos: start, end: i });
  }
  out.push({ kind: "end", text: "", pos: src.length, end: src.length });
  return out;
}

const KEYWORDS = new Set(["lambda", "if", "else", "and", "or", "not", "in", "is", "for"]);

/** Parses one func_adl query (a Python expression) into the query tree. */
export function parsePython(src: string): QNode {
  if (!src.trim()) throw queryError("QUERY_EMPTY", "the query is empty", undefined, undefined);
  const toks = tokenize(src);
  let k = 0;
  // tokenize ends every list with an "end" token: past it, everything reads as the end
  const end = toks.at(-1);
  if (end === undefined) throw queryError("QUERY_EMPTY", "the query is empty", undefined, undefined);
  const peek = (): Tok => toks[k] ?? end;
  const next = (): Tok => toks[k++] ?? end;
  const isOp = (t: string): boolean => peek().kind === "op" && peek().text === t;
  const isKw = (t: string): boolean => peek().kind === "name" && peek().text === t;
  const fail = (m: string, t: Tok = peek()): never => {
    throw queryError("QUERY_SYNTAX", m, src, { pos: t.pos, end: Math.max(t.end, t.pos + 1) });
  };
  const expect = (t: string): Tok => (isOp(t) ? next() : fail(`expected "${t}"`));
  const sp = (a: Span | undefined, b: Span | undefined): Span => ({ pos: a?.pos ?? 0, end: b?.end ?? a?.end ?? 0 });

  const test = (): QNode => {
    if (isKw("lambda")) {
      const start = next();
      const params: string[] = [];
      while (!isOp(":")) {
        const t = next();
        if (t.kind !== "name" || KEYWORDS.has(t.text)) fail("expected a parameter name", t);
        params.push(t.text);
        if (!isOp(":")) expect(",");
      }
      next();
      const body = test();
      return { type: "lambda", params, body, span: sp(start, body.span) };
    }
    const a = orTest();
    if (isKw("if")) {
      next();
      const c = orTest();
      if (!isKw("else")) fail('expected "else" in the conditional expression');
      next();
      const b = test();
      return { type: "if", test: c, then: a, else: b, span: sp(a.span, b.span) };
    }
    return a;
  };
  const orTest = (): QNode => {
    let l = andTest();
    while (isKw("or")) {
      next();
      const r = andTest();
      l = { type: "boolop", op: "or", left: l, right: r, span: sp(l.span, r.span) };
    }
    return l;
  };
  const andTest = (): QNode => {
    let l = notTest();
    while (isKw("and")) {
      next();
      const r = notTest();
      l = { type: "boolop", op: "and", left: l, right: r, span: sp(l.span, r.span) };
    }
    return l;
  };
  const notTest = (): QNode => {
    if (isKw("not")) {
      const t = next();
      const a = notTest();
      return { type: "unary", op: "not", arg: a, span: sp(t, a.span) };
    }
    return comparison();
  };
  const compOp = (): CompareOp | "in" | "not in" | null => {
    const t = peek();
    if (t.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.text)) {
      next();
      return t.text as CompareOp;
    }
    if (isKw("in")) {
      next();
      return "in";
    }
    if (isKw("not") && toks[k + 1]?.text === "in") {
      k += 2;
      return "not in";
    }
    return null;
  };
  const comparison = (): QNode => {
    const first = bitOr();
    const parts: QNode[] = [];
    let left = first;
    for (let op = compOp(); op; op = compOp()) {
      const right = bitOr();
      parts.push(membership(op, left, right));
      left = right;
    }
    if (!parts.length) return first;
    return parts.reduce((a, b) => ({ type: "boolop", op: "and", left: a, right: b, span: sp(a.span, b.span) }));
  };
  /** `x in [a, b]` is func_adl's sugar for `x == a or x == b`; `x in seq` is `seq.Contains(x)`. */
  const membership = (op: CompareOp | "in" | "not in", l: QNode, r: QNode): QNode => {
    const span = sp(l.span, r.span);
    if (op !== "in" && op !== "not in") return { type: "compare", op, left: l, right: r, span };
    let n: QNode;
    if (r.type === "list" && r.items.length) {
      n = r.items.map((it): QNode => ({ type: "compare", op: "==", left: l, right: it, span })).reduce((a, b) => ({ type: "boolop", op: "or", left: a, right: b, span }));
    } else n = { type: "call", fn: { type: "attr", target: r, name: "Contains", span: r.span }, args: [l], span };
    return op === "in" ? n : { type: "unary", op: "not", arg: n, span };
  };
  const binLevel = (ops: string[], sub: () => QNode) => (): QNode => {
    let l = sub();
    while (peek().kind === "op" && ops.includes(peek().text)) {
      const op = next().text as BinaryOp;
      const r = sub();
      l = { type: "binary", op, left: l, right: r, span: sp(l.span, r.span) };
    }
    return l;
  };
  const factor = (): QNode => {
    const t = peek();
    if (t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "~")) {
      next();
      const a = factor();
      // qastle writes a signed literal as one number, as Python's own constant folding would
      if (a.type === "number" && t.text !== "~") return { ...a, value: t.text === "-" ? -a.value : a.value, span: sp(t, a.span) };
      return { type: "unary", op: t.text as "-" | "+" | "~", arg: a, span: sp(t, a.span) };
    }
    return power();
  };
  const power = (): QNode => {
    const b = primary();
    if (isOp("**")) {
      next();
      const e = factor();
      return { type: "binary", op: "**", left: b, right: e, span: sp(b.span, e.span) };
    }
    return b;
  };
  const term = binLevel(["*", "/", "//", "%"], factor);
  const arith = binLevel(["+", "-"], term);
  const shift = binLevel(["<<", ">>"], arith);
  const bitAnd = binLevel(["&"], shift);
  const bitXor = binLevel(["^"], bitAnd);
  const bitOr = binLevel(["|"], bitXor);
  const seq = (close: string): QNode[] => {
    const items: QNode[] = [];
    while (!isOp(close)) {
      items.push(test());
      if (isKw("for")) fail("comprehensions are not supported; write .Select/.Where lambdas");
      if (!isOp(close)) expect(",");
    }
    return items;
  };
  const primary = (): QNode => {
    let n = atom();
    for (;;) {
      if (isOp(".")) {
        next();
        const t = next();
        if (t.kind !== "name") fail("expected an attribute name after '.'", t);
        n = { type: "attr", target: n, name: t.text, span: sp(n.span, t) };
      } else if (isOp("(")) {
        next();
        const args: QNode[] = [];
        while (!isOp(")")) {
          if (peek().kind === "name" && toks[k + 1]?.text === "=") fail("keyword arguments are not part of func_adl");
          args.push(test());
          if (!isOp(")")) expect(",");
        }
        const close = next();
        n = { type: "call", fn: n, args, span: sp(n.span, close) };
      } else if (isOp("[")) {
        next();
        const idx = test();
        const close = expect("]");
        n = { type: "subscript", target: n, index: idx, span: sp(n.span, close) };
      } else return n;
    }
  };
  const atom = (): QNode => {
    const t = next();
    const span = { pos: t.pos, end: t.end };
    if (t.kind === "number") {
      const text = t.text.replace(/_/g, "");
      return { type: "number", value: Number(text), float: /[.eE]/.test(text), span };
    }
    if (t.kind === "string") {
      let v = t.value!,
        end = t.end;
      while (peek().kind === "string") {
        const s = next();
        v += s.value!;
        end = s.end;
      }
      return { type: "string", value: v, span: { pos: t.pos, end } };
    }
    if (t.kind === "name") {
      if (t.text === "True" || t.text === "False") return { type: "bool", value: t.text === "True", span };
      if (t.text === "None") return { type: "none", span };
      if (KEYWORDS.has(t.text)) fail(`unexpected "${t.text}"`, t);
      return { type: "name", id: t.text, span };
    }
    if (t.kind === "op" && t.text === "(") {
      if (isOp(")")) {
        const c = next();
        return { type: "list", items: [], span: sp(t, c) };
      }
      const first = test();
      if (isOp(")")) {
        next();
        return first;
      }
      if (isKw("for")) fail("generator expressions are not supported; write .Select/.Where lambdas");
      const items = [first];
      while (isOp(",")) {
        next();
        if (isOp(")")) break;
        items.push(test());
      }
      const c = expect(")");
      return { type: "list", items, span: sp(t, c) };
    }
    if (t.kind === "op" && t.text === "[") {
      const items = seq("]");
      const c = next();
      return { type: "list", items, span: sp(t, c) };
    }
    if (t.kind === "op" && t.text === "{") {
      const keys: QNode[] = [],
        values: QNode[] = [];
      while (!isOp("}")) {
        keys.push(test());
        expect(":");
        values.push(test());
        if (isKw("for")) fail("comprehensions are not supported; write .Select/.Where lambdas");
        if (!isOp("}")) expect(",");
      }
      const c = next();
      return { type: "dict", keys, values, span: sp(t, c) };
    }
    return fail(t.kind === "end" ? "unexpected end of the query" : `unexpected "${t.text}"`, t);
  };
  let tree = test();
  if (isOp(",")) {
    // a bare tuple, `a, b`, as Python allows at the top level
    const items = [tree];
    while (isOp(",")) {
      next();
      if (peek().kind === "end") break;
      items.push(test());
    }
    tree = { type: "list", items, span: sp(tree.span, (items.at(-1) ?? tree).span) };
  }
  if (peek().kind !== "end") fail(`unexpected "${peek().text}" after the end of the query`);
  return insertLinqNodes(stringLambdas(tree));
}

/** Old-style func_adl passes lambdas as strings (`.Where('lambda e: …')`); they are parsed too, as qastle does. */
function stringLambdas(n: QNode): QNode {
  const r = mapChildren(n, stringLambdas);
  if (r.type === "call" && r.fn.type === "attr") {
    return { ...r, args: r.args.map((a) => (a.type === "string" && /^\s*lambda\b/.test(a.value) ? parsePython(a.value) : a)) };
  }
  return r;
}
