// examples/config-center end to end, every part in a process of its own (through its CLI): a
// server, a writer streaming updates without pause, and six nodes started at different times —
// one killed (SIGKILL) and restarted mid-stream, one frozen (SIGSTOP) and resumed, two with a
// receive high water mark of 1 behind a publisher with a send high water mark of 20, and one
// that throws away every 25th update on purpose. Whatever each lost, every node must end with
// the server's state: the same sequence number and the same state hash, which each node prints.
//
// The writer talks to the server with a Dealer of its own, and the test hashes the map it wrote
// with its own implementation of the documented hash: both check the protocol as written down
// in examples/config-center/README.md, not only as the example implements it.
import { describe, expect, it } from "vitest";

import { within } from "./helpers/lifecycle";
import { Cli, requester, stateHash } from "./fixtures/config-center/harness";

describe("config center", () => {
  it("six nodes started at different times, one restarted, updates lost: all end with the server's state", async () => {
    // --- the server, on free ports --------------------------------------------------------
    const server = new Cli("server", [
      ...["server", "--updates", "tcp://127.0.0.1:*", "--requests", "tcp://127.0.0.1:*"],
      ...["--heartbeat", "100", "--hwm", "20", "--quiet"],
    ]);
    const listening = await server.waitFor((e) => e.event === "listening", "listening");
    const endpoints = [
      "--updates",
      String(listening.updates),
      "--requests",
      String(listening.requests),
    ];
    const nodes = new Map<string, Cli>();
    const startNode = (name: string, ...extra: string[]) => {
      const node = new Cli(name, ["node", ...endpoints, "--name", name, ...extra]);
      nodes.set(name, node);
      return node;
    };
    const snapshotOf = (node: Cli) =>
      node.waitFor((e) => e.event === "snapshot", "its first snapshot");

    // --- the writer: sets and deletes over a small set of keys, without pause --------------
    const request = requester(String(listening.requests));
    const model = new Map<string, string>(); // what the server must hold
    const history = new Map<number, { key: string; value?: string }>(); // seq -> the update
    let written = 0;
    let lastSeq = 0;
    let stopWriting = false;
    const milestones: Array<{ at: number; reached: () => void }> = [];
    const writer = (async () => {
      for (let i = 0; !stopWriting; i++) {
        const key = `app/key-${(i * 7) % 61}`;
        const value = i % 11 === 10 ? undefined : `value ${i}`;
        const [status, seqText] =
          value === undefined ? await request("DEL", key) : await request("SET", key, value);
        expect(status).toBe("OK");
        const seq = Number(seqText);
        if (value === undefined) model.delete(key);
        else model.set(key, value);
        if (seq !== lastSeq) {
          expect(seq).toBe(lastSeq + 1);
          history.set(seq, value === undefined ? { key } : { key, value });
          lastSeq = seq;
        }
        written++;
        for (const milestone of milestones.filter((m) => written >= m.at)) {
          milestones.splice(milestones.indexOf(milestone), 1);
          milestone.reached();
        }
      }
    })();
    const writerFailed = writer.then(() => new Promise<never>(() => undefined));
    /** Resolves once the writer has written `count` updates in all. */
    const reach = (count: number) =>
      within(
        Promise.race([
          new Promise<void>((reached) => {
            if (written >= count) reached();
            else milestones.push({ at: count, reached });
          }),
          writerFailed,
        ]),
        15_000,
        `the writer reaching ${count} updates`,
      );

    // --- nodes come and go while it writes ---------------------------------------------------
    // n1 prints every update it applies (checked below); n4 too, and drops every 25th.
    const early = [startNode("n1"), startNode("n2", "--quiet")];
    await Promise.all(early.map(snapshotOf));

    await reach(300);
    const n3 = startNode("n3", "--quiet", "--hwm", "1"); // late joiner, tiny receive queue
    const n4 = startNode("n4", "--drop-every", "25"); // loses updates on purpose
    await Promise.all([snapshotOf(n3), snapshotOf(n4)]);
    expect((await snapshotOf(n3)).seq).toBeGreaterThan(0);

    await reach(written + 300);
    const n2 = nodes.get("n2")!;
    n2.kill("SIGKILL");
    await n2.exited;
    const n2LastSeq = n2.state!.seq;
    await reach(written + 500);
    const n2again = startNode("n2", "--quiet"); // restarted: nothing of its old state is left
    const n5 = startNode("n5", "--quiet", "--hwm", "1");
    const [restarted] = await Promise.all([snapshotOf(n2again), snapshotOf(n5)]);
    expect(restarted.seq).toBeGreaterThan(n2LastSeq);

    n5.kill("SIGSTOP"); // frozen: its sockets fill up while the stream goes on
    await reach(written + 1000);
    n5.kill("SIGCONT");
    await reach(written + 300);

    stopWriting = true;
    await within(writer, 5000, "the writer stopping");
    const n6 = startNode("n6", "--quiet"); // joins after the last update
    await snapshotOf(n6);

    // --- the server's state is what was written ---------------------------------------------
    const [status, , seqText, sizeText, serverHash] = await request("STATUS");
    expect(status).toBe("STATUS");
    const final = { seq: Number(seqText), hash: serverHash };
    expect(final.seq).toBe(lastSeq);
    expect(Number(sizeText)).toBe(model.size);
    expect(final.hash).toBe(stateHash(model));
    expect((await snapshotOf(n6)).seq).toBe(final.seq);

    // --- and every node's, once a heartbeat has shown it what it missed ------------------------
    const running = [...nodes.values()];
    expect(running).toHaveLength(6);
    await Promise.all(
      running.map((node) =>
        node.waitFor(
          (e) => (e.event === "state" || e.event === "snapshot") && e.seq === final.seq,
          `reaching seq ${final.seq}`,
        ),
      ),
    );
    for (const node of running) {
      expect({ node: node.name, ...node.state }).toEqual({ node: node.name, ...final });
    }

    // n4 did lose updates, noticed each loss and recovered (by a replay of what it missed).
    expect(n4.of("dropped").length).toBeGreaterThan(0);
    expect(n4.of("gap").length).toBeGreaterThan(0);
    expect(n4.of("replay").length + n4.of("snapshot").length).toBeGreaterThan(1);

    // Updates are applied in order, each exactly once, with the content the writer gave them:
    // every applied update is the one after the previous update or snapshot.
    for (const node of [nodes.get("n1")!, n4]) {
      let previous: number | undefined;
      let applied = 0;
      for (const event of node.events) {
        if (event.event === "snapshot") previous = event.seq as number;
        if (event.event !== "update") continue;
        expect(event.seq, `${node.name}: the update after ${previous}`).toBe(previous! + 1);
        const update = history.get(event.seq as number)!;
        expect(event.deleted ? { key: event.key } : { key: event.key, value: event.value }).toEqual(
          update,
        );
        previous = event.seq as number;
        applied++;
      }
      expect(applied).toBeGreaterThan(0);
    }
    // What each node reported of its state only ever moved forward.
    for (const node of running) {
      const seqs = node.events.filter((e) => e.event === "state").map((e) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }

    // --- stopping: SIGTERM ends every process cleanly -----------------------------------------
    for (const cli of [...running, server]) cli.kill("SIGTERM");
    await within(
      Promise.all([...running, server].map((cli) => cli.exited)),
      5000,
      "the processes exiting",
    );
    for (const cli of [...running, server]) {
      expect(cli.child.exitCode, `${cli.name}'s exit code`).toBe(0);
      expect(cli.events.at(-1)).toMatchObject({
        event: "stopped",
        seq: final.seq,
        hash: final.hash,
      });
    }
  }, 40_000);
});
