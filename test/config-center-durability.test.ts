// Durable writes in examples/config-center (--data): an append-only log, fsync'ed before a write
// is acknowledged, replayed at start, compacted now and then. Killed with SIGKILL in the middle of
// concurrent writes, three times, the server loses no acknowledged write; a torn last record (the
// file cut inside its last frame) is cut off at start; corruption in the middle is refused in one
// line; the old JSON data file is read; and after a compaction and a restart the same state comes
// back, which a node that followed the old run catches up with by a replay, not a snapshot.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { Dealer } from "../src/index";
import { track } from "./helpers/lifecycle";
import { Cli, requester, runCli, tempDir } from "./fixtures/config-center/harness";

function setup() {
  const dir = tempDir();
  const data = path.join(dir, "data.log");
  const requests = `ipc://${path.join(dir, "requests")}`;
  const endpoints = ["--updates", `ipc://${path.join(dir, "updates")}`, "--requests", requests];
  const start = async (extra: string[] = []) => {
    const server = new Cli("server", ["server", ...endpoints, "--data", data, "--quiet", ...extra]);
    const listening = await server.waitFor((e) => e.event === "listening", "listening");
    return { server, listening };
  };
  return { dir, data, requests, endpoints, start };
}

/** Every key and value the server holds (through `cli.mjs get --json`). */
async function contents(requests: string): Promise<Record<string, string>> {
  const result = await runCli(["get", "--requests", requests]);
  expect(result.code, result.stderr).toBe(0);
  return result.events[0].entries as Record<string, string>;
}

