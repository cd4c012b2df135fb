// ZeroCopyFrame under Deno and Bun (test/fixtures/zero-copy-runtime.mjs): both have the
// detachable external ArrayBuffers it needs, so it works there as under Node, and both have
// ArrayBuffer.prototype.transfer, which must not get a frame's bytes past the send. Kept apart
// from zero-copy.test.ts, which the ASan run covers: that build and its preloading are for Node.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

const root = path.join(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

describe.each([
  ["deno", [bin("deno"), "run", "-A", "--v8-flags=--expose-gc"]],
  ["bun", [bin("bun")]],
])("ZeroCopyFrame under %s", (_name, command) => {
  it("sends without a copy, cut off from JavaScript, and reports the release", async () => {
    const fixture = path.join(__dirname, "fixtures", "zero-copy-runtime.mjs");
    const result = await runChild([...command, fixture], {
      cwd: root,
      timeoutMs: 60_000,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("zero-copy ok");
  }, 70_000);
});
