import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The compiled (dist/) URL of a module next to `from`. Worker threads need plain JS, and the
 * code may be running from src/ under the test runner, so always point workers at dist/.
 */
export function compiledModule(from: string, relative: string): URL {
  const target = new URL(relative.replace(/\.ts$/, ".js"), from);
  const p = fileURLToPath(target).replace(/([\\/])src([\\/])/, "$1dist$2").replace(/\.ts$/, ".js");
  return pathToFileURL(p);
}
