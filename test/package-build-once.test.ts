import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

// A failed build from source is reported once: it is never retried from clean (cmake-js's
// `compile` ran CMake again after `cmake -E remove_directory` on the build directory, so a
// 7-minute failure took 14). A stand-in `cmake` first on PATH records every call and runs the
// real one; the build is made to fail at once with a toolchain file that does not exist.
const root = path.join(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-build-once-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function recordingCmake(record: string): string {
  const dir = path.join(scratch, "bin");
  fs.mkdirSync(dir);
  const real = ["/usr/local/bin/cmake", "/usr/bin/cmake"].find((file) => fs.existsSync(file));
  if (!real) throw new Error("cmake is not installed");
  const shim = path.join(dir, "cmake");
  fs.writeFileSync(shim, `#!/bin/sh\necho "cmake $*" >> '${record}'\nexec ${real} "$@"\n`);
  fs.chmodSync(shim, 0o755);
  return dir;
}

describe("a build from source that fails", () => {
  it("runs CMake once, cleans nothing and exits non-zero", async () => {
    const record = path.join(scratch, "cmake-calls.txt");
    const out = path.join(scratch, "build");
    const result = await runChild(
      [
        process.execPath,
        path.join(root, "scripts", "build-native.js"),
        "--out",
        out,
        `--CDCMAKE_TOOLCHAIN_FILE=${path.join(scratch, "no-such-toolchain.cmake")}`,
      ],
      {
        cwd: root,
        env: { PATH: `${recordingCmake(record)}${path.delimiter}${process.env.PATH}` },
        timeoutMs: 120_000,
      },
    );
    expect(result.code, result.stderr).toBe(1);
    const calls = fs.readFileSync(record, "utf8").trim().split("\n");
    expect(calls, "cmake invocations").toHaveLength(1);
    expect(calls[0]).toMatch(/^cmake -S .* -B /);
    expect(calls.join("\n")).not.toMatch(/remove_directory|--build/);
    expect(result.stderr).toMatch(/zmq-napi: cmake -S .* exited with code 1/);
  });
});
