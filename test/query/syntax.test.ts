import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parsePython, parseQastle, toQastle, stripSpans, FromTree } from "../../src/query/index.js";
import { isHepflowError as isErr } from "../../src/util/index.js";

const DATA = new URL("../../../shared/data/func_adl/", import.meta.url);
interface Entry {
  id: string;
  kind: string;
  python?: string;
  qastle?: string | null;
  query?: string;
  query_cell?: string;
  func_adl_query?: string;
  func_adl?: string;
}
const entries = (JSON.parse(readFileSync(new URL("queries.json", DATA), "utf8")) as { entries: Entry[] }).entries;
const of = (kind: string): Entry[] => entries.filter((e) => e.kind === kind);

/** Python statements of a snippet (split at top-level newlines, continuation lines kept together). */
function statements(src: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = "",
    quote: string | null = null;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      cur += c;
      if (src.startsWith(quote, i)) {
        cur += src.slice(i + 1, i + quote.length);
        i += quote.length - 1;
        quote = null;
      } else if (c === "\\") {
        cur += src[++i] ?? "";
      }
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      i--;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = src.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      cur += quote;
      i += quote.length - 1;
      continue;
    }
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c)) depth--;
    if (c === "\\" && src[i + 1] === "\n") {
      cur += " ";
      i++;
      continue;
    }
    if (c === "\n" && depth === 0) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  out.push(cur);
  // the ServiceX docs continue a chain on lines that start with "." (valid inside their code's parentheses)
  const joined: string[] = [];
  for (const s of out.map((x) => x.trim()).filter(Boolean)) {
    if (s.startsWith(".") && joined.length) joined[joined.length - 1] += s;
    else joined.push(s);
  }
  return joined;
}

