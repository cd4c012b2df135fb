// scripts/valgrind-check.sh: the valgrind workload (test/fixtures/reliability-valgrind-workload.cjs,
// on lib/) under memcheck, failing only on errors in zmq-napi's code. About 20 s on an idle
// machine. valgrind must be installed (.ci/run installs it; the script installs it with apt-get
// when run by hand).
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { repoRoot } from "./fixtures/reliability-helpers";
import { runChild } from "./helpers/children";

describe("valgrind", () => {
  it(
    "the workload runs under memcheck with no error in zmq-napi's code",
    { timeout: 240_000 },
    async () => {
      // A process group: bash, valgrind and the workload's node all go when it is killed.
      const run = await runChild(["bash", path.join(repoRoot, "scripts", "valgrind-check.sh")], {
        timeoutMs: 230_000,
        group: true,
      });
      const result = { code: run.code, output: `${run.stdout}${run.stderr}` };
      console.log(result.output.trim());
      expect(result.output).toMatch(/ 0 in zmq-napi/);
      expect(result.output).toContain("valgrind-check: OK");
      expect(result.code).toBe(0);
    },
  );
});
