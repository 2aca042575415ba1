import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The package's `#util/*`, `#io/*`, `#root/*` and `#plot/*` platform imports, which Node resolves
    // to dist/ (package.json "imports"), are taken from the TypeScript sources under test. An alias
    // and not a resolve condition: a condition would be handed to Node itself and reach the worker
    // threads, which must load dist/.
    alias: [{ find: /^#(util|io|root|plot)\/(.+)$/, replacement: fileURLToPath(new URL("./src/$1/platform/node/$2.ts", import.meta.url)) }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
