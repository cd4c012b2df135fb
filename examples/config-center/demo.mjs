// A tour of the config center, every part in a process of its own, through cli.mjs: a server,
// two nodes, a few `set`s, a node that joins late, a node that crashes and comes back, and at
// the end every node holding the server's state (same sequence number, same hash).
//
//   npm run example -- config-center       (or: node examples/config-center/demo.mjs)
//
// UPDATES_PORT and REQUESTS_PORT choose the ports (default 5570 and 5571).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

import { formatEvent } from "./report.mjs";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli.mjs");
const updatesPort = process.env.UPDATES_PORT ?? "5570";
const requestsPort = process.env.REQUESTS_PORT ?? "5571";
// Loopback only: the tour has no --curve, and a server on every interface would say so.
const bind = [
  ...["--updates", `tcp://127.0.0.1:${updatesPort}`],
  ...["--requests", `tcp://127.0.0.1:${requestsPort}`],
];
const connect = [
  ...["--updates", `tcp://localhost:${updatesPort}`],
  ...["--requests", `tcp://localhost:${requestsPort}`],
];

/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();

/**
 * Starts `cli.mjs <args> --json`, printing its events as text after its name. waitFor(test)
 * resolves with the first event, past or future, that passes the test.
 * @param {string} name
 * @param {string[]} args
 */
function start(name, args) {
  const child = spawn(process.execPath, [cli, ...args, "--json"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  /** @type {Array<Record<string, any>>} */
  const events = [];
  /** @type {Array<() => void>} */
  const watchers = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = /** @type {string} */ (lines.pop());
    for (const line of lines) {
      const event = JSON.parse(line);
      events.push(event);
      console.log(`${name.padEnd(6)} | ${formatEvent(event)}`);
      for (const watcher of [...watchers]) watcher();
    }
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  void exited.then(() => children.delete(child));
  return {
    child,
    exited,
    /** @param {(event: Record<string, any>) => boolean} test */
    waitFor(test) {
      return new Promise((resolve) => {
        const check = () => {
          const found = events.find(test);
          if (found === undefined) return false;
          watchers.splice(watchers.indexOf(check), 1);
          resolve(found);
          return true;
        };
        watchers.push(check);
        check();
      });
    },
  };
}

/** Runs a one-shot command (`set`, `get`, …) and prints it and its output. */
async function run(...args) {
  console.log(`\n$ cli.mjs ${args.join(" ")}`);
  const child = spawn(process.execPath, [cli, ...args, "--requests", connect[3]], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`cli.mjs ${args.join(" ")} failed (exit code ${code})`);
}

const step = (/** @type {string} */ text) => console.log(`\n== ${text}`);
const isSnapshot = (/** @type {Record<string, any>} */ event) => event.event === "snapshot";

// Stop everything after 20 s, whatever happens.
const deadline = setTimeout(() => {
  console.error("demo: timed out");
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
}, 20_000);

try {
  step("the server, and two nodes");
  const server = start("server", ["server", ...bind, "--heartbeat", "200"]);
  await server.waitFor((event) => event.event === "listening");
  const a = start("node-a", ["node", ...connect]);
  let b = start("node-b", ["node", ...connect]);
  await Promise.all([a.waitFor(isSnapshot), b.waitFor(isSnapshot)]);

  step("three updates: every node applies them in order");
  await run("set", "db/url", "postgres://db-1/app");
  await run("set", "feature/search", "on");
  await run("set", "http/timeout", "30");

  step("node-c joins late: it starts from a snapshot");
  const c = start("node-c", ["node", ...connect]);
  await c.waitFor(isSnapshot);

  step("node-b crashes (SIGKILL); the updates go on without it");
  b.child.kill("SIGKILL");
  await b.exited;
  await run("set", "http/timeout", "45");
  await run("del", "feature/search");

  step("node-b restarts: a snapshot brings it up to date");
  b = start("node-b", ["node", ...connect]);
  await b.waitFor(isSnapshot);

  step("what the server holds");
  await run("get");
  await run("status");

  step("every node converges on the server's state");
  const status = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "status", "--json", "--requests", connect[3]], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error("status failed")),
    );
  });
  const inSync = (/** @type {Record<string, any>} */ event) =>
    event.event === "state" && event.seq === status.seq && event.hash === status.hash;
  await Promise.all([a, b, c].map((node) => node.waitFor(inSync)));
  console.log(`\nAll 3 nodes hold the server's state: seq ${status.seq}, hash ${status.hash}`);
} finally {
  clearTimeout(deadline);
  for (const child of children) child.kill("SIGTERM");
}
