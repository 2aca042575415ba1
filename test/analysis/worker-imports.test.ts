/**
 * What an analysis worker thread loads: every worker imports its chunk runner, the reading face of
 * root/ (the default opener) and the processor, so the ROOT writer, the RNTuple reader, the HTTP
 * and XRootD clients and node:child_process must stay out of their static import graph (loaded on
 * first use only). The graph is walked from the sources' import declarations, type-only ones
 * excluded, as Node would link the compiled modules.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const REPO = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const rel = (f: string) => path.relative(REPO, f).split(path.sep).join("/");

/** The module a specifier names, as a source file (or "node:x" / a package name). */
function resolveSpecifier(spec: string, from: string): string {
  if (spec.startsWith(".")) {
    const js = path.resolve(path.dirname(from), spec);
    const ts_ = js.replace(/\.js$/, ".ts");
    return existsSync(ts_) ? ts_ : js;
  }
  const platform = /^#(util|io|root|plot)\/(.+)$/.exec(spec);
  if (platform) return path.join(REPO, "src", platform[1]!, "platform", "node", `${platform[2]}.ts`);
  const face = /^hepflow(?:\/(\w+))?$/.exec(spec);
  if (face) return path.join(REPO, "src", face[1] ?? "", "index.ts");
  return spec.startsWith("node:") ? spec : `node:${spec}`.replace(/^node:(?=[@a-z][^:]*\/)/, "");
}

/** Specifiers a module imports when it is loaded (static, value imports), and the ones it imports later (`import()`). */
function importsOf(file: string): { statics: string[]; dynamics: string[] } {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const statics: string[] = [];
  const dynamics: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const typeOnly = c?.isTypeOnly || (c && !c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) statics.push(n.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const typeOnly = n.isTypeOnly || (n.exportClause && ts.isNamedExports(n.exportClause) && n.exportClause.elements.length > 0 && n.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) statics.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      dynamics.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return { statics, dynamics };
}

/** Every module loaded with the entries (static imports followed), repository-relative or "node:x"/package names. */
function staticGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.join(REPO, e));
  while (queue.length) {
    const f = queue.pop()!;
    const name = path.isAbsolute(f) ? rel(f) : f;
    if (seen.has(name)) continue;
    seen.add(name);
    if (!path.isAbsolute(f)) continue;
    for (const s of importsOf(f).statics) queue.push(resolveSpecifier(s, f));
  }
  return seen;
}

const FORBIDDEN = [/^src\/root\/writer\//, /^src\/root\/rntuple\/(?!classes\.ts$)/, /^src\/io\/(platform\/node\/)?(http|xrootd)/, /^src\/expr\//, /^node:(http|https|net|tls|child_process)$/, /^(bullmq|ioredis|yaml)$/];
const forbidden = (g: Set<string>) => [...g].filter((m) => FORBIDDEN.some((re) => re.test(m))).sort();

test("the default opener of a worker thread imports the reading face of root/", () => {
  const { dynamics } = importsOf(path.join(REPO, "src/analysis/processor.ts"));
  expect(dynamics.filter((s) => s.includes("/root/"))).toEqual(["../root/read.js"]);
});

test("a worker thread running the AGC processor links no writer, RNTuple reader, remote client or child_process", () => {
  const graph = staticGraph(["src/analysis/worker.ts", "src/root/read.ts", "examples/agc-ttbar/index.mjs"]);
  expect(graph.has("src/root/ttree/tree.ts")).toBe(true); // the reader itself is there
  expect(forbidden(graph)).toEqual([]);
});

test("the walk finds what the full faces load (so the check above can fail)", () => {
  const found = forbidden(staticGraph(["src/root/index.ts", "src/io/index.ts"]));
  for (const m of ["src/root/writer/file.ts", "src/root/writer/tree.ts", "src/io/http.ts", "src/io/platform/node/xrootd.ts", "node:tls"]) expect(found).toContain(m);
});
