import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Native sockets and child processes: forks isolate crashes to one file.
    pool: "forks",
    retry: 0,
  },
});
