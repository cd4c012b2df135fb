// High availability in examples/config-center: a primary and a backup (the ZeroMQ guide's Binary
// Star), each with its data file. The backup follows the primary; kill -9 the primary in the
// middle of a stream of writes and the backup takes over, a node and a client fail over by
// themselves, and no acknowledged write is lost; the restarted primary becomes the passive one.
// Freeze the active server past the failover time and the other takes over on the next request;
// woken up, the frozen one finds a later run active and steps down: never two active servers
// that both serve. Stopping the active one (SIGTERM) hands over at once: that is the fail-back.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { sleep, within } from "./helpers/lifecycle";
import { Cli, runCli, tempDir, type Event } from "./fixtures/config-center/harness";

const HEARTBEAT = 200;
const writer = path.join(__dirname, "fixtures", "config-center", "writer.mjs");

function pair() {
  const dir = tempDir();
  const ep = (name: string) => `ipc://${path.join(dir, name)}`;
  const servers = {
    primary: { updates: ep("primary-updates"), requests: ep("primary-requests") },
    backup: { updates: ep("backup-updates"), requests: ep("backup-requests") },
  };
  const args = (role: "primary" | "backup") => {
    const [me, other] =
      role === "primary" ? [servers.primary, servers.backup] : [servers.backup, servers.primary];
    return [
      ...["server", "--role", role, "--updates", me.updates, "--requests", me.requests],
      ...["--peer-updates", other.updates, "--peer-requests", other.requests],
      ...["--data", path.join(dir, `${role}.log`), "--heartbeat", String(HEARTBEAT), "--quiet"],
    ];
  };
  const requests = `${servers.primary.requests},${servers.backup.requests}`;
  const updates = `${servers.primary.updates},${servers.backup.updates}`;
  return { servers, args, requests, updates };
}

/** Every key and value the active server holds, through the CLI with both endpoints. */
async function contents(requests: string): Promise<Record<string, string>> {
  const result = await runCli(["get", "--requests", requests]);
  expect(result.code, result.stderr).toBe(0);
  return result.events[0].entries as Record<string, string>;
}

async function status(requests: string) {
  const result = await runCli(["status", "--requests", requests, "--timeout", "3000"]);
  expect(result.code, result.stderr).toBe(0);
  return result.events[0] as Event & { state: string; role: string; seq: number; hash: string };
}

const is = (type: string) => (event: Event) => event.event === type;

describe("config center: a primary and a backup", () => {
  it("failover on kill -9, no acknowledged write lost, no two active servers, fail-back", async () => {
    const { servers, args, requests, updates } = pair();
    let primary = new Cli("primary", args("primary"));
    const backup = new Cli("backup", args("backup"));
    await primary.waitFor(is("active"), "the primary active");
    await backup.waitFor(is("synced"), "the backup following");

    const node = new Cli("node", ["node", "--updates", updates, "--requests", requests, "--quiet"]);
    await node.waitFor(is("snapshot"), "the node's snapshot");

    // Writes streaming through the client, which fails over by itself.
    const writes = new Cli("writer", [requests, "key", "200", "5"], { script: writer });
    await writes.waitFor((e) => e.acked === "key/50", "50 writes");
    primary.kill("SIGKILL");
    await primary.exited;
    const takeover = await backup.waitFor(is("active"), "the backup taking over");
    expect(String(takeover.reason)).toMatch(/^failover: the peer is silent for \d+ ms$/);
    await writes.waitFor((e) => e.done === true, "the writer's end", 60_000);
    expect(writes.events.some((e) => e.failover !== undefined)).toBe(true);
    const acked = writes.events.filter((e) => e.acked !== undefined);
    expect(acked.length).toBeGreaterThan(150); // most of them, failover included
    let held = await contents(requests);
    for (const write of acked)
      expect(held[String(write.acked)], String(write.acked)).toBe(write.value);

    // The node followed: failover reported, and in sync with the backup.
    const failover = await node.waitFor(is("failover"), "the node's failover");
    expect(failover).toMatchObject({ from: "primary", to: "backup" });
    let now = await status(requests);
    expect(now).toMatchObject({ state: "active", role: "backup" });
    await node.waitFor(
      (e) => e.event === "state" && e.seq === now.seq && e.hash === now.hash,
      "the node in sync with the backup",
    );

    // The primary comes back: the backup stays active (fail-back is not automatic).
    primary = new Cli("primary", args("primary"));
    await primary.waitFor(is("passive"), "the restarted primary passive");
    await primary.waitFor(is("synced"), "the restarted primary following");
    expect(await status(servers.primary.requests)).toMatchObject({ state: "passive" });
    expect(await status(servers.backup.requests)).toMatchObject({ state: "active" });

    // The active one frozen past the failover time: the primary takes over on a request...
    backup.kill("SIGSTOP");
    await sleep(4 * HEARTBEAT);
    const during = await runCli(["set", "during/freeze", "1", "--requests", requests]);
    expect(during.code, during.stderr).toBe(0);
    await primary.waitFor((e) => e.event === "active", "the primary taking over");
    // ...and the backup, woken up, finds a later run active and steps down.
    // A write sent to it as it wakes is refused: it doubts itself until it knows.
    const from = backup.events.length;
    const toBackup = runCli(
      ["set", "to/backup", "1", "--requests", servers.backup.requests, "--timeout", "3000"],
      { json: false },
    );
    await sleep(200); // the request waits in its socket
    backup.kill("SIGCONT");
    const refused = await toBackup;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is (doubting|passive), not active/);
    await backup.waitForAfter(from, is("passive"), "the woken backup stepping down");
    expect(await status(servers.primary.requests)).toMatchObject({ state: "active" });
    await backup.waitForAfter(from, is("synced"), "the backup following again");
    held = await contents(requests);
    expect(held["during/freeze"]).toBe("1");
    expect(held["to/backup"]).toBeUndefined();
    for (const write of acked)
      expect(held[String(write.acked)], String(write.acked)).toBe(write.value);

    // Fail-back by hand: stop the active one; the passive one takes over at once (BYE).
    await runCli(["set", "before/stop", "1", "--requests", requests]);
    await primary.stop();
    const handover = await backup.waitForAfter(from, is("active"), "the backup taking over");
    expect(handover.reason).toBe("the primary stopped");
    now = await status(requests);
    expect(now).toMatchObject({ role: "backup", state: "active" });
    expect((await contents(requests))["before/stop"]).toBe("1");
    await node.waitFor(
      (e) => e.event === "state" && e.seq === now.seq && e.hash === now.hash,
      "the node in sync again",
    );
    await within(Promise.all([node.stop(), backup.stop()]), 20_000, "stopping");
  }, 180_000);
});
