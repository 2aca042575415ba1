/**
 * TypeScript/JavaScript arrow functions as query lambdas: the function's source
 * (`fn.toString()`) is parsed with acorn and its expression translated node by node into the
 * query tree. Variables a closure captures are invisible in the source, so constants travel
 * explicitly as a second parameter, `(e, { ptCut }) => e.pt > ptCut` with `{ ptCut: 25 }`, and
 * are written into the tree as literals; any other free name is an error pointing at it.
 */
import * as acorn from "acorn";
import type { QNode, Span, BinaryOp, CompareOp } from "./ast.js";
import { insertLinqNodes } from "./ast.js";
import { queryError } from "./errors.js";

/** Constants a lambda may name: numbers, booleans, strings, and arrays of those. */
export type Constant = number | boolean | string | readonly (number | boolean | string)[];
export type Constants = Readonly<Record<string, Constant>>;

/** `Math.*` names and the query function each one becomes. */
const MATH: Record<string, string> = {
  abs: "abs",
  sqrt: "sqrt",
  exp: "exp",
  log: "log",
  log10: "log10",
  log2: "log2",
  sin: "sin",
  cos: "cos",
  tan: "tan",
  asin: "arcsin",
  acos: "arccos",
  atan: "arctan",
  atan2: "arctan2",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  asinh: "arcsinh",
  acosh: "arccosh",
  atanh: "arctanh",
  floor: "floor",
  ceil: "ceil",
  round: "round",
  trunc: "trunc",
  hypot: "hypot",
  pow: "power",
  min: "minimum",
  max: "maximum",
  sign: "sign",
  cbrt: "cbrt",
  expm1: "expm1",
  log1p: "log1p",
};
/** Plain functions a lambda may call without `Math.` (the query's own vocabulary). */
export const QUERY_FUNCTIONS = new Set(["abs", "sqrt", "Zip", ...Object.values(MATH)]);

type JsNode = acorn.AnyNode;

/**
 * Parses an arrow (or `function`) source into a `lambda` node. `bound` are names of outer
 * lambdas' parameters (for nested lambdas); `source` is the text errors point into.
 */
export function lambdaFromFunction(fn: (...args: never[]) => unknown, constants: Constants = {}): { node: QNode; source: string } {
  const source = fn.toString();
  let program: acorn.Program;
  try {
    program = acorn.parse(`(${source})`, { ecmaVersion: "latest", ranges: false });
  } catch (e) {
    const pos = Math.max(0, ((e as { pos?: number }).pos ?? 1) - 1);
    throw queryError("QUERY_SYNTAX", `the lambda is not a JavaScript expression: ${(e as Error).message.replace(/ \(\d+:\d+\)$/, "")}`, source, { pos, end: pos + 1 });
  }
  const stmt = program.body[0];
  const expr = stmt?.type === "ExpressionStatement" ? stmt.expression : undefined;
  if (!expr || (expr.type !== "ArrowFunctionExpression" && expr.type !== "FunctionExpression")) {
    throw queryError("QUERY_SYNTAX", "a query lambda must be an arrow function such as e => e.pt", source, { pos: 0, end: source.length });
  }
  return { node: new Translator(source, constants).lambda(expr, new Set()), source };
}

class Translator {
  constructor(
    private readonly source: string,
    private readonly constants: Constants,
  ) {}

  private span(n: { start: number; end: number }): Span {
    return { pos: n.start - 1, end: n.end - 1, src: this.source };
  }
  private fail(msg: string, n: { start: number; end: number }, hint?: string): never {
    throw queryError("QUERY_UNSUPPORTED", msg, this.source, this.span(n), hint);
  }

