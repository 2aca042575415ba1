/**
 * Tokenizer and recursive-descent parser. Hand-written rather than generated: the grammar is a
 * dozen precedence levels, ROOT's spellings (`Sum$`, `TMath::Abs`, `Jet.pt`) need a custom
 * lexer anyway, and a direct parser gives exact character positions for every error.
 *
 * Precedence follows C/TTreeFormula (comparisons bind tighter than `&` and `|`), with Python's
 * `and`/`or`/`not` and `**` accepted too; `not x > 1` means `not (x > 1)` as in Python.
 */
import type { BinaryOp, Node } from "./ast.js";
import { exprError } from "./errors.js";

type TokKind = "num" | "ident" | "op" | "end";
interface Token {
  kind: TokKind;
  text: string;
  pos: number;
  end: number;
  value?: number;
  integer?: boolean;
}

const OPERATORS = ["**", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", ",", "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "="];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const identPart = /[A-Za-z0-9_]/;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fF]?/.exec(src.slice(i))!;
      const text = m[0];
      const body = text.replace(/[fF]$/, "");
      const integer = /^0[xX]/.test(body) || /^[0-9]+$/.test(body);
      if (identPart.test(src[i + text.length] ?? "") && !/^0[xX]/.test(body)) {
        throw exprError("EXPR_SYNTAX", `malformed number "${src.slice(i, i + text.length + 1)}"`, src, i, i + text.length + 1);
      }
      out.push({ kind: "num", text, pos: start, end: i + text.length, value: Number(body), integer });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      // identifiers join with "::" (TMath::Abs) and "." (Jet.pt), and may end in "$" (Sum$, Entry$)
      const m = /^[A-Za-z_][A-Za-z0-9_]*(?:(?:::|\.)[A-Za-z_][A-Za-z0-9_]*)*\$?/.exec(src.slice(i))!;
      out.push({ kind: "ident", text: m[0], pos: start, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (ch === "`") {
      // back-quoted branch names for names that are not identifiers
      const close = src.indexOf("`", i + 1);
      if (close < 0) throw exprError("EXPR_SYNTAX", "unclosed back-quoted name", src, i, src.length);
      out.push({ kind: "ident", text: "`" + src.slice(i + 1, close), pos: start, end: close + 1 });
      i = close + 1;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw exprError("EXPR_SYNTAX", `unexpected character "${ch}"`, src, i);
    if (op === "^") throw exprError("EXPR_SYNTAX", `"^" is ambiguous (power in TFormula, xor in C); write pow(a, b) or a ** b`, src, i);
    if (op === "=") throw exprError("EXPR_SYNTAX", `"=" is not a comparison; write "=="`, src, i);
    out.push({ kind: "op", text: op, pos: start, end: i + op.length });
    i += op.length;
  }
  out.push({ kind: "end", text: "", pos: src.length, end: src.length });
  return out;
}

/** Parse an expression into its syntax tree; throws EXPR_SYNTAX pointing at the character. */
export function parse(src: string): Node {
  const toks = tokenize(src);
  let k = 0;
  const peek = (): Token => toks[k]!;
  const isOp = (...ops: string[]): boolean => peek().kind === "op" && ops.includes(peek().text);
  const isWord = (w: string): boolean => peek().kind === "ident" && peek().text === w;
  const expect = (op: string, what: string): Token => {
    const t = peek();
    if (t.kind !== "op" || t.text !== op) throw exprError("EXPR_SYNTAX", `expected "${op}" ${what}${t.kind === "end" ? " before the end" : `, found "${t.text}"`}`, src, t.pos, Math.max(t.end, t.pos + 1));
    k++;
    return t;
  };
  const bin = (op: BinaryOp, left: Node, right: Node): Node => ({ type: "binary", op, left, right, pos: left.pos, end: right.end });

  // one level of left-associative binary operators; `words` are Python spellings of the same operator
  const level =
    (next: () => Node, ops: Record<string, BinaryOp>): (() => Node) =>
    () => {
      let left = next();
      for (;;) {
        const t = peek();
        const op = t.kind === "op" || t.kind === "ident" ? ops[t.text] : undefined;
        if (op === undefined) return left;
        k++;
        left = bin(op, left, next());
      }
    };

  const primary = (): Node => {
    const t = peek();
    if (t.kind === "num") {
      k++;
      return { type: "number", value: t.value!, integer: t.integer!, pos: t.pos, end: t.end };
    }
    if (t.kind === "op" && t.text === "(") {
      k++;
      const e = orExpr();
      expect(")", "to close the parenthesis");
      return e;
    }
    if (t.kind === "ident") {
      k++;
      if (["true", "True", "kTRUE"].includes(t.text)) return { type: "bool", value: true, pos: t.pos, end: t.end };
      if (["false", "False", "kFALSE"].includes(t.text)) return { type: "bool", value: false, pos: t.pos, end: t.end };
      if (["and", "or", "not"].includes(t.text)) throw exprError("EXPR_SYNTAX", `"${t.text}" needs an operand before it`, src, t.pos, t.end);
      if (isOp("(") && !t.text.startsWith("`")) {
        k++;
        const args: Node[] = [];
        if (!isOp(")")) {
          for (;;) {
            args.push(orExpr());
            if (isOp(",")) {
              k++;
              continue;
            }
            break;
          }
        }
        const close = expect(")", `to close the arguments of ${t.text}`);
        return { type: "call", fn: t.text, args, pos: t.pos, end: close.end };
      }
      return { type: "name", name: t.text.startsWith("`") ? t.text.slice(1) : t.text, pos: t.pos, end: t.end };
    }
    if (t.kind === "end") throw exprError("EXPR_SYNTAX", src.trim() === "" ? "empty expression" : "expression ends too early", src, t.pos);
    throw exprError("EXPR_SYNTAX", `unexpected "${t.text}"`, src, t.pos, t.end);
  };

  const postfix = (): Node => {
    let e = primary();
    while (isOp("[")) {
      k++;
      const index = orExpr();
      const close = expect("]", "to close the index");
      e = { type: "index", target: e, index, pos: e.pos, end: close.end };
    }
    return e;
  };

  const power = (): Node => {
    const base = postfix();
    if (isOp("**")) {
      k++;
      return bin("**", base, unary());
    } // right-associative; -x**2 = -(x**2)
    return base;
  };

  const unary = (): Node => {
    const t = peek();
    if (t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "!" || t.text === "~")) {
      k++;
      const arg = unary();
      return { type: "unary", op: t.text, arg, pos: t.pos, end: arg.end };
    }
    return power();
  };

  const mul = level(unary, { "*": "*", "/": "/", "%": "%" });
  const add = level(mul, { "+": "+", "-": "-" });
  const rel = level(add, { "<": "<", "<=": "<=", ">": ">", ">=": ">=" });
  const eq = level(rel, { "==": "==", "!=": "!=" });
  const bitand = level(eq, { "&": "&" });
  const bitor = level(bitand, { "|": "|" });
  const notExpr = (): Node => {
    const t = peek();
    if (t.kind === "ident" && t.text === "not") {
      k++;
      const arg = notExpr();
      return { type: "unary", op: "!", arg, pos: t.pos, end: arg.end };
    }
    return bitor();
  };
  const andExpr = level(notExpr, { "&&": "&&", and: "&&" });
  const orExpr = level(andExpr, { "||": "||", or: "||" });

  const tree = orExpr();
  const t = peek();
  if (t.kind !== "end") {
    const hint = isWord("and") || isWord("or") ? undefined : t.kind === "op" && t.text === ")" ? "unbalanced parenthesis" : undefined;
    throw exprError("EXPR_SYNTAX", `unexpected "${t.text}" after a complete expression`, src, t.pos, t.end, hint);
  }
  return tree;
}
