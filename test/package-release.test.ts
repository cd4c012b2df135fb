import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The release path end to end (scripts/test-packed.js): prebuildify through the cmake-js shim
// in a clean copy of the tracked files, npm pack, install into an empty project with no
// compiler or cmake on PATH, then require() and import.
describe("the packed release", () => {
  it("installs and loads with no compiler on PATH", () => {
    const result = spawnSync(
      process.execPath,
      [path.join(__dirname, "..", "scripts", "test-packed.js")],
      {
        encoding: "utf8",
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/prebuilds\/linux-x64\/zmq-napi\.glibc\.node/);
    expect(output).toContain("packed release OK");
  }, 600_000);
});