describe("config center: durable writes", () => {
  it("SIGKILL during concurrent writes, three times: no acknowledged write is lost", async () => {
    const { requests, start } = setup();
    /** key -> the last value acknowledged, and the one sent after it with no reply (yet). */
    const keys = new Map<string, { acked?: string; unsure?: string }>();
    let acknowledged = 0;
    for (let round = 0; round < 3; round++) {
      const { server } = await start();
      if (round > 0) {
        // Everything acknowledged before the kill is there.
        const held = await contents(requests);
        for (const [key, { acked, unsure }] of keys) {
          expect([acked, ...(unsure === undefined ? [] : [unsure])], key).toContain(held[key]);
          keys.set(key, { acked: held[key] });
        }
      }
      let writing = true;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        const request = requester(requests);
        for (let i = 0; writing; i++) {
          const key = `writer-${w}/key-${i % 25}`;
          const value = `round ${round} write ${i}`;
          const entry = keys.get(key) ?? {};
          entry.unsure = value;
          keys.set(key, entry);
          try {
            const [status] = (await request.frames("SET", [key, value], 2000)).map(String);
            expect(status).toBe("OK");
          } catch {
            // No reply: the server was killed (this write stays "unsure"). Closed, so that the
            // request still queued in the socket does not reach the next server later.
            request.dealer.close();
            return;
          }
          keys.set(key, { acked: value });
          acknowledged++;
        }
      });
      const before = acknowledged;
      while (acknowledged < before + 200) await new Promise((resolve) => setTimeout(resolve, 20));
      server.kill("SIGKILL");
      await server.exited;
      writing = false;
      await Promise.all(writers);
    }
    const { server } = await start();
    const held = await contents(requests);
    for (const [key, { acked, unsure }] of keys) {
      expect([acked, ...(unsure === undefined ? [] : [unsure])], key).toContain(held[key]);
    }
    expect(acknowledged).toBeGreaterThanOrEqual(600);
    await server.stop();
  }, 120_000);

  it("a torn last record is cut off at start; corruption before the end is refused", async () => {
    const { data, requests, start } = setup();
    const first = await start();
    const request = requester(requests);
    for (let i = 0; i < 50; i++)
      expect((await request("SET", `key/${i}`, `value ${i}`))[0]).toBe("OK");
    // The last write: sent, carried out, never acknowledged to anyone (the client is gone).
    const gone = new Dealer({ linger: 0 });
    gone.connect(requests);
    await gone.send(["", "1", "SET", "unacknowledged", "x".repeat(100)]);
    const watcher = track(new Dealer({ linger: 0 }));
    watcher.connect(requests);
    for (let seq = 0; seq !== 51;) {
      await watcher.send(["", "s", "STATUS"]);
      seq = Number(String((await watcher.receive())[4]));
    }
    gone.close();
    first.server.kill("SIGKILL");
    await first.server.exited;
    const whole = fs.readFileSync(data);
    // Its frame: 8 bytes of length and checksum, a type byte, one record (17 bytes, the key's
    // 14 bytes, 4 bytes of length, the value's 100 bytes).
    const lastFrame = 8 + 1 + 17 + "unacknowledged".length + 4 + 100;
    for (const cut of [1, lastFrame - 1]) {
      fs.writeFileSync(data, whole.subarray(0, whole.length - cut));
      const { server } = await start();
      const truncated = await server.waitFor((e) => e.event === "truncated", "truncated");
      expect(truncated.bytes).toBe(lastFrame - cut);
      const held = await contents(requests);
      expect(Object.keys(held)).toHaveLength(50);
      for (let i = 0; i < 50; i++) expect(held[`key/${i}`]).toBe(`value ${i}`);
      await server.stop();
      // Cut once, it stays cut: the next start has nothing to cut.
      const again = await start();
      expect((await contents(requests))["key/49"]).toBe("value 49");
      expect(again.server.of("truncated")).toEqual([]);
      await again.server.stop();
    }

    // A byte flipped in the middle: valid frames follow, so it is not a torn end.
    const corrupt = Buffer.from(whole);
    corrupt[Math.floor(corrupt.length / 2)] ^= 0xff;
    fs.writeFileSync(data, corrupt);
    const refused = await runCli(
      ["server", "--updates", "ipc:///nonexistent/u", "--requests", requests, "--data", data],
      { json: false },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^server: .*data\.log is corrupt at byte \d+ \(valid data follows\).*\n$/,
    );
    expect(fs.readFileSync(data).equals(corrupt)).toBe(true); // left as it was

    // The data file of earlier versions (the whole map as JSON) is read, then written anew.
    fs.writeFileSync(data, JSON.stringify({ seq: 7, entries: [["old/key", "old value"]] }));
    const legacy = await start();
    expect(legacy.listening).toMatchObject({ seq: 7, size: 1 });
    expect(await contents(requests)).toEqual({ "old/key": "old value" });
    await legacy.server.stop();
    expect(fs.readFileSync(data).subarray(0, 7).toString()).toBe("CCLOG1\n");
  }, 120_000);

  it("compaction, then a restart: the same state, and a node catches up by a replay", async () => {
    const { data, requests, endpoints, start } = setup();
    const first = await start(["--heartbeat", "200"]);
    const node = new Cli("node", ["node", ...endpoints, "--quiet"]);
    await node.waitFor((e) => e.event === "snapshot", "its snapshot");
    const request = requester(requests);
    // 200 writes of 128 KiB over 20 keys: 25 MiB of log for 2.5 MiB of state.
    for (let i = 0; i < 200; i++) {
      const value = `${i}`.padEnd(128 * 1024, "v");
      expect((await request("SET", `big/${i % 20}`, value))[0]).toBe("OK");
    }
    const compacted = await first.server.waitFor((e) => e.event === "compacted", "compacted");
    expect(compacted.after).toBeLessThan(compacted.before as number);
    for (let i = 0; i < 10; i++) await request("SET", `after/${i}`, `${i}`);
    // Less than what was written: what the compaction left, and what came after it.
    expect(fs.statSync(data).size).toBeLessThan(200 * 128 * 1024);
    const [, , seq, size, hash] = await request("STATUS");
    await first.server.stop();

    const second = await start(["--heartbeat", "200"]);
    expect(second.listening).toMatchObject({ seq: Number(seq), size: Number(size) });
    const [, run, seqAgain, , hashAgain] = await request("STATUS");
    expect({ seq: seqAgain, hash: hashAgain }).toEqual({ seq, hash });
    await request("SET", "after/restart", "1");
    await node.waitFor(
      (e) => e.event === "state" && e.run === run && e.seq === Number(seq) + 1,
      "the new run's state",
    );
    // The new run continues the old one's history: no second snapshot, and the node joins the
    // new run by a replay. Whether that replay carries the write made after the restart, or the
    // node joined first (a replay up to `seq`) and got the write live, depends on timing.
    expect(node.of("snapshot")).toHaveLength(1);
    const replaysOfNewRun = node.of("replay").filter((e) => e.run === run);
    expect(replaysOfNewRun.length).toBeGreaterThan(0);
    expect([Number(seq), Number(seq) + 1]).toContain(replaysOfNewRun.at(-1)!.to);
    await Promise.all([node, second.server].map((cli) => cli.stop()));
  }, 120_000);
});
