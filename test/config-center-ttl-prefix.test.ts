// Ephemeral keys and subtrees in examples/config-center. A key set with a TTL is deleted by the
// server when its TTL runs out unless set again in time (the guide's model 5), everywhere, and
// by the backup too once it has taken over. A node can follow one subtree (--prefix db/): only
// its keys reach it, and its state is exact — the server's subtree — at every heartbeat, though
// it lost updates on the way; a program can watch a prefix (ConfigNode#watch).
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { sleep } from "./helpers/lifecycle";
import {
  Cli,
  requester,
  runCli,
  startServer,
  tempDir,
  type Event,
} from "./fixtures/config-center/harness";

const watcher = path.join(__dirname, "fixtures", "config-center", "watcher.mjs");
const isState = (event: Event) => event.event === "state" || event.event === "snapshot";

describe("config center: ephemeral keys (TTL)", () => {
  it("expires unless set again in time; nodes see it go", async () => {
    const { server, connect, requests } = await startServer("server", ["--heartbeat", "200"]);
    const node = new Cli("node", ["node", ...connect]);
    await node.waitFor((e) => e.event === "snapshot", "its snapshot");
    const request = requester(requests);
    expect((await request("SET", "config/permanent", "stays"))[0]).toBe("OK");
    expect((await request("SET", "lease/worker-1", "alive", "", "1500"))[0]).toBe("OK");
    const [, , value, , ttl] = await request("GET", "lease/worker-1");
    expect(value).toBe("alive");
    expect(Number(ttl)).toBeGreaterThan(0);
    expect(Number(ttl)).toBeLessThanOrEqual(1500);
    // Renewed every 300 ms, it outlives its TTL.
    for (let i = 0; i < 8; i++) {
      await sleep(300);
      expect((await request("SET", "lease/worker-1", "alive", "", "1500"))[0]).toBe("OK");
    }
    expect((await request("GET", "lease/worker-1"))[0]).toBe("OK");
    // Left alone, it goes: the server publishes its deletion, as "expired".
    const expired = await server.waitFor(
      (e) => e.event === "update" && e.key === "lease/worker-1" && e.expired === true,
      "the lease expiring",
    );
    await node.waitFor(
      (e) => e.event === "update" && e.key === "lease/worker-1" && e.deleted === true,
      "the node seeing it go",
    );
    expect((await request("GET", "lease/worker-1"))[0]).toBe("NOTFOUND");
    const [, , seq, size, hash] = await request("STATUS");
    expect(Number(size)).toBe(1);
    await node.waitFor((e) => isState(e) && e.seq === Number(seq), "the final state");
    expect(node.state).toEqual({ seq: Number(seq), hash });
    expect(Number(seq)).toBe(expired.seq);
    await Promise.all([node.stop(), server.stop()]);
  }, 60_000);

  it("the backup that takes over expires the keys whose TTL runs out", async () => {
    const dir = tempDir();
    const ep = (name: string) => `ipc://${path.join(dir, name)}`;
    const args = (role: string, me: string, other: string) => [
      ...["server", "--role", role, "--updates", ep(`${me}-u`), "--requests", ep(`${me}-r`)],
      ...["--peer-updates", ep(`${other}-u`), "--peer-requests", ep(`${other}-r`)],
      ...["--heartbeat", "200", "--quiet"],
    ];
    const primary = new Cli("primary", args("primary", "p", "b"));
    const backup = new Cli("backup", args("backup", "b", "p"));
    await primary.waitFor((e) => e.event === "active", "the primary active");
    await backup.waitFor((e) => e.event === "synced", "the backup following");
    const both = `${ep("p-r")},${ep("b-r")}`;
    const set = (key: string, ttl: string) =>
      runCli(["set", key, "x", "--ttl", ttl, "--requests", both]);
    expect((await set("lease/short", "3000")).code).toBe(0);
    expect((await set("lease/long", "600000")).code).toBe(0);
    await sleep(400); // the backup has them
    primary.kill("SIGKILL");
    await primary.exited;
    // The next request makes the backup take over; it then expires lease/short on its own.
    const status = await runCli(["status", "--requests", both]);
    expect(status.events[0]).toMatchObject({ role: "backup", state: "active" });
    for (let tries = 0; tries < 100; tries++) {
      const short = await runCli(["get", "lease/short", "--requests", both]);
      if (short.code === 1) break;
      await sleep(200);
    }
    expect((await runCli(["get", "lease/short", "--requests", both])).code).toBe(1);
    const long = await runCli(["get", "lease/long", "--requests", both]);
    expect(long.events[0]).toMatchObject({ value: "x" });
    expect(Number(long.events[0].ttl)).toBeGreaterThan(500_000);
    await backup.stop();
  }, 90_000);
});