  lambda(fn: acorn.ArrowFunctionExpression | acorn.FunctionExpression, outer: Set<string>, outerConsts: Set<string> = new Set()): QNode {
    const params: string[] = [];
    fn.params.forEach((p, i) => {
      if (p.type === "Identifier") {
        params.push(p.name);
        return;
      }
      if (i === fn.params.length - 1 && p.type === "ObjectPattern") return; // the constants parameter
      this.fail("a lambda parameter must be a plain name (constants go in a last { … } parameter)", p);
    });
    const last = fn.params[fn.params.length - 1];
    const constNames = new Set<string>(outerConsts);
    if (last?.type === "ObjectPattern") {
      for (const prop of last.properties) {
        if (prop.type !== "Property" || prop.key.type !== "Identifier" || prop.value.type !== "Identifier" || prop.key.name !== prop.value.name) this.fail("write constants as { name, other }", prop);
        const name = (prop as { key: acorn.Identifier }).key.name;
        if (!(name in this.constants)) this.fail(`constant "${name}" was not given a value`, prop, `pass it: ds.Where((e, { ${name} }) => …, { ${name}: … })`);
        constNames.add(name);
      }
    }
    let bodyNode: JsNode = fn.body;
    if (bodyNode.type === "BlockStatement") {
      const ret = bodyNode.body.length === 1 ? bodyNode.body[0] : undefined;
      if (ret?.type !== "ReturnStatement" || !ret.argument) this.fail("a query lambda body must be one expression (or `{ return expr; }`)", bodyNode);
      bodyNode = (ret as acorn.ReturnStatement).argument!;
    }
    const scope = new Set([...outer, ...params]);
    const body = this.expr(bodyNode as acorn.Expression, scope, constNames);
    return insertLinqNodes({ type: "lambda", params, body, span: this.span(fn) });
  }

  private constant(v: Constant | undefined, n: { start: number; end: number }): QNode {
    const span = this.span(n);
    if (typeof v === "number") return { type: "number", value: v, float: !Number.isInteger(v), span };
    if (typeof v === "boolean") return { type: "bool", value: v, span };
    if (typeof v === "string") return { type: "string", value: v, span };
    if (Array.isArray(v)) return { type: "list", items: v.map((x) => this.constant(x, n)), span };
    return this.fail("a constant must be a number, boolean, string or an array of those", n);
  }

