// `npm run test:quick`: the inner loop, the suite without the files that take longest or need
// a packed build, valgrind or volume, two files at a time. `npm test` (what CI runs) still runs every file. Timed one
// file at a time (`npx vitest run <file>`) on the 2-core development machine, under load;
// everything left runs in under half a minute alone. A file that grows slow moves here
// with its reason.
import { configDefaults, defineConfig } from "vitest/config";

import base from "./vitest.config.mts";

/** The slow tier: in `npm test` only. */
export const slowFiles = [
  // Builds, packs and installs the release; audits the prebuilt binaries' glibc floor.
  "test/package-release.test.ts",
  "test/prebuild-glibc-floor.test.ts",
  // valgrind, RSS bounds over many cycles, the load runs.
  "test/reliability-valgrind.test.ts",
  "test/reliability-memory.test.ts",
  "test/reliability-load.test.ts",
  // The 1,000,000-key convergence run (79 s) and snapshot transfer (79 s); failover and
  // durability runs that wait out liveness timers (31–47 s each).
  "test/config-center-convergence.test.ts",
  "test/config-center-snapshot.test.ts",
  "test/config-center-durability.test.ts",
  "test/config-center-ha.test.ts",
  "test/config-center-liveness.test.ts",
  "test/config-center-ttl-prefix.test.ts",
  // Hostile endpoints in network namespaces (101 s), every README/guide snippet run and
  // type-checked (72 s), delivery across processes at volume (60 s), the example programs
  // (43 s), OpenPGM in namespaces (37 s), hostile peers (34 s), the dependency bump (32 s).
  "test/endpoint-hostile.test.ts",
  "test/docs-snippets.test.ts",
  "test/reliability-delivery.test.ts",
  "test/examples.test.ts",
  "test/multicast-pgm.test.ts",
  "test/reliability-hostile-input.test.ts",
  "test/deps-bump.test.ts",
  // The example application's own tests (examples/config-center: 12–26 s each, waiting on its
  // timers) and the declaration files checked by older TypeScript compilers (17 s of tsc).
  "test/config-center-cas.test.ts",
  "test/config-center-cli.test.ts",
  "test/config-center-curve.test.ts",
  "test/config-center-epoch.test.ts",
  "test/config-center.test.ts",
  "test/types-compat.test.ts",
];

export default defineConfig({
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, ...slowFiles],
    // vitest's default on 2 cores is one worker. The files left wait on sockets, timers and
    // child processes more than they compute (a serial run used the CPU 45% of its time), so
    // two run side by side.
    maxWorkers: 2,
  },
});
