/**
 * qastle, the s-expression text func_adl clients send to ServiceX: `toQastle` writes a query
 * tree, `parseQastle` reads one back (both spellings of LINQ nodes: `(Select src f)` and
 * `(call Select src f)`). Literals are written as Python's `repr` writes them, so text from
 * Python clients and text from hepflow agree character for character.
 */
import { isLinqOp, type QNode, type Span, type BinaryOp, type CompareOp } from "./ast.js";
import { queryError } from "./errors.js";

const BINARY = new Set<string>(["+", "-", "*", "/", "%", "**", "//", "&", "|", "^", "<<", ">>"]);
const COMPARE = new Set<string>(["==", "!=", "<", "<=", ">", ">="]);

/** Python's `repr` of a float (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    const fixed = String(x).includes("e") ? x.toFixed(Math.max(0, -exp + mant.replace(/[-.]/g, "").length - 1)) : String(x);
    return /[.]/.test(fixed) ? fixed : fixed + ".0";
  }
  return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** Python's `repr` of a string: single quotes unless the text holds a single quote and no double quote. */
export function pyString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return out + q;
}

/** The qastle text of a query tree. */
export function toQastle(n: QNode): string {
  const q = toQastle;
  switch (n.type) {
    case "name":
      return n.id;
    case "number":
      return n.float ? pyFloat(n.value) : String(n.value);
    case "string":
      return pyString(n.value);
    case "bool":
      return n.value ? "True" : "False";
    case "none":
      return "None";
    case "list":
      return n.items.length ? `(list ${n.items.map(q).join(" ")})` : "(list)";
    case "dict":
      return `(dict ${q({ type: "list", items: n.keys })} ${q({ type: "list", items: n.values })})`;
    case "attr":
      return `(attr ${q(n.target)} ${pyString(n.name)})`;
    case "subscript":
      return `(subscript ${q(n.target)} ${q(n.index)})`;
    case "call":
      return `(call ${[n.fn, ...n.args].map(q).join(" ")})`;
    case "if":
      return `(if ${q(n.test)} ${q(n.then)} ${q(n.else)})`;
    case "unary":
      return `(${n.op} ${q(n.arg)})`;
    case "binary":
    case "boolop":
    case "compare":
      return `(${n.op} ${q(n.left)} ${q(n.right)})`;
    case "lambda":
      return `(lambda ${q({ type: "list", items: n.params.map((id) => ({ type: "name", id })) })} ${q(n.body)})`;
    case "linq":
      return `(${n.op} ${[n.source, ...n.args].map(q).join(" ")})`;
  }
}

type SExpr = { atom: string; quoted: boolean; span: Span } | { list: SExpr[]; span: Span };

