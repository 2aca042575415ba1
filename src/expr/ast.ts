/**
 * The expression syntax tree. Every node keeps the character span it came from so that errors
 * found while parsing, resolving names or typing columns can point into the user's text.
 */

/** Binary operators after spelling aliases are folded (`and` → `&&`, `or` → `||`). */
export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "**" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||" | "&" | "|";

export type UnaryOp = "-" | "+" | "!" | "~";

interface Span {
  pos: number;
  end: number;
}

export type Node =
  | (Span & { type: "number"; value: number; integer: boolean })
  | (Span & { type: "bool"; value: boolean })
  | (Span & { type: "name"; name: string })
  | (Span & { type: "unary"; op: UnaryOp; arg: Node })
  | (Span & { type: "binary"; op: BinaryOp; left: Node; right: Node })
  | (Span & { type: "call"; fn: string; args: Node[] })
  | (Span & { type: "index"; target: Node; index: Node });

/** A canonical text for a node: equal subexpressions get equal keys (used to compute each once). */
export function nodeKey(n: Node): string {
  switch (n.type) {
    case "number":
      return String(n.value) + (n.integer ? "i" : "f");
    case "bool":
      return n.value ? "true" : "false";
    case "name":
      return "`" + n.name + "`";
    case "unary":
      return `(${n.op}${nodeKey(n.arg)})`;
    case "binary":
      return `(${nodeKey(n.left)}${n.op}${nodeKey(n.right)})`;
    case "call":
      return `${n.fn}(${n.args.map(nodeKey).join(",")})`;
    case "index":
      return `${nodeKey(n.target)}[${nodeKey(n.index)}]`;
  }
}
