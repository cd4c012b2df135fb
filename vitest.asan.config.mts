// The part of the suite that `npm run test:asan` (scripts/test-asan.js) runs against the
// AddressSanitizer + UndefinedBehaviorSanitizer build: the files that drive the native paths
// (frames in and out, socket and context lifetimes and exit, options, security handshakes,
// monitors, proxies, workers, hostile input, endpoints and peers). A new file that does belongs
// here. Left out on purpose:
//   reliability-valgrind   valgrind cannot run a process that carries ASan's shadow memory;
//   reliability-memory,    RSS bounds, which ASan's quarantine and shadow memory break by
//   reliability-load       design;
//   runtimes,              Deno and Bun: this build and its preloading are for Node;
//   zero-copy-runtimes
//   package-release,       pack, install or load the normal build (or prebuilds) on purpose;
//   addon-load
//   reliability-delivery,  delivery semantics across processes at volume: minutes under ASan,
//   reliability-faults     through native paths the files below cover;
//   multicast-pgm          the OpenPGM paths again, which endpoint-hostile covers;
// and the JavaScript-level files (docs, examples, config-center, types, compat layers) and build
// checks, which reach the addon only through paths already here.
import { defineConfig } from "vitest/config";

import base from "./vitest.config.mts";

export default defineConfig({
  test: {
    ...base.test,
    // ASan makes each process several times slower: fewer concurrent tests in a file (5 by
    // default) keep the time limits inside the tests meaningful on a machine with 2 cores.
    maxConcurrency: 2,
    include: [
      "test/socket-messages.test.ts",
      "test/socket-lifecycle.test.ts",
      "test/socket-exit-wait.test.ts",
      "test/socket-semantics.test.ts",
      "test/socket-options.test.ts",
      "test/socket-option-values.test.ts",
      "test/socket-patterns.test.ts",
      "test/draft-sockets.test.ts",
      "test/context-options.test.ts",
      "test/errors.test.ts",
      "test/proxy.test.ts",
      "test/observer.test.ts",
      "test/observer-peers.test.ts",
      "test/worker-threads.test.ts",
      "test/security-curve.test.ts",
      "test/security-zap-authorize.test.ts",
      "test/security-zap.test.ts",
      "test/security-pyzmq.test.ts",
      "test/endpoint-hostile.test.ts",
      "test/reliability-hostile-input.test.ts",
      "test/reliability-fuzz-findings.test.ts",
      "test/reliability-security.test.ts",
      "test/multicast-udp.test.ts",
      "test/zero-copy.test.ts",
      // message-path.property.test.ts and any other property-based suite.
      "test/*.property.test.ts",
    ],
  },
});
