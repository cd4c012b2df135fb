// scripts/valgrind-check.sh: the valgrind workload (test/fixtures/reliability-valgrind-workload.cjs,
// on lib/) under memcheck, failing only on errors in zmq-napi's code. About 20 s on an idle
// machine. valgrind must be installed (.ci/run installs it; the script installs it with apt-get
// when run by hand).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { repoRoot } from "./fixtures/reliability-helpers";

describe("valgrind", () => {
  it(
    "the workload runs under memcheck with no error in zmq-napi's code",
    { timeout: 240_000 },
    async () => {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn("bash", [path.join(repoRoot, "scripts", "valgrind-check.sh")], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        const timer = setTimeout(() => child.kill("SIGKILL"), 230_000);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, output });
        });
      });
      console.log(result.output.trim());
      expect(result.output).toMatch(/ 0 in zmq-napi/);
      expect(result.output).toContain("valgrind-check: OK");
      expect(result.code).toBe(0);
    },
  );
});
