import { defineConfig } from "vitest/config";
import { defaultServerConditions } from "vite";

export default defineConfig({
  // The package's `#util/*`, `#io/*`, `#root/*` and `#plot/*` platform imports resolve to the
  // TypeScript sources under this condition (package.json "imports"), so tests run src/ throughout.
  ssr: { resolve: { conditions: ["hepflow-src", ...defaultServerConditions] } },
  resolve: { conditions: ["hepflow-src", ...defaultServerConditions] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
