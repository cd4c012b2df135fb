// Per-key versions and compare-and-set in examples/config-center: two clients each read a
// counter and write it back plus one, 300 times, at the same time. Without compare-and-set some
// increments overwrite others (the issue saw 366 instead of 600); with `ifVersion` a write that
// lost the race is refused and retried, and the counter ends at exactly 600. The CLI's
// --if-version does the same from a shell: exit code 3 on a conflict.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { describeExit, startChild } from "./helpers/children";
import { trackChild } from "./helpers/lifecycle";
import { requester, runCli, startServer } from "./fixtures/config-center/harness";

const incrementer = path.join(__dirname, "fixtures", "config-center", "incrementer.mjs");

async function increment(
  requests: string,
  key: string,
  count: number,
): Promise<{ increments: number; conflicts: number }> {
  const child = trackChild(
    startChild([process.execPath, incrementer, requests, key, String(count)], {
      name: "an incrementer (incrementer.mjs)",
      timeoutMs: 120_000,
    }),
  );
  const result = await child.done;
  if (result.code !== 0) throw new Error(`an incrementer failed: ${describeExit(result)}`);
  return JSON.parse(result.stdout) as { increments: number; conflicts: number };
}

describe("config center: versions and compare-and-set", () => {
  it("two clients doing 300 read-then-increment each end at exactly 600", async () => {
    const { server, requests } = await startServer("server", ["--quiet"]);
    const [first, second] = await Promise.all([
      increment(requests, "counter", 300),
      increment(requests, "counter", 300),
    ]);
    expect(first.increments + second.increments).toBe(600);
    const request = requester(requests);
    const [status, seq, value, version] = await request("GET", "counter");
    expect({ status, value }).toEqual({ status: "OK", value: "600" });
    // One update per successful increment, none for a refused one.
    expect(Number(seq)).toBe(600);
    expect(Number(version)).toBe(600);
    await server.stop();
  }, 150_000);

  it("versions: set, unchanged, --if-version from the CLI, exit code 3 on a conflict", async () => {
    const { server, requests } = await startServer("server", ["--quiet"]);
    const cli = (...args: string[]) => runCli([...args, "--requests", requests]);
    const set = await cli("set", "db/url", "postgres://db-1/app");
    expect(set.events[0]).toEqual({ seq: 1, version: 1, changed: true });
    const again = await cli("set", "db/url", "postgres://db-1/app");
    expect(again.events[0]).toEqual({ seq: 1, version: 1, changed: false });
    const text = await runCli(["set", "db/url", "postgres://db-1/app", "--requests", requests], {
      json: false,
    });
    expect(text.stdout).toMatch(
      /^unchanged: db\/url already has that value \(version 1\), seq 1\n$/,
    );
    const other = await cli("set", "other", "x");
    expect(other.events[0]).toMatchObject({ seq: 2, version: 2 });

    // The key is at version 1: --if-version 1 applies, a second one with the same version not.
    const cas = await cli("set", "db/url", "postgres://db-2/app", "--if-version", "1");
    expect(cas.events[0]).toEqual({ seq: 3, version: 3, changed: true });
    const stale = await cli("set", "db/url", "postgres://db-3/app", "--if-version", "1");
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain("db/url is at version 3, not 1");
    // 0: only if it does not exist.
    expect((await cli("set", "new", "1", "--if-version", "0")).events[0]).toMatchObject({
      version: 4,
    });
    expect((await cli("set", "new", "2", "--if-version", "0")).code).toBe(3);
    expect((await cli("del", "new", "--if-version", "3")).code).toBe(3);
    expect((await cli("del", "new", "--if-version", "4")).events[0]).toEqual({
      seq: 5,
      version: 0,
      changed: true,
    });
    const get = await cli("get", "db/url");
    expect(get.events[0]).toEqual({ seq: 5, value: "postgres://db-2/app", version: 3 });
    await server.stop();
  }, 60_000);
});