/** Reads qastle text into a query tree; errors name the character. */
export function parseQastle(text: string): QNode {
  let i = 0;
  const fail = (msg: string, pos: number, end = pos + 1): never => {
    throw queryError("QUERY_SYNTAX", msg, text, { pos, end });
  };
  const skip = (): void => {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
  };
  const read = (): SExpr => {
    skip();
    if (i >= text.length) fail("unexpected end of qastle text", text.length);
    const start = i;
    const c = text.charAt(i);
    if (c === "(") {
      i++;
      const list: SExpr[] = [];
      for (;;) {
        skip();
        if (i >= text.length) fail("unclosed '('", start);
        if (text[i] === ")") {
          i++;
          break;
        }
        list.push(read());
      }
      return { list, span: { pos: start, end: i } };
    }
    if (c === ")") fail("unexpected ')'", i);
    if (c === "'" || c === '"') {
      i++;
      let s = "";
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\") {
          const e = text[i + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : (e ?? "");
          i += 2;
        } else s += text[i++];
      }
      if (i >= text.length) fail("unterminated string", start);
      i++;
      return { atom: s, quoted: true, span: { pos: start, end: i } };
    }
    while (i < text.length && !/[\s()]/.test(text.charAt(i))) i++;
    return { atom: text.slice(start, i), quoted: false, span: { pos: start, end: i } };
  };
  const atomNode = (a: { atom: string; quoted: boolean; span: Span }): QNode => {
    const span = a.span;
    if (a.quoted) return { type: "string", value: a.atom, span };
    if (a.atom === "True" || a.atom === "False") return { type: "bool", value: a.atom === "True", span };
    if (a.atom === "None") return { type: "none", span };
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(a.atom)) {
      return { type: "number", value: Number(a.atom), float: /[.eE]/.test(a.atom), span };
    }
    if (/^(inf|-inf|nan)$/.test(a.atom)) return { type: "number", value: Number(a.atom.replace("inf", "Infinity").replace("nan", "NaN")), float: true, span };
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.atom)) fail(`"${a.atom}" is not a qastle atom`, span.pos, span.end);
    return { type: "name", id: a.atom, span };
  };
  const names = (s: SExpr): string[] => {
    if (!("list" in s) || s.list[0] === undefined || !("atom" in s.list[0]) || s.list[0].atom !== "list") fail("lambda arguments must be (list name…)", s.span.pos, s.span.end);
    return (s as { list: SExpr[] }).list.slice(1).map((x) => ("atom" in x && !x.quoted ? x.atom : fail("lambda argument must be a name", x.span.pos, x.span.end)));
  };
  const conv = (s: SExpr): QNode => {
    if ("atom" in s) return atomNode(s);
    const span = s.span;
    const [head, ...rest] = s.list;
    if (head === undefined || !("atom" in head) || head.quoted) return fail("a qastle form starts with its name", span.pos, span.end);
    const h = head.atom;
    const arityError = (k: number): never => fail(`(${h} …) takes ${k} argument${k === 1 ? "" : "s"}, got ${rest.length}`, span.pos, span.end);
    const arity = (k: number): void => {
      if (rest.length !== k) arityError(k);
    };
    // the operands of a one- or two-argument form, checked
    const one = (): SExpr => {
      const [a] = rest;
      return rest.length === 1 && a !== undefined ? a : arityError(1);
    };
    const two = (): [SExpr, SExpr] => {
      const [a, b] = rest;
      return rest.length === 2 && a !== undefined && b !== undefined ? [a, b] : arityError(2);
    };
    const args = (): QNode[] => rest.map(conv);
    switch (h) {
      case "list":
        return { type: "list", items: args(), span };
      case "dict": {
        arity(2);
        const [k, v] = args() as [QNode, QNode];
        if (k.type !== "list" || v.type !== "list" || k.items.length !== v.items.length) fail("(dict (list keys…) (list values…)) needs two lists of equal length", span.pos, span.end);
        return { type: "dict", keys: (k as { items: QNode[] }).items, values: (v as { items: QNode[] }).items, span };
      }
      case "attr": {
        const [target, nameNode] = two();
        if (!("atom" in nameNode) || !nameNode.quoted) return fail("(attr obj 'name') needs a quoted name", nameNode.span.pos, nameNode.span.end);
        return { type: "attr", target: conv(target), name: nameNode.atom, span };
      }
      case "subscript":
        arity(2);
        {
          const [t, x] = args() as [QNode, QNode];
          return { type: "subscript", target: t, index: x, span };
        }
      case "call": {
        if (!rest.length) fail("(call f args…) needs a function", span.pos, span.end);
        const [fn, ...a] = args() as [QNode, ...QNode[]];
        const [source, ...more] = a;
        if (fn.type === "name" && isLinqOp(fn.id) && source !== undefined) return { type: "linq", op: fn.id, source, args: more, span };
        return { type: "call", fn, args: a, span };
      }
      case "if":
        arity(3);
        {
          const [c, t, e] = args() as [QNode, QNode, QNode];
          return { type: "if", test: c, then: t, else: e, span };
        }
      case "not":
        return { type: "unary", op: "not", arg: conv(one()), span };
      case "~":
        return { type: "unary", op: "~", arg: conv(one()), span };
      case "and":
      case "or":
        arity(2);
        {
          const [l, r] = args() as [QNode, QNode];
          return { type: "boolop", op: h, left: l, right: r, span };
        }
      case "lambda": {
        const [params, body] = two();
        return { type: "lambda", params: names(params), body: conv(body), span };
      }
    }
    const [only] = rest;
    if ((h === "-" || h === "+") && rest.length === 1 && only !== undefined) return { type: "unary", op: h, arg: conv(only), span };
    if (BINARY.has(h)) {
      arity(2);
      const [l, r] = args() as [QNode, QNode];
      return { type: "binary", op: h as BinaryOp, left: l, right: r, span };
    }
    if (COMPARE.has(h)) {
      arity(2);
      const [l, r] = args() as [QNode, QNode];
      return { type: "compare", op: h as CompareOp, left: l, right: r, span };
    }
    if (isLinqOp(h)) {
      if (!rest.length) fail(`(${h} source …) needs a source`, span.pos, span.end);
      const [src, ...a] = args() as [QNode, ...QNode[]];
      return { type: "linq", op: h, source: src, args: a, span };
    }
    return fail(`unknown qastle form "${h}"`, head.span.pos, head.span.end);
  };
  const tree = conv(read());
  skip();
  if (i < text.length) fail("text after the end of the query", i);
  return tree;
}