  private expr(n: JsNode, scope: Set<string>, consts: Set<string>): QNode {
    const span = this.span(n);
    const sub = (x: JsNode): QNode => this.expr(x, scope, consts);
    switch (n.type) {
      case "Identifier":
        if (scope.has(n.name)) return { type: "name", id: n.name, span };
        if (consts.has(n.name)) return this.constant(this.constants[n.name], n);
        if (n.name === "undefined") return { type: "none", span };
        return this.fail(`"${n.name}" is not a lambda parameter or a declared constant`, n, `values captured from outside are invisible to the query; pass them explicitly: (e, { ${n.name} }) => …, { ${n.name}: value }`);
      case "Literal":
        if (typeof n.value === "number") return { type: "number", value: n.value, float: !Number.isInteger(n.value) || /[.eE]/.test(n.raw ?? ""), span };
        if (typeof n.value === "boolean") return { type: "bool", value: n.value, span };
        if (typeof n.value === "string") return { type: "string", value: n.value, span };
        if (n.value === null) return { type: "none", span };
        return this.fail("only numbers, booleans and strings may be written literally", n);
      case "TemplateLiteral":
        if (n.expressions.length === 0) return { type: "string", value: n.quasis.map((q) => q.value.cooked ?? "").join(""), span };
        return this.fail("template strings with ${…} are not part of a query", n);
      case "ArrayExpression":
        return { type: "list", items: n.elements.map((el) => (el && el.type !== "SpreadElement" ? sub(el) : this.fail("holes and spreads are not part of a query", n))), span };
      case "ObjectExpression": {
        const keys: QNode[] = [],
          values: QNode[] = [];
        for (const p of n.properties) {
          if (p.type !== "Property" || p.kind !== "init" || p.method) this.fail("an object in a query holds name: value pairs only", p);
          const prop = p as acorn.Property;
          let key: string;
          if (prop.computed) this.fail("computed keys are not part of a query", prop.key);
          if (prop.key.type === "Identifier") key = prop.key.name;
          else if (prop.key.type === "Literal" && (typeof prop.key.value === "string" || typeof prop.key.value === "number")) key = String(prop.key.value);
          else this.fail("an object key must be a name or a string", prop.key);
          keys.push({ type: "string", value: key!, span: this.span(prop.key) });
          values.push(sub(prop.value as JsNode));
        }
        return { type: "dict", keys, values, span };
      }
      case "MemberExpression": {
        if (n.object.type === "Identifier" && n.object.name === "Math" && !scope.has("Math") && !n.computed && n.property.type === "Identifier") {
          if (n.property.name === "PI") return { type: "number", value: Math.PI, float: true, span };
          if (n.property.name === "E") return { type: "number", value: Math.E, float: true, span };
          return this.fail(`Math.${n.property.name} is not a query constant`, n);
        }
        if (n.optional) this.fail("optional chaining is not part of a query", n);
        if (n.computed) return { type: "subscript", target: sub(n.object), index: sub(n.property), span };
        if (n.property.type !== "Identifier") return this.fail("expected an attribute name", n.property);
        return { type: "attr", target: sub(n.object), name: n.property.name, span };
      }
      case "CallExpression": {
        const args = n.arguments.map((a) => {
          if (a.type === "ArrowFunctionExpression" || a.type === "FunctionExpression") return this.lambda(a, scope, consts);
          if (a.type === "SpreadElement") return this.fail("spreads are not part of a query", a);
          return sub(a);
        });
        const c = n.callee;
        if (c.type === "MemberExpression" && c.object.type === "Identifier" && c.object.name === "Math" && !scope.has("Math") && c.property.type === "Identifier") {
          const f = MATH[c.property.name];
          if (!f) this.fail(`Math.${c.property.name} has no query counterpart`, c.property);
          return { type: "call", fn: { type: "name", id: f!, span: this.span(c) }, args, span };
        }
        if (c.type === "Identifier" && !scope.has(c.name)) {
          if (!QUERY_FUNCTIONS.has(c.name)) this.fail(`"${c.name}" is not a query function`, c, "use Math.* functions or collection methods (Select, Where, Count, …)");
          return { type: "call", fn: { type: "name", id: c.name, span: this.span(c) }, args, span };
        }
        return { type: "call", fn: sub(c as JsNode), args, span };
      }
      case "ConditionalExpression":
        return { type: "if", test: sub(n.test), then: sub(n.consequent), else: sub(n.alternate), span };
      case "UnaryExpression": {
        const arg = sub(n.argument);
        if (n.operator === "!") return { type: "unary", op: "not", arg, span };
        if (n.operator === "-" || n.operator === "+") {
          if (arg.type === "number") return { ...arg, value: n.operator === "-" ? -arg.value : arg.value, span };
          return { type: "unary", op: n.operator, arg, span };
        }
        if (n.operator === "~") return { type: "unary", op: "~", arg, span };
        return this.fail(`"${n.operator}" is not part of a query`, n);
      }
      case "LogicalExpression":
        if (n.operator === "??") this.fail('"??" is not part of a query', n);
        return { type: "boolop", op: n.operator === "&&" ? "and" : "or", left: sub(n.left), right: sub(n.right), span };
      case "BinaryExpression": {
        const l = sub(n.left as JsNode),
          r = sub(n.right);
        const cmp: Record<string, CompareOp> = { "==": "==", "===": "==", "!=": "!=", "!==": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
        const c = cmp[n.operator];
        if (c) return { type: "compare", op: c, left: l, right: r, span };
        const bin: Record<string, BinaryOp> = { "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "**": "**", "&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>" };
        const b = bin[n.operator];
        if (b) return { type: "binary", op: b, left: l, right: r, span };
        return this.fail(`"${n.operator}" is not part of a query`, n);
      }
      case "ParenthesizedExpression":
        return sub(n.expression);
      case "ArrowFunctionExpression":
      case "FunctionExpression":
        return this.lambda(n, scope, consts);
      default:
        return this.fail(`${n.type} is not part of a query (a query is one expression over the event)`, n);
    }
  }
}