describe("config center: subtrees", () => {
  it("a node following db/ holds exactly the server's db/ keys, whatever it lost", async () => {
    const { server, connect, requests } = await startServer("server", [
      ...["--heartbeat", "200", "--quiet"],
    ]);
    const subtree = new Cli("db node", [
      "node",
      ...connect,
      "--prefix",
      "db/",
      "--drop-every",
      "3",
    ]);
    const all = new Cli("full node", ["node", ...connect, "--quiet"]);
    const watching = new Cli("watcher", [connect[1], connect[3], "db/", "db/a"], {
      script: watcher,
    });
    await Promise.all([
      subtree.waitFor((e) => e.event === "snapshot", "its snapshot"),
      all.waitFor((e) => e.event === "snapshot", "its snapshot"),
      watching.waitFor((e) => e.ready !== undefined, "the watcher ready"),
    ]);
    const request = requester(requests);
    for (let i = 0; i < 300; i++) {
      const tree = ["db/a/", "db/b/", "http/", "cache/"][i % 4];
      const key = `${tree}${i % 13}`;
      if (i % 7 === 6) await request("DEL", key);
      else await request("SET", key, `value ${i}`);
    }
    const whole = await runCli(["status", "--requests", requests]);
    const db = await runCli(["status", "--prefix", "db/", "--requests", requests]);
    const dbState = db.events[0] as unknown as { seq: number; hash: string; size: number };
    expect(dbState.size).toBeGreaterThan(0);
    expect(dbState.size).toBeLessThan(whole.events[0].size as number);
    await subtree.waitFor(
      (e) => isState(e) && e.seq === dbState.seq,
      `the subtree node at seq ${dbState.seq}`,
    );
    expect(subtree.state).toEqual({ seq: dbState.seq, hash: dbState.hash });
    expect(subtree.events.filter((e) => e.event === "state").at(-1)).toMatchObject({
      size: dbState.size,
    });
    // Only db/ keys reached it; it did lose some, and recovered them.
    const keys = subtree.of("update").map((e) => String(e.key));
    expect(keys.every((key) => key.startsWith("db/"))).toBe(true);
    expect(subtree.of("dropped").length).toBeGreaterThan(0);
    // The full node has everything.
    const wholeState = whole.events[0] as unknown as { seq: number; hash: string };
    await all.waitFor((e) => isState(e) && e.seq === wholeState.seq, "the full node's state");
    expect(all.state).toEqual({ seq: wholeState.seq, hash: wholeState.hash });

    // The watcher saw db/a keys only, and ends with what the server has for them.
    const changes = watching.events.filter((e) => e.key !== undefined);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((e) => String(e.key).startsWith("db/a"))).toBe(true);
    const listed = await runCli(["get", "--prefix", "db/a", "--requests", requests]);
    const expected = listed.events[0].entries as Record<string, string>;
    const view = () => {
      const last = new Map<string, string | null>();
      for (const change of watching.events.filter((e) => e.key !== undefined)) {
        last.set(String(change.key), change.value as string | null);
      }
      const held = [...last]
        .filter(([, value]) => value !== null)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      return Object.fromEntries(held);
    };
    // What it lost comes with the replay at the next heartbeats.
    for (
      let tries = 0;
      tries < 50 && JSON.stringify(view()) !== JSON.stringify(expected);
      tries++
    ) {
      await sleep(200);
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(view()).toEqual(expected);
    await Promise.all([subtree.stop(), all.stop(), watching.stop(), server.stop()]);
  }, 90_000);
});
