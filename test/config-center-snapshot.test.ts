// Snapshots of examples/config-center streamed in bounded chunks: big maps and big values
// served to several nodes joining at once while the map is being written to, and the stream
// protocol itself — one chunk per credit, a new stream replacing its client's previous one,
// CANCEL, BUSY beyond the streams a server sends at once, and nodes backing off until served.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { Dealer } from "../src/index";
import { sleep, track, within } from "./helpers/lifecycle";
import {
  Cli,
  requester,
  runCli,
  startServer,
  stateHash,
  tempDir,
} from "./fixtures/config-center/harness";

/** Writes `entries` as the JSON object `cli.mjs import` reads, and imports it. */
async function importEntries(requests: string, entries: Map<string, string>): Promise<void> {
  const file = path.join(tempDir(), "import.json");
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(entries)));
  const result = await runCli(["import", file, "--requests", requests, "--timeout", "60000"], {
    ms: 120_000,
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.events[0]).toMatchObject({ keys: entries.size, changed: entries.size });
}

/** Every message a dealer receives for request `id`, as it comes. */
function collect(dealer: Dealer) {
  const received = new Map<string, Buffer[][]>();
  const watchers = new Set<() => void>();
  void (async () => {
    for await (const [, id, ...reply] of dealer) {
      const list = received.get(String(id)) ?? [];
      list.push(reply);
      received.set(String(id), list);
      for (const watcher of [...watchers]) watcher();
    }
  })();
  return {
    of: (id: string) => received.get(id) ?? [],
    /** Waits until `id` has received `count` messages in all. */
    until: (id: string, count: number, what: string) =>
      within(
        new Promise<void>((resolve) => {
          const check = () => {
            if ((received.get(id)?.length ?? 0) < count) return;
            watchers.delete(check);
            resolve();
          };
          watchers.add(check);
          check();
        }),
        10_000,
        what,
      ),
  };
}

