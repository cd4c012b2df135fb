// The convergence run: a primary and a backup, five nodes started at different times, and in
// one run every fault the config center is meant to survive — a 1,000,000-key map served as
// snapshots, a stream of writes without pause, a node that drops updates on purpose, a node
// frozen (SIGSTOP) for 10 s during the stream, the primary killed (kill -9: the backup takes
// over) and restarted (it follows the backup). At the end every node must hold the state of the
// active server — the same seq and state hash — and the run prints how long each took to get
// there after the last write.
//
//   node examples/config-center/convergence.mjs [--keys N] [--json]
//
// Every part runs in a process of its own, through cli.mjs, on ipc endpoints in a temporary
// directory; everything is killed at the end, whatever happens. Exit code 0 when every node
// converged, 1 otherwise.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ConfigClient } from "./client.mjs";
import { formatEvent } from "./report.mjs";

const { values: options } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    json: { type: "boolean", default: false },
    deadline: { type: "string", default: "600" },
  },
});
const keys = Number(options.keys);
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli.mjs");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-center-convergence-"));
const HEARTBEAT = 500;
const started = Date.now();

/** One line of what happens: JSON with --json, else text after the time and the process. */
function say(who, event) {
  const line = options.json
    ? JSON.stringify({ t: Date.now() - started, who, ...event })
    : `${String(((Date.now() - started) / 1000).toFixed(1)).padStart(6)} s ${who.padEnd(8)} | ${describe(event)}`;
  process.stdout.write(`${line}\n`);
}

/** The run's own events as text; the processes' as the CLI prints them. */
function describe(/** @type {Record<string, any>} */ event) {
  switch (event.event) {
    case "loaded":
      return `${event.keys} keys loaded into the primary in ${event.ms} ms`;
    case "frozen":
      return `frozen (SIGSTOP) for ${event.seconds} s`;
    case "thawed":
      return "thawed (SIGCONT)";
    case "killed":
      return `killed (${event.signal})`;
    case "writes stopped":
      return `writes stopped after ${event.written}: the ${event.role} is at seq ${event.seq}, hash ${event.hash}`;
    case "node":
      return `${event.same ? "converged" : "DIVERGED"}: seq ${event.seq}, hash ${event.hash}, ${event.ms} ms after the last write (its first snapshot took ${event.snapshotMs} ms)`;
    case "converged":
    case "failed":
      return event.message === undefined
        ? `${event.event === "converged" ? "every node converged" : "FAILED"}: ${event.nodes.length} nodes, ${event.keys} keys, seq ${event.seq}, ${event.dropped} updates dropped on purpose, in ${event.seconds} s`
        : `FAILED: ${event.message}`;
    default:
      return formatEvent(event);
  }
}

/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();

/**
 * Starts `cli.mjs <args> --json`; keeps its events, and prints those worth seeing.
 * @param {string} name
 * @param {string[]} args
 */
