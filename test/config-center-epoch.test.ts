// The server's run id (epoch) in every update, heartbeat and snapshot of examples/config-center:
// a node never mixes two runs' histories. The reproduction of the divergence the issue found:
// kill -9 the server while one node is frozen with the old run's updates queued and another is
// busy catching up, restart it without --data (a new, empty history whose sequence numbers
// overlap the old one's), and write more to it than the old run ever had. Before, a node applied
// the old run's updates on top of the new run's state (or the other way round) and reported a
// hash the server never had. Now every state a node reports must be one that its run had, at
// that sequence number, and every node ends with the new run's state.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { Cli, Model, requester, tempDir, type Event } from "./fixtures/config-center/harness";

async function write(
  request: ReturnType<typeof requester>,
  history: Model,
  run: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const key = `k/${i % 50}`;
    const value = `${run} ${history.hashes.size} ${i}`;
    const [status, seq] = await request("SET", key, value);
    expect(status).toBe("OK");
    history.record(Number(seq), key, value);
  }
}

/** Checks a node's events: updates only on top of their own run's state, states all real. */
function checkNoMixing(node: Cli, runs: Map<string, Model>): void {
  let run: string | undefined;
  let seq: number | undefined;
  for (const event of node.events) {
    const described = `${node.name}: ${JSON.stringify(event)}`;
    if (event.event === "snapshot") {
      run = event.run as string;
      seq = event.seq as number;
    } else if (event.event === "replay") {
      expect(event.run, described).toBe(run);
      seq = event.to as number;
    } else if (event.event === "update") {
      expect(event.run, described).toBe(run);
      expect(event.seq, described).toBe(seq! + 1);
      seq = event.seq as number;
      // The update its run made at that seq, not another run's update with the same number.
      expect({ key: event.key, value: event.value }, described).toEqual(
        runs.get(run!)!.updates.get(seq),
      );
    }
    if (isState(event)) {
      const history = runs.get(event.run as string);
      expect(history, `${described}: a run that exists`).toBeDefined();
      expect(event.hash, `${described}: a state its run had`).toBe(
        history!.hashes.get(event.seq as number),
      );
    }
  }
}

const isState = (event: Event) =>
  (event.event === "state" || event.event === "snapshot") && event.hash !== undefined;

describe("config center: server runs (epochs)", () => {
  it("kill -9 and a restart without --data while nodes re-sync: no node mixes the two runs", async () => {
    const dir = tempDir();
    const updates = `ipc://${path.join(dir, "updates")}`;
    const requests = `ipc://${path.join(dir, "requests")}`;
    const endpoints = ["--updates", updates, "--requests", requests];
    const serverArgs = ["server", ...endpoints, "--heartbeat", "100", "--quiet"];
    const runs = new Map<string, Model>();

    const first = new Cli("server A", serverArgs);
    const runA = (await first.waitFor((e) => e.event === "listening", "listening")).epoch as string;
    const historyA = new Model();
    runs.set(runA, historyA);
    const request = requester(requests);
    // 20 values of 1 MiB: a snapshot of 40 chunks, long enough to freeze a node in the middle.
    for (let i = 0; i < 20; i++) {
      const value = `${i}`.padEnd(1024 * 1024, "x");
      const [, seq] = await request("SET", `big/${i}`, value);
      historyA.record(Number(seq), `big/${i}`, value);
    }
    await write(request, historyA, "A", 80);

    const frozen = new Cli("n1", ["node", ...endpoints, "--name", "n1"]);
    await frozen.waitFor(isState, "its first snapshot");
    frozen.kill("SIGSTOP"); // frozen in sync, run A's next updates queued for it

    // n2 frozen in the middle of its first snapshot: run A's next updates are buffered by it.
    const streams = first.of("stream").length;
    const syncing = new Cli("n2", ["node", ...endpoints, "--name", "n2"]);
    await first.waitForAfter(
      first.events.length,
      (e) => e.event === "stream" && first.of("stream").length > streams,
      "n2 asking for a snapshot",
    );
    syncing.kill("SIGSTOP");
    const nodes = [frozen, syncing];
    await write(request, historyA, "A", 200); // run A ends at seq 300
    first.kill("SIGKILL");
    await first.exited;

    // Run B: empty, sequence numbers from 1 again; at 150, in the middle of what n2 buffered.
    const second = new Cli("server B", serverArgs);
    const runB = (await second.waitFor((e) => e.event === "listening", "listening"))
      .epoch as string;
    expect(runB).not.toBe(runA);
    const historyB = new Model();
    runs.set(runB, historyB);
    await write(request, historyB, "B", 150);
    for (const node of nodes) node.kill("SIGCONT");
    // n2's stream from run A stalls; it asks again, now run B, for a snapshot at seq 150.
    await syncing.waitFor(isState, "its first snapshot", 30_000);
    await write(request, historyB, "B", 400);

    const [, run, seqText, sizeText, hash] = await request("STATUS");
    const final = { run, seq: Number(seqText), hash };
    expect(final).toEqual({ run: runB, seq: 550, hash: historyB.hash() });
    expect(Number(sizeText)).toBe(historyB.entries.size);
    for (const node of nodes) {
      await node.waitFor(
        (e) => isState(e) && e.run === runB && e.seq === final.seq,
        `reaching run B's seq ${final.seq}`,
        30_000,
      );
      expect(node.state).toEqual({ seq: final.seq, hash: final.hash });
      checkNoMixing(node, runs);
    }
    // n1 went through run A, then run B; n2's snapshot came from run B.
    const runsOf = (node: Cli) => [...new Set(node.events.filter(isState).map((e) => e.run))];
    expect(runsOf(frozen)).toEqual([runA, runB]);
    expect(runsOf(syncing)).toEqual([runB]);
    expect(syncing.of("snapshot")[0]).toMatchObject({ run: runB });
    await Promise.all([...nodes, second].map((cli) => cli.stop()));
  }, 120_000);
});
