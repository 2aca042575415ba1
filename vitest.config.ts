import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Longest files first, so that the forks finish together: vitest orders a clean checkout (no results
 * cache, as in CI) by file size, which would start the two-minute install test late and leave a core
 * idle behind it. The list is the slowest files of a measured run (test-results.json); the files off
 * it keep vitest's order after them.
 */
const SLOWEST = [
  "test/scripts/pack-install.test.ts",
  "test/stats/grid.test.ts",
  "test/analysis/redis-executor.test.ts",
  "test/web/ui.e2e.test.ts",
  "test/root/corpus.test.ts",
  "test/examples/agc-search.test.ts",
  "test/workflow/demo.test.ts",
];
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOWEST.length : i;
    };
    // Array.prototype.sort is stable
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // vitest's default is one fork fewer than the cores: one on a 2-core machine, where much of the
    // suite waits on child processes, servers and npm (627 s on one fork, 371 s on two)
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: SlowestFirst },
    globalSetup: ["test/global-setup.ts"],
  },
});
