/**
 * The TS query builder: `FromTree("Events").Where(e => …).Select(e => ({ … }))`. Each step adds a
 * LINQ node whose lambda comes from the arrow function's source (lambda.ts); `toQastle()` gives
 * the wire text. A Query is immutable: each step returns a new one.
 */
import type { QNode } from "./ast.js";
import { toQastle } from "./qastle.js";
import { lambdaFromFunction, type Constants } from "./lambda.js";

// the lambdas take the event model as `any`: its shape is the dataset's, checked against its schema later
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: a query lambda sees an untyped row proxy, as func_adl's Python lambdas do
type Fn = (row: any, constants?: any) => unknown;

/** A func_adl query over one tree; build it step by step, send it as qastle. */
export class Query {
  constructor(readonly ast: QNode) {}

  private step(op: "Where" | "Select" | "SelectMany", fn: Fn, constants?: Constants): Query {
    const { node } = lambdaFromFunction(fn as (...a: never[]) => unknown, constants);
    return new Query({ type: "linq", op, source: this.ast, args: [node], span: node.span });
  }
  private terminal(op: "Count" | "Sum" | "Min" | "Max" | "First" | "Take", args: QNode[] = []): Query {
    return new Query({ type: "linq", op, source: this.ast, args });
  }

  /** Keep the rows (events) for which `fn` is true. */
  Where(fn: Fn, constants?: Constants): Query {
    return this.step("Where", fn, constants);
  }
  /** Replace each row by `fn(row)`: a value, a record `{…}` or a tuple `[…]`. */
  Select(fn: Fn, constants?: Constants): Query {
    return this.step("Select", fn, constants);
  }
  /** Replace each row by the elements of the collection `fn(row)` (one output row per element). */
  SelectMany(fn: Fn, constants?: Constants): Query {
    return this.step("SelectMany", fn, constants);
  }
  /** Only the first `n` rows. */
  Take(n: number): Query {
    return this.terminal("Take", [{ type: "number", value: n, float: false }]);
  }
  Count(): Query {
    return this.terminal("Count");
  }
  Sum(): Query {
    return this.terminal("Sum");
  }
  Min(): Query {
    return this.terminal("Min");
  }
  Max(): Query {
    return this.terminal("Max");
  }
  First(): Query {
    return this.terminal("First");
  }

  /** The qastle text ServiceX-style services receive. */
  toQastle(): string {
    return toQastle(this.ast);
  }
}

/** A query over the tree `treeName` of every file of the dataset (func_adl_uproot's `FromTree`). */
export function FromTree(treeName = "Events"): Query {
  return new Query({
    type: "call",
    fn: { type: "name", id: "EventDataset" },
    args: [
      { type: "string", value: "bogus.root" },
      { type: "string", value: treeName },
    ],
  });
}