describe("config center: snapshots in chunks", () => {
  it("100 values of 1 MiB and 20,000 keys, written to while three nodes join at once", async () => {
    const { server, connect, requests } = await startServer("server", [
      ...["--heartbeat", "200", "--quiet"],
    ]);
    const model = new Map<string, string>();
    // (A map of a million keys is served in the convergence run, config-center-convergence.)
    for (let i = 0; i < 20_000; i++) model.set(`small/${i}`, `value ${i}`);
    for (let i = 0; i < 100; i++) {
      model.set(`big/${i}`, `${i}:`.padEnd(1024 * 1024, String.fromCharCode(97 + (i % 26))));
    }
    await importEntries(requests, model);

    // A writer that goes on while the nodes take their snapshots: sets, deletes, and keys
    // deleted then set again (a snapshot read from the live map sees all of that happen).
    const request = requester(requests);
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const key = `small/${(i * 7919) % 20_000}`;
        if (i % 3 === 2) {
          expect((await request("DEL", key))[0]).toBe("OK");
          model.delete(key);
        } else {
          const value = `rewritten ${i}`;
          expect((await request("SET", key, value))[0]).toBe("OK");
          model.set(key, value);
        }
        writes++;
      }
    })();

    const nodes = ["a", "b", "c"].map(
      (name) => new Cli(name, ["node", ...connect, "--name", name, "--quiet"]),
    );
    // The server answers other requests while it streams.
    const status = await runCli(["status", "--requests", requests, "--timeout", "20000"]);
    expect(status.code, status.stderr).toBe(0);
    await Promise.all(
      nodes.map((node) =>
        node.waitFor((e) => e.event === "snapshot", "its first snapshot", 120_000),
      ),
    );
    writing = false;
    await within(writer, 10_000, "the writer stopping");
    expect(writes).toBeGreaterThan(0);

    const [, , seqText, sizeText, hash] = await request("STATUS");
    expect(Number(sizeText)).toBe(model.size);
    expect(hash).toBe(stateHash(model));
    const seq = Number(seqText);
    for (const node of nodes) {
      await node.waitFor(
        (e) => (e.event === "state" || e.event === "snapshot") && e.seq === seq,
        `reaching seq ${seq}`,
        30_000,
      );
      expect(node.state).toEqual({ seq, hash });
    }
    await Promise.all([...nodes, server].map((cli) => cli.stop()));
  }, 240_000);

  it("sends one chunk per credit; a new stream, or CANCEL, ends the previous one; BUSY beyond 16", async () => {
    const { requests, connect } = await startServer("server", ["--quiet"]);
    // ~4 MB: about sixteen chunks of 256 KiB.
    const model = new Map<string, string>();
    for (let i = 0; i < 4000; i++) model.set(`key/${i}`, "v".repeat(1000));
    await importEntries(requests, model);

    const dealer = track(new Dealer({ linger: 0 }));
    dealer.connect(requests);
    const replies = collect(dealer);

    // One credit: one chunk, then nothing until the next credit.
    await dealer.send(["", "s1", "ICANHAZ?", "", "1"]);
    await replies.until("s1", 1, "the first chunk");
    await sleep(300);
    expect(replies.of("s1")).toHaveLength(1);
    expect(String(replies.of("s1")[0][0])).toBe("CHUNK");
    await dealer.send(["", "s1", "MORE", "1"]);
    await replies.until("s1", 2, "the chunk after one more credit");
    expect(String(replies.of("s1")[1][3])).toBe("1"); // its index

    // A new stream from the same client replaces s1: credit for s1 gets nothing any more.
    await dealer.send(["", "s2", "ICANHAZ?", "", "1"]);
    await replies.until("s2", 1, "the first chunk of s2");
    await dealer.send(["", "s1", "MORE", "4"]);
    await dealer.send(["", "s2", "CANCEL"]);
    await dealer.send(["", "s2", "MORE", "4"]);
    await sleep(300);
    expect(replies.of("s1")).toHaveLength(2);
    expect(replies.of("s2")).toHaveLength(1);

    // Given credit all along, a stream ends with KTHXBAI and holds every key.
    await dealer.send(["", "s3", "ICANHAZ?", "", "64"]);
    await replies.until("s3", 2, "s3 under way");
    const ended = () => replies.of("s3").some((reply) => String(reply[0]) === "KTHXBAI");
    for (let credits = 0; !ended() && credits < 100; credits++) {
      await dealer.send(["", "s3", "MORE", "1"]);
      await sleep(5);
    }
    const last = replies.of("s3").at(-1)!.map(String);
    expect(last[0]).toBe("KTHXBAI");
    expect(Number(last[4])).toBe(model.size);

    // Sixteen streams at once are served; the seventeenth is told to come back later.
    const holders = Array.from({ length: 16 }, () => {
      const holder = track(new Dealer({ linger: 0 }));
      holder.connect(requests);
      return { holder, replies: collect(holder) };
    });
    for (const [i, { holder, replies: held }] of holders.entries()) {
      await holder.send(["", `h${i}`, "ICANHAZ?", "", "1"]);
      await held.until(`h${i}`, 1, `stream h${i}`);
    }
    await dealer.send(["", "s4", "ICANHAZ?", "", "1"]);
    await replies.until("s4", 1, "the reply to a seventeenth stream");
    const busy = replies.of("s4")[0].map(String);
    expect(busy[0]).toBe("BUSY");
    expect(Number(busy[1])).toBeGreaterThan(0);

    // A node that joins now backs off and asks again until it is served.
    const node = new Cli("node", ["node", ...connect, "--quiet"]);
    await node.waitFor(
      (e) => e.event === "warning" && /busy/.test(String(e.message)),
      "being told the server is busy",
    );
    for (const [i, { holder }] of holders.entries()) await holder.send(["", `h${i}`, "CANCEL"]);
    const snapshot = await node.waitFor((e) => e.event === "snapshot", "its snapshot", 30_000);
    expect(snapshot).toMatchObject({ size: model.size, hash: stateHash(model) });
  }, 120_000);
});
