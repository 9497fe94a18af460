import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "source" export condition, so a
// test always runs against the code beside it rather than a stale dist/ build.
// The rest is Vite's default server condition list, which setting `conditions` replaces.
const conditions = ["source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "test/src/**/*.test.ts",
      "test/abuse/**/*.test.ts",
    ],
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