/** The expressions of a snippet: right-hand sides of assignments and returns, bare expressions. */
function expressions(src: string): string[] {
  return statements(src)
    .filter((s) => !/^(def|import|from|if|with|for|class|@|'|")/.test(s) && !/^\w+\s*:$/.test(s))
    .map((s) => s.replace(/^return\s+/, "").replace(/^[A-Za-z_]\w*\s*(\+?=)\s*/, ""))
    .filter((s) => !/^\.\.\.$/.test(s));
}

describe("qastle test cases (iris-hep/qastle tests/test_ast_language.py)", () => {
  it.each(of("python-expr <-> qastle (round trip)").map((e) => [e.python!, e.qastle!]))("%s ⇄ %s", (py, q) => {
    expect(toQastle(parsePython(py))).toBe(q);
    expect(toQastle(parseQastle(q))).toBe(q);
  });
  it.each(of("python-expr -> qastle (one way)").map((e) => [e.python!, e.qastle!]))("%s → %s", (py, q) => {
    expect(toQastle(parsePython(py))).toBe(q);
  });
  it.each(
    of("atom: python == qastle")
      .filter((e) => e.python!.trim())
      .map((e) => [e.python!]),
  )("atom %s", (py) => {
    expect(toQastle(parsePython(py))).toBe(py.trim());
    expect(toQastle(parseQastle(py))).toBe(py.trim());
  });
  it("an empty query is a named error in both languages", () => {
    for (const e of of("atom: python == qastle").filter((x) => !x.python!.trim())) {
      expect(() => parsePython(e.python!)).toThrow(/empty/);
      expect(() => parseQastle(e.qastle!)).toThrow(/end of qastle/);
    }
  });
  it.each(of("literal: same value in python and qastle").map((e) => [e.python!]))("literal %s keeps its value", (py) => {
    const n = parsePython(py);
    expect(n.type).toBe("number");
    expect((n as { value: number }).value).toBe(Number(py));
    // and the qastle spelling reads back to the same value
    expect((parseQastle(toQastle(n)) as { value: number }).value).toBe(Number(py));
  });
});

describe("func_adl queries from the public examples", () => {
  it("qastle README / notebooks: Python LINQ strings give the printed qastle", () => {
    const annotated = entries.find((e) => e.id === "qastle-notebook-annotated")!;
    const text = /"""\n([\s\S]*)\n"""/.exec(annotated.query_cell!)![1]!;
    expect(toQastle(parsePython(text))).toBe(annotated.qastle);
    const cols = entries.find((e) => e.id === "qastle-notebook-round-trip-columns")!;
    const text2 = /ast\.parse\("""\n([\s\S]*)\n"""\)/.exec(cols.query_cell!)![1]!;
    expect(toQastle(parsePython(text2))).toBe(cols.qastle);
    // the README prints the same tree pretty-indented: parsing it gives the one-line text
    const readme = entries.find((e) => e.id === "qastle-readme-eight-columns")!;
    expect(toQastle(parseQastle(readme.qastle!))).toBe(cols.qastle);
  });
  it("TCutToQastleWrapper README: func_adl query → qastle exactly", () => {
    const e = of("TCut -> func_adl -> qastle")[0]!;
    expect(toQastle(parsePython(e.func_adl_query!))).toBe(e.qastle);
  });
  it("func_adl sugar table: the func_adl column parses (comprehension column refused with a clear error)", () => {
    let parsed = 0;
    for (const e of of("python sugar -> func_adl (README table)")) {
      const code = [...e.func_adl!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      for (const c of code) {
        const n = parsePython(c);
        expect(stripSpans(parseQastle(toQastle(n)))).toEqual(stripSpans(n));
        parsed++;
      }
    }
    expect(parsed).toBe(16);
    expect(() => parsePython("[j.pt() for j in jets]")).toThrow(/comprehensions are not supported/);
  });
  const KINDS = [
    "func_adl python (lambda form)",
    "func_adl python (lambda form, docs)",
    "ServiceX YAML query !FuncADL_Uproot",
    "ServiceX query (python, docs)",
    "ServiceX query (python)",
    "ServiceX func_adl xAOD query (python)",
    "AGC ServiceX query (func_adl, FuncADL_Uproot)",
    "AGC func_adl query (2022 version)",
  ];
  it("every expression in the func_adl / ServiceX / AGC examples parses and survives qastle exactly", () => {
    let n = 0;
    for (const e of entries.filter((x) => KINDS.includes(x.kind))) {
      for (const ex of expressions(e.query!)) {
        const tree = parsePython(ex);
        const q = toQastle(tree);
        expect(toQastle(parseQastle(q)), e.id).toBe(q);
        expect(stripSpans(parseQastle(q)), e.id).toEqual(stripSpans(tree));
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(40);
  });
});

describe("TS lambdas", () => {
  it("a TS query and its qastle round-trip exactly", () => {
    const q = FromTree("Events")
      .Where((e) => e.Muon.Where((m: any) => m.pt > 25 && Math.abs(m.eta) < 2.4).Count() >= 2)
      .Select((e, { scale }) => ({ pt: e.Muon.Select((m: any) => m.pt * scale), eta: e.Muon.Select((m: any) => m.eta), odd: e.nJet % 2 === 1 ? 1.5 : -2, any: e.Jet.Any((j: any) => !(j.pt < 30)) }), { scale: 0.5 });
    const text = q.toQastle();
    expect(text).toBe(
      "(Select (Where (call EventDataset 'bogus.root' 'Events') (lambda (list e) (>= (Count (Where (attr e 'Muon') (lambda (list m) (and (> (attr m 'pt') 25) (< (call abs (attr m 'eta')) 2.4))))) 2))) " +
        "(lambda (list e) (dict (list 'pt' 'eta' 'odd' 'any') (list (Select (attr e 'Muon') (lambda (list m) (* (attr m 'pt') 0.5))) (Select (attr e 'Muon') (lambda (list m) (attr m 'eta'))) (if (== (% (attr e 'nJet') 2) 1) 1.5 -2) (Any (attr e 'Jet') (lambda (list j) (not (< (attr j 'pt') 30))))))))",
    );
    expect(toQastle(parseQastle(text))).toBe(text);
    expect(stripSpans(parseQastle(text))).toEqual(stripSpans(q.ast));
    // the same query in Python syntax is the same tree
    const py =
      "EventDataset('bogus.root', 'Events').Where(lambda e: e.Muon.Where(lambda m: m.pt > 25 and abs(m.eta) < 2.4).Count() >= 2)" +
      ".Select(lambda e: {'pt': e.Muon.Select(lambda m: m.pt * 0.5), 'eta': e.Muon.Select(lambda m: m.eta), 'odd': 1.5 if e.nJet % 2 == 1 else -2, 'any': e.Jet.Any(lambda j: not (j.pt < 30))})";
    expect(toQastle(parsePython(py))).toBe(text);
  });
  it("a captured variable is an error pointing at it", () => {
    const ptCut = 25;
    let err: unknown;
    try {
      FromTree().Where((e) => e.MET_pt > ptCut);
    } catch (e) {
      err = e;
    }
    expect(isErr(err, "QUERY_UNSUPPORTED")).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(/"ptCut" is not a lambda parameter or a declared constant \(line 1, column \d+\)/);
    const lines = msg.split("\n");
    expect(lines[2]!.indexOf("^")).toBe(lines[1]!.indexOf("ptCut"));
    expect(lines[2]!.trim()).toBe("^^^^^");
  });
  it("a declared constant without a value is an error", () => {
    expect(() => FromTree().Where((e, { ptCut }) => e.MET_pt > ptCut)).toThrow(/constant "ptCut" was not given a value/);
  });
});
