import { defineConfig, defaultClientConditions } from "vite";

/**
 * The static in-browser reader (web/reader → dist/reader): plain files any static server can
 * serve. "hepflow-src" bundles the TypeScript sources; "browser" picks the platform modules
 * without node: imports (package.json "imports").
 */
export default defineConfig({
  root: "web/reader",
  base: "./",
  resolve: { conditions: ["hepflow-src", ...defaultClientConditions] },
  build: { outDir: "../../dist/reader", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
  logLevel: "warn",
});
