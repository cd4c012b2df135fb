import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The last resort for a test that hangs. Waits inside tests are bounded more tightly and say
    // what they waited for; these are generous so that a loaded machine reaches those first.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Native sockets and child processes: forks isolate crashes to one file.
    pool: "forks",
    retry: 0,
  },
});
