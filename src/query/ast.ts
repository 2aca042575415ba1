/**
 * The query syntax tree: func_adl's operator tree, node for node the forms qastle writes
 * (`(attr x 'pt')`, `(call f a)`, `(lambda (list e) …)`, `(Select src f)`, …). Every node may
 * keep the character span of the text it came from (a TS lambda, a Python query or qastle), so
 * schema and type errors found later can point into what the user wrote.
 */

/** The LINQ operators qastle spells as nodes of their own. */
export const LINQ_OPS = ["Where", "Select", "SelectMany", "First", "Last", "ElementAt", "Contains", "Aggregate", "Count", "Max", "Min", "Sum", "All", "Any", "Concat", "Zip", "OrderBy", "OrderByDescending", "Choose", "Take"] as const;
export type LinqOp = (typeof LINQ_OPS)[number];
const LINQ_SET = new Set<string>(LINQ_OPS);
/** True when `name` is a LINQ operator qastle writes as `(Name source args…)`. */
export function isLinqOp(name: string): name is LinqOp {
  return LINQ_SET.has(name);
}

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "**" | "//" | "&" | "|" | "^" | "<<" | ">>";
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type UnaryOp = "+" | "-" | "not" | "~";

/** Where a node came from in its source text (character offsets). */
export interface Span {
  pos: number;
  end: number /** The text the offsets count in, when it is not the query's own text (a TS lambda's source). */;
  src?: string;
}

export type QNode = (
  | { type: "name"; id: string }
  | { type: "number"; value: number; float: boolean }
  | { type: "string"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "none" }
  | { type: "list"; items: QNode[] }
  | { type: "dict"; keys: QNode[]; values: QNode[] }
  | { type: "attr"; target: QNode; name: string }
  | { type: "subscript"; target: QNode; index: QNode }
  | { type: "call"; fn: QNode; args: QNode[] }
  | { type: "if"; test: QNode; then: QNode; else: QNode }
  | { type: "unary"; op: UnaryOp; arg: QNode }
  | { type: "binary"; op: BinaryOp; left: QNode; right: QNode }
  | { type: "boolop"; op: "and" | "or"; left: QNode; right: QNode }
  | { type: "compare"; op: CompareOp; left: QNode; right: QNode }
  | { type: "lambda"; params: string[]; body: QNode }
  | { type: "linq"; op: LinqOp; source: QNode; args: QNode[] }
) & { span?: Span };

/** The tree without spans: what two queries must share to mean the same thing. */
export function stripSpans(n: QNode): QNode {
  return JSON.parse(JSON.stringify(n, (k, v) => (k === "span" ? undefined : v))) as QNode;
}

/**
 * Rewrites method calls of LINQ operators (`x.Where(f)`, `Where(x, f)`) into LINQ nodes, as
 * qastle's `insert_linq_nodes` does, so every front end yields the same tree.
 */
export function insertLinqNodes(n: QNode): QNode {
  const r = mapChildren(n, insertLinqNodes);
  if (r.type === "call") {
    if (r.fn.type === "attr" && isLinqOp(r.fn.name)) {
      return { type: "linq", op: r.fn.name, source: r.fn.target, args: r.args, span: r.span };
    }
    const [source, ...args] = r.args;
    if (r.fn.type === "name" && isLinqOp(r.fn.id) && source !== undefined) {
      return { type: "linq", op: r.fn.id, source, args, span: r.span };
    }
  }
  return r;
}

/** A copy of `n` with `f` applied to each direct child. */
export function mapChildren(n: QNode, f: (c: QNode) => QNode): QNode {
  switch (n.type) {
    case "list":
      return { ...n, items: n.items.map(f) };
    case "dict":
      return { ...n, keys: n.keys.map(f), values: n.values.map(f) };
    case "attr":
      return { ...n, target: f(n.target) };
    case "subscript":
      return { ...n, target: f(n.target), index: f(n.index) };
    case "call":
      return { ...n, fn: f(n.fn), args: n.args.map(f) };
    case "if":
      return { ...n, test: f(n.test), then: f(n.then), else: f(n.else) };
    case "unary":
      return { ...n, arg: f(n.arg) };
    case "binary":
    case "boolop":
    case "compare":
      return { ...n, left: f(n.left), right: f(n.right) };
    case "lambda":
      return { ...n, body: f(n.body) };
    case "linq":
      return { ...n, source: f(n.source), args: n.args.map(f) };
    default:
      return n;
  }
}
