import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

// The release path end to end (scripts/test-packed.js): prebuildify through the node-gyp
// stand-in in a clean copy of the tracked files, npm pack (with the source archives), install
// into an empty project with no compiler or cmake on PATH — printing nothing alarming, with
// source maps that resolve — then require() and import.
describe("the packed release", () => {
  it("installs and loads with no compiler on PATH", async () => {
    // A process group: npm, the build and the installed project's node go when it is killed.
    const result = await runChild(
      [process.execPath, path.join(__dirname, "..", "scripts", "test-packed.js")],
      { group: true, timeoutMs: 590_000 },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(output).toMatch(/prebuilds\/linux-x64\/zmq-napi\.glibc\.node/);
    // scripts/prebuild.js audited the prebuild it made against the glibc floor.
    expect(output).toMatch(/prebuild linux-x64\/zmq-napi\.glibc\.node: .*at most \(floor 2\.28\)/);
    // The tarball bundles its three dependencies (node-gyp-build and the Node-API headers):
    // the install adds one package and fetches none, and no build tooling comes with it.
    expect(output).toMatch(/installed: 1 top-level package\(s\), 4 in npm ls --all/);
    expect(output).toContain("packed release OK");
  }, 600_000);
});
