// Liveness in examples/config-center: a node that hears nothing from its server for three
// heartbeat intervals says "server lost" (and why: a frozen server, a dead one, an endpoint
// where nothing listens, the wrong kind of socket), says "reconnected" when the server is back,
// and converges; a client's error says the same. A node that was itself frozen does not blame
// the server for its own pause.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { sleep } from "./helpers/lifecycle";
import { Cli, requester, runCli, startServer, tempDir } from "./fixtures/config-center/harness";

const HEARTBEAT = 200;

function ipcEndpoints() {
  const dir = tempDir();
  return {
    updates: `ipc://${path.join(dir, "updates")}`,
    requests: `ipc://${path.join(dir, "requests")}`,
    nowhere: `ipc://${path.join(dir, "nothing-here")}`,
  };
}

describe("config center: liveness", () => {
  it("a frozen, then dead, then restarted server: server lost, reconnected, and in sync", async () => {
    const { updates, requests } = ipcEndpoints();
    const endpoints = ["--updates", updates, "--requests", requests];
    const serverArgs = ["server", ...endpoints, "--heartbeat", String(HEARTBEAT), "--quiet"];
    let server = new Cli("server", serverArgs);
    const first = await server.waitFor((e) => e.event === "listening", "listening");
    const node = new Cli("node", ["node", ...endpoints, "--quiet"]);
    await node.waitFor((e) => e.event === "snapshot", "its snapshot");
    const request = requester(requests);
    for (let i = 0; i < 10; i++) await request("SET", `key/${i}`, `value ${i}`);

    // Frozen: connected, silent.
    let from = node.events.length;
    server.kill("SIGSTOP");
    const frozen = await node.waitForAfter(from, (e) => e.event === "lost", "server lost");
    expect(frozen.silentFor).toBeGreaterThan(3 * HEARTBEAT);
    expect(frozen.message).toMatch(/is connected but did not send anything .* frozen/);
    const status = await runCli(["status", "--requests", requests, "--timeout", "1000"], {
      json: false,
    });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/did not (answer|complete) .*frozen/);
    expect(status.stderr.trim().split("\n")).toHaveLength(1);

    // Back: the same run, nothing missed, so no snapshot is needed.
    from = node.events.length;
    server.kill("SIGCONT");
    const back = await node.waitForAfter(from, (e) => e.event === "reconnected", "reconnected");
    expect(back).toMatchObject({ run: first.epoch });
    await request("SET", "after/freeze", "yes");
    await node.waitFor((e) => e.event === "state" && e.seq === 11, "seq 11");
    expect(node.of("snapshot")).toHaveLength(1);

    // Dead: the connection goes.
    from = node.events.length;
    server.kill("SIGKILL");
    await server.exited;
    const dead = await node.waitForAfter(from, (e) => e.event === "lost", "server lost");
    expect(dead.message).toMatch(/lost the connection .* down/);

    // Restarted without --data: a new run, which the node takes a snapshot of.
    from = node.events.length;
    server = new Cli("server", serverArgs);
    const second = await server.waitFor((e) => e.event === "listening", "listening");
    const again = await node.waitForAfter(from, (e) => e.event === "reconnected", "reconnected");
    expect(again).toMatchObject({ run: second.epoch });
    await request("SET", "new/run", "1");
    const [, run, seq, , hash] = await request("STATUS");
    await node.waitFor(
      (e) => (e.event === "state" || e.event === "snapshot") && e.run === run && e.seq === 1,
      "the new run's state",
    );
    expect(node.state).toEqual({ seq: Number(seq), hash });

    // The node frozen for ten heartbeat intervals: the server's heartbeats waited in its
    // socket meanwhile, so on waking it does not say "server lost".
    from = node.events.length;
    node.kill("SIGSTOP");
    await sleep(10 * HEARTBEAT);
    node.kill("SIGCONT");
    await request("SET", "new/run", "2");
    await node.waitForAfter(from, (e) => e.event === "state" && e.seq === 2, "seq 2");
    await sleep(2 * HEARTBEAT);
    expect(node.events.slice(from).filter((e) => e.event === "lost")).toEqual([]);
    await Promise.all([node, server].map((cli) => cli.stop()));
  }, 60_000);

  it("wrong endpoints: each node and client says what is wrong, in one line", async () => {
    const { updates, requests, connect } = await startServer("server", [
      ...["--heartbeat", String(HEARTBEAT), "--quiet"],
    ]);
    const other = await startServer("other server", ["--heartbeat", String(HEARTBEAT), "--quiet"]);
    const { nowhere } = ipcEndpoints();
    const nodes = {
      // Updates from nowhere: lost, and the requests endpoint that answers points at --updates.
      noUpdates: new Cli("no updates", ["node", "--updates", nowhere, "--requests", requests]),
      // Both endpoints swapped: the handshakes fail.
      swapped: new Cli("swapped", ["node", "--updates", requests, "--requests", updates]),
      // Updates of one server, requests of another.
      mixed: new Cli("mixed", ["node", "--updates", other.updates, "--requests", requests]),
    };
    const noUpdatesLost = await nodes.noUpdates.waitFor((e) => e.event === "lost", "lost");
    expect(noUpdatesLost.message).toMatch(/could not connect to .*nothing-here/);
    await nodes.noUpdates.waitFor(
      (e) =>
        e.event === "warning" &&
        /requests endpoint answers .* is --updates right/.test(String(e.message)),
      "the hint about --updates",
    );
    await nodes.swapped.waitFor(
      (e) =>
        (e.event === "warning" || e.event === "lost") &&
        /drops the connection during the ZeroMQ handshake/.test(String(e.message)),
      "the handshake failure",
    );
    await nodes.mixed.waitFor(
      (e) =>
        e.event === "warning" &&
        /updates come from run .* the requests endpoint serves run/.test(String(e.message)),
      "the two-servers warning",
    );

    const nothing = await runCli(["status", "--requests", nowhere, "--timeout", "1000"], {
      json: false,
    });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^status: .*could not connect to .*nothing-here.*\n$/);
    const swapped = await runCli(["status", "--requests", updates, "--timeout", "3000"], {
      json: false,
    });
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/drops the connection during the ZeroMQ handshake.*\n$/);
    expect(swapped.stderr.trim().split("\n")).toHaveLength(1);
    // The right one works.
    const right = await runCli(["status", ...connect.slice(2)]);
    expect(right.code, right.stderr).toBe(0);
    await Promise.all(Object.values(nodes).map((cli) => cli.stop()));
  }, 60_000);
});
