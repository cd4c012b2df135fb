// --curve in examples/config-center: the server's sockets are CURVE servers and the library's
// ZAP authenticator lets in only the clients on the allow-list (a directory of public
// certificates written by `cli.mjs keys`). A client on it reads and writes, a node on it follows;
// a client with another key is refused, one without CURVE too, each told why in one line. A
// primary and a backup replicate over CURVE, each on the other's allow-list. Without --curve, a
// server that listens on every interface says so.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { Cli, runCli, tempDir } from "./fixtures/config-center/harness";

function keys(dir: string, name: string) {
  return runCli(["keys", dir, name]).then((result) => {
    expect(result.code, result.stderr).toBe(0);
    return result.events[0] as unknown as { public: string; secret: string; publicKey: string };
  });
}

describe("config center: --curve", () => {
  it("lets in the clients on the allow-list only, and says why to the others", async () => {
    const dir = tempDir();
    const allowed = path.join(dir, "clients");
    const server = await keys(dir, "server");
    const alice = await keys(allowed, "alice");
    const bob = await keys(dir, "bob"); // not on the list
    const ep = (name: string) => `ipc://${path.join(dir, name)}`;
    const serving = new Cli("server", [
      ...["server", "--updates", ep("u"), "--requests", ep("r"), "--heartbeat", "200"],
      ...["--curve", server.secret, "--clients", allowed],
    ]);
    await serving.waitFor((e) => e.event === "listening", "listening");
    const as = (who: { secret: string }) => ["--curve", who.secret, "--server-key", server.public];

    const set = await runCli([
      "set",
      "db/url",
      "postgres://db-1/app",
      "--requests",
      ep("r"),
      ...as(alice),
    ]);
    expect(set.code, set.stderr).toBe(0);
    const node = new Cli("node", [
      "node",
      "--updates",
      ep("u"),
      "--requests",
      ep("r"),
      ...as(alice),
    ]);
    await node.waitFor((e) => e.event === "snapshot" && e.size === 1, "its snapshot");
    // The server's key can be given as the key itself, too.
    const get = await runCli([
      ...["get", "db/url", "--requests", ep("r"), "--curve", alice.secret],
      ...["--server-key", server.publicKey],
    ]);
    expect(get.events[0]).toMatchObject({ value: "postgres://db-1/app" });

    const refused = await runCli(
      ["status", "--requests", ep("r"), "--timeout", "2000", ...as(bob)],
      { json: false },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused this client .* allow-list \(--clients\)\?\n$/);
    await serving.waitFor(
      (e) => e.event === "warning" && String(e.message).startsWith("refused a client from"),
      "the server reporting the refusal",
    );
    const plain = await runCli(["status", "--requests", ep("r"), "--timeout", "2000"], {
      json: false,
    });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/other security settings/);
    const wrong = await runCli(["status", "--requests", ep("r"), "--server-key", server.public], {
      json: false,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("status: --server-key goes with --curve (cli.mjs --help)\n");
    await Promise.all([node.stop(), serving.stop()]);
  }, 60_000);

  it("a primary and a backup over CURVE; a warning for every interface without it", async () => {
    const dir = tempDir();
    const allowed = path.join(dir, "clients");
    const primaryKeys = await keys(allowed, "primary"); // each server is a client of the other
    const backupKeys = await keys(allowed, "backup");
    const client = await keys(allowed, "client");
    const ep = (name: string) => `ipc://${path.join(dir, name)}`;
    const args = (role: string, me: { secret: string }, other: { public: string }) => {
      const [mine, theirs] = role === "primary" ? ["p", "b"] : ["b", "p"];
      return [
        ...["server", "--role", role, "--updates", ep(`${mine}-u`), "--requests", ep(`${mine}-r`)],
        ...["--peer-updates", ep(`${theirs}-u`), "--peer-requests", ep(`${theirs}-r`)],
        ...["--curve", me.secret, "--clients", allowed, "--peer-key", other.public],
        ...["--heartbeat", "200", "--quiet"],
      ];
    };
    const primary = new Cli("primary", args("primary", primaryKeys, backupKeys));
    const backup = new Cli("backup", args("backup", backupKeys, primaryKeys));
    await primary.waitFor((e) => e.event === "active", "the primary active");
    await backup.waitFor((e) => e.event === "synced", "the backup following over CURVE");
    const serverKeys = `${primaryKeys.public},${backupKeys.public}`;
    const connect = [
      ...["--updates", `${ep("p-u")},${ep("b-u")}`, "--requests", `${ep("p-r")},${ep("b-r")}`],
      ...["--curve", client.secret, "--server-key", serverKeys],
    ];
    const node = new Cli("node", ["node", ...connect, "--quiet"]);
    await node.waitFor((e) => e.event === "snapshot", "its snapshot");
    const set = await runCli(["set", "k", "v", ...connect.slice(2)]);
    expect(set.code, set.stderr).toBe(0);
    const status = await runCli([
      "status",
      "--requests",
      ep("b-r"),
      "--curve",
      client.secret,
      "--server-key",
      backupKeys.public,
    ]);
    expect(status.events[0]).toMatchObject({ state: "passive", seq: 1 });
    await node.waitFor((e) => e.event === "state" && e.seq === 1, "the node at seq 1");
    for (const server of [primary, backup]) {
      expect(server.events.filter((e) => e.event === "warning")).toEqual([]);
    }
    await Promise.all([node.stop(), backup.stop(), primary.stop()]);

    // No --curve, every interface: a warning; 127.0.0.1: none.
    const open = new Cli("open", [
      "server",
      "--updates",
      "tcp://*:*",
      "--requests",
      "tcp://127.0.0.1:*",
    ]);
    const warned = await open.waitFor((e) => e.event === "warning", "the warning");
    expect(warned.message).toBe(
      "tcp://*:* listens on every interface without --curve: whoever reaches it can read and change the configuration",
    );
    await open.waitFor((e) => e.event === "listening", "listening");
    expect(open.of("warning")).toHaveLength(1);
    await open.stop();
  }, 60_000);
});