function start(name, args) {
  const child = spawn(process.execPath, [cli, ...args, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  /** @type {Array<Record<string, any>>} */
  const events = [];
  /** @type {Set<() => void>} */
  const watchers = new Set();
  let partial = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = /** @type {string} */ (lines.pop());
    for (const line of lines) {
      const event = JSON.parse(line);
      Object.defineProperty(event, "at", { value: Date.now() }); // when it came (not printed)
      events.push(event);
      if (!["state", "stream", "streamed", "dropped", "gap", "replay"].includes(event.event)) {
        say(name, event);
      }
    }
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on("close", resolve));
  void exited.then(() => {
    children.delete(child);
    for (const watcher of [...watchers]) watcher();
  });
  return {
    name,
    child,
    events,
    exited,
    /** The first event, past or future, that passes `test`. */
    waitFor(/** @type {(event: Record<string, any>) => boolean} */ test, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(test);
          if (found !== undefined) {
            watchers.delete(check);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(check);
            reject(new Error(`${name} ended before ${what}: ${stderr.trim()}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

const ep = (name) => `ipc://${path.join(dir, name)}`;
const servers = {
  primary: { updates: ep("primary-updates"), requests: ep("primary-requests") },
  backup: { updates: ep("backup-updates"), requests: ep("backup-requests") },
};
const both = {
  updates: [servers.primary.updates, servers.backup.updates],
  requests: [servers.primary.requests, servers.backup.requests],
};
const serverArgs = (/** @type {"primary" | "backup"} */ role) => {
  const [me, other] =
    role === "primary" ? [servers.primary, servers.backup] : [servers.backup, servers.primary];
  return [
    ...["server", "--role", role, "--updates", me.updates, "--requests", me.requests],
    ...["--peer-updates", other.updates, "--peer-requests", other.requests],
    ...["--data", path.join(dir, `${role}.log`), "--heartbeat", String(HEARTBEAT), "--quiet"],
  ];
};
/** @type {Map<string, ReturnType<typeof start>>} */
const nodes = new Map();
const startNode = (/** @type {string} */ name, /** @type {string[]} */ extra = []) => {
  const node = start(name, [
    ...["node", "--name", name, "--quiet"],
    ...["--updates", both.updates.join(","), "--requests", both.requests.join(",")],
    ...extra,
  ]);
  nodes.set(name, node);
  startedAt.set(name, Date.now());
  return node;
};
/** When each node started: how long its first snapshot took is part of the figures. */
const startedAt = new Map();
const isSnapshot = (/** @type {Record<string, any>} */ event) => event.event === "snapshot";
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

const deadline = setTimeout(
  () => {
    say("run", { event: "failed", message: `not done within ${options.deadline} s` });
    for (const child of children) child.kill("SIGKILL");
    process.exit(1);
  },
  Number(options.deadline) * 1000,
);

let failed = false;
const client = new ConfigClient({ requests: both.requests, timeout: 30_000 });
try {
  // --- the primary alone, loaded with the big map; then the backup follows it ------------------
  let primary = start("primary", serverArgs("primary"));
  await primary.waitFor((e) => e.event === "active", "becoming active");
  const loading = Date.now();
  for (let first = 0; first < keys; first += 20_000) {
    const batch = [];
    for (let i = first; i < Math.min(keys, first + 20_000); i++) {
      batch.push([`map/${i}`, `value ${i}`]);
    }
    await client.setMany(batch);
  }
  say("run", { event: "loaded", keys, ms: Date.now() - loading });
  const backup = start("backup", serverArgs("backup"));
  await backup.waitFor((e) => e.event === "synced", "following the primary");

  // --- two nodes take the big snapshot; n2 drops every 50th update ----------------------------
  const n1 = startNode("n1");
  const n2 = startNode("n2", ["--drop-every", "50"]);
  await Promise.all([
    n1.waitFor(isSnapshot, "its snapshot"),
    n2.waitFor(isSnapshot, "its snapshot"),
  ]);

  // --- writes without pause, to the end --------------------------------------------------------
  let writing = true;
  let written = 0;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      await client.set(`burst/${i % 500}`, `write ${i}`);
      written += 1;
    }
  })();
  const reach = async (/** @type {number} */ count) => {
    while (written < count) await Promise.race([writer, sleep(20)]);
  };

  await reach(300);
  const n3 = startNode("n3"); // joins during the writes
  await n3.waitFor(isSnapshot, "its snapshot");

  await reach(written + 300);
  n1.child.kill("SIGSTOP"); // frozen 10 s, through the failover
  say("n1", { event: "frozen", seconds: 10 });
  const thawed = sleep(10_000).then(() => {
    n1.child.kill("SIGCONT");
    say("n1", { event: "thawed" });
  });

  await reach(written + 300);
  primary.child.kill("SIGKILL");
  say("primary", { event: "killed", signal: "SIGKILL" });
  await primary.exited;
  await backup.waitFor((e) => e.event === "active", "taking over");
  await reach(written + 300);
  const n4 = startNode("n4"); // joins after the failover
  await n4.waitFor(isSnapshot, "its snapshot");

  primary = start("primary", serverArgs("primary")); // comes back: follows the backup
  await primary.waitFor((e) => e.event === "synced", "following the backup");
  await thawed;
  await reach(written + 300);
  const n5 = startNode("n5"); // the last to join
  await n5.waitFor(isSnapshot, "its snapshot");
  await reach(written + 300);
  writing = false;
  await writer;
  const stopped = Date.now();

  // --- the end: every node with the active server's state --------------------------------------
  const final = await client.status();
  say("run", {
    event: "writes stopped",
    written,
    seq: final.seq,
    hash: final.hash,
    role: final.role,
  });
  const results = await Promise.all(
    [...nodes.values()].map(async (node) => {
      const reached = await node.waitFor(
        (e) => (e.event === "state" || e.event === "snapshot") && e.seq === final.seq,
        `reaching seq ${final.seq}`,
      );
      const snapshot = await node.waitFor(isSnapshot, "its snapshot");
      return {
        name: node.name,
        seq: reached.seq,
        hash: reached.hash,
        ms: Date.now() - stopped,
        snapshotMs: snapshot.at - startedAt.get(node.name),
      };
    }),
  );
  for (const result of results) {
    const same = result.hash === final.hash;
    if (!same) failed = true;
    say(result.name, { event: "node", same, ...result });
  }
  const summary = {
    event: failed ? "failed" : "converged",
    keys: final.size,
    seq: final.seq,
    hash: final.hash,
    active: final.role,
    nodes: results,
    failover: backup.events.find((e) => e.event === "active")?.reason,
    dropped: nodes.get("n2")?.events.filter((e) => e.event === "dropped").length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  say("run", summary);
} catch (error) {
  failed = true;
  say("run", { event: "failed", message: error instanceof Error ? error.message : String(error) });
} finally {
  clearTimeout(deadline);
  client.close();
  for (const child of children) child.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
