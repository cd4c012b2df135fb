import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { runChild, startChild } from "./helpers/children";

// The same slice of the API (test/fixtures/runtime-smoke.mjs) under every runtime we support.
// Deno and Bun come from the npm registry (devDependencies). Bun lacks uv_poll, so its run
// exercises the Node-API-only poller.
const root = path.join(__dirname, "..");
const fixture = path.join(__dirname, "fixtures", "runtime-smoke.mjs");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

const runtimes: Record<string, string[]> = {
  node: [process.execPath],
  deno: [bin("deno"), "run", "-A"],
  bun: [bin("bun")],
};

describe.each(Object.entries(runtimes))("under %s", (_name, command) => {
  const options = {
    cwd: root,
    timeoutMs: 60_000,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  };
  const run = (...args: string[]) => runChild([...command, fixture, ...args], options);

  it("runs the patterns, multipart, timeouts, close-while-pending and CURVE", async () => {
    const result = await run();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("ok curve round trip");
    expect(result.stdout).toMatch(/runtime smoke: 9 checks ok/);
  }, 70_000);

  it("exits by itself with idle bound sockets", async () => {
    const child = startChild([...command, fixture, "idle"], options);
    // From the moment the sockets are bound: starting a runtime on a loaded machine is slow.
    await child.line("idle sockets bound", 50_000);
    const bound = Date.now();
    const result = await child.done;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(Date.now() - bound).toBeLessThan(10_000);
  }, 70_000);
});
