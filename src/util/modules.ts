/**
 * The compiled (dist/) URL of a module next to `from`. Worker threads need plain JS, and the
 * code may be running from src/ under the test runner, so always point workers at dist/.
 * Plain URL arithmetic (no node:url), so the layers a browser bundle imports stay free of node:.
 */
export function compiledModule(from: string, relative: string): URL {
  const target = new URL(relative.replace(/\.ts$/, ".js"), from);
  return new URL(target.href.replace(/\/src\//, "/dist/").replace(/\.ts$/, ".js"));
}
