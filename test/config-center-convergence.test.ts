// The acceptance run of examples/config-center, through the script any user can run
// (examples/config-center/convergence.mjs): a primary and a backup, five nodes started at
// different times, a 1,000,000-key map served as snapshots, writes without pause, one node
// dropping updates on purpose, one frozen (SIGSTOP) for 10 s, the primary killed with SIGKILL
// (failover) and restarted (it follows). Every node must end with the active server's seq and
// state hash; the run reports how long each took after the last write.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { startChild } from "./helpers/children";
import { trackChild } from "./helpers/lifecycle";

const script = path.join(__dirname, "..", "examples", "config-center", "convergence.mjs");

type Line = Record<string, unknown> & { who: string; event: string; t: number };

describe("config center: the convergence run", () => {
  it("primary, backup, five nodes, 1,000,000 keys, kill -9, SIGSTOP, drops: every node converges", async () => {
    const run = trackChild(
      startChild([process.execPath, script, "--json", "--deadline", "400"], {
        name: "the convergence run (convergence.mjs)",
        timeoutMs: 420_000,
      }),
    );
    const { code, stdout, stderr } = await run.done;
    const lines = stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Line);
    const summary = lines.at(-1)!;
    expect(summary, `${stderr}\n${stdout.slice(-3000)}`).toMatchObject({
      who: "run",
      event: "converged",
    });
    expect(code).toBe(0);
    const of = (who: string, event: string) =>
      lines.filter((line) => line.who === who && line.event === event);

    // What happened on the way.
    expect(of("run", "loaded")[0]).toMatchObject({ keys: 1_000_000 });
    expect(of("primary", "killed")).toHaveLength(1);
    expect(String(of("backup", "active")[0]?.reason)).toMatch(/^failover: the peer is silent/);
    expect(of("primary", "passive")).toHaveLength(1); // the restarted primary follows
    expect(of("n1", "frozen")).toHaveLength(1);
    expect(of("n1", "thawed")).toHaveLength(1);
    expect(summary.dropped).toBeGreaterThan(0);
    for (const node of ["n1", "n2", "n3", "n4", "n5"]) {
      // Each took a snapshot of the big map.
      const snapshot = lines.find((line) => line.who === node && line.event === "snapshot");
      expect(Number(snapshot?.size), node).toBeGreaterThanOrEqual(1_000_000);
    }

    // The end: five nodes, each with the active server's seq and hash.
    const nodes = summary.nodes as Array<{
      name: string;
      seq: number;
      hash: string;
      ms: number;
      snapshotMs: number;
    }>;
    expect(nodes.map((node) => node.name)).toEqual(["n1", "n2", "n3", "n4", "n5"]);
    for (const node of nodes) {
      expect({ name: node.name, seq: node.seq, hash: node.hash }).toEqual({
        name: node.name,
        seq: summary.seq,
        hash: summary.hash,
      });
    }
    expect(summary.keys).toBeGreaterThanOrEqual(1_000_000);
    // The figures, for the record (not asserted: the machine may be loaded).
    console.log(
      `convergence run: ${summary.seconds} s; after the last write: ` +
        nodes
          .map((node) => `${node.name} ${node.ms} ms (snapshot ${node.snapshotMs} ms)`)
          .join(", "),
    );
  }, 450_000);
});
