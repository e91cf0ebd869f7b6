import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql: the ESM and CJS entries loaded side by side break type-graphql
    // ("Cannot use GraphQLObjectType from another module or realm").
    // Packages whose ESM build would import graphql's ESM copy are pointed at their CJS build.
    alias: {
      graphql: require.resolve("graphql/index.js"),
      "graphql-query-complexity": require.resolve("graphql-query-complexity"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    server: { deps: { inline: [] } },
  },
});
