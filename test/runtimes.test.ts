import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

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
  const run = (...args: string[]) =>
    spawnSync(command[0]!, [...command.slice(1), fixture, ...args], {
      cwd: root,
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });

  it("runs the patterns, multipart, timeouts, close-while-pending and CURVE", () => {
    const result = run();
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("ok curve round trip");
    expect(result.stdout).toMatch(/runtime smoke: 9 checks ok/);
  }, 40_000);

  it("exits by itself with idle bound sockets", () => {
    const started = Date.now();
    const result = run("idle");
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("idle sockets bound");
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
