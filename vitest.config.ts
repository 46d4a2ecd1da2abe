import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "sdk/test/**/*.test.ts",
      "harness/test/**/*.test.ts",
      "plugins/*/test/**/*.test.ts",
      "cli/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ["default", "./test/summary-reporter.ts"],
    setupFiles: ["./test/fast-check-seed.ts"],
  },
});
