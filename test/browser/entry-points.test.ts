/**
 * The layers a web page may import bundle for the browser with no Node module reachable: Vite
 * would only warn and stub a node: import, so a plugin records every one it is asked to resolve.
 */
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { build, defaultClientConditions, type Plugin } from "vite";

const REPO = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const LAYERS = ["root", "io", "array", "physics", "hist", "expr", "plot"];

/** Whether the package holding `file` maps `id` to false in its package.json "browser" field. */
function browserFieldDrops(file: string, id: string): boolean {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, "package.json");
    if (!existsSync(pj)) continue;
    const browser = (JSON.parse(readFileSync(pj, "utf8")) as { browser?: unknown }).browser;
    return typeof browser === "object" && browser !== null && (browser as Record<string, unknown>)[id] === false;
  }
  return false;
}

test("hepflow/root, io, array, physics, hist, expr and plot reach no node: module under the browser condition", async () => {
  const reached: string[] = [];
  const builtins = new Set(builtinModules);
  const watch: Plugin = {
    name: "no-node-builtins",
    enforce: "pre",
    resolveId(id, importer) {
      if (!(id.startsWith("node:") || builtins.has(id) || builtins.has(id.split("/")[0]!))) return null;
      // A dependency whose own package.json "browser" field maps the module to false is fine:
      // the bundler gives it an empty module, as the package intends (xz-decompress and stream/web).
      if (importer && browserFieldDrops(importer, id)) return null;
      reached.push(`${id} from ${path.relative(REPO, importer ?? "?")}`);
      return null;
    },
  };
  await build({
    configFile: false,
    root: REPO,
    logLevel: "silent",
    plugins: [watch],
    resolve: { conditions: ["hepflow-src", ...defaultClientConditions] },
    build: {
      write: false,
      minify: false,
      // the reading faces of root/ and io/ (a subset of theirs) as entries of their own too
      lib: { entry: { ...Object.fromEntries(LAYERS.map((l) => [l, path.join(REPO, "src", l, "index.ts")])), "root-read": path.join(REPO, "src/root/read.ts"), "io-read": path.join(REPO, "src/io/read.ts") }, formats: ["es"] },
    },
  });
  expect(reached).toEqual([]);
});
