// Runs one example, each of its programs in a process of its own:
//
//   npm run example                       lists the examples
//   npm run example -- <name> [args…]     runs one (args go to the program marked `args` below)
//   node examples/run.mjs <name> [args…]  the same without npm
//
// The runner picks free TCP ports and hands them to the programs in environment variables (run
// by hand, each program falls back to the ports of the ZeroMQ guide). It starts the services
// (servers, brokers, workers), then the programs that finish (clients, sinks), prefixes every
// line of output with the name of the program that printed it, waits for the finishing programs
// to exit and then stops the services. It exits with 0 when every program did its job (1 when
// one failed, 130 when interrupted: Ctrl-C stops every program).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} Program
 * @property {string} name      prefix of its output lines
 * @property {string} file      relative to examples/
 * @property {boolean} [service] runs until stopped; the example is over when the others exit
 * @property {boolean} [args]   receives the extra command line arguments
 * @property {Record<string, string>} [env]
 *
 * @typedef {object} Example
 * @property {string} summary
 * @property {string[]} ports   environment variables that each get a free port
 * @property {Program[]} programs  started in this order
 */

/** @type {Record<string, Example>} */
const examples = {
  "hello-world": {
    summary: "REQ/REP: the client sends Hello 10 times, the server answers World",
    ports: ["PORT"],
    programs: [
      { name: "server", file: "hello-world/server.mjs", service: true },
      { name: "client", file: "hello-world/client.mjs" },
    ],
  },
  weather: {
    summary: "PUB/SUB: the client filters one zipcode and averages its temperature [prefix]",
    ports: ["PORT"],
    programs: [
      { name: "server", file: "weather/server.mjs", service: true },
      { name: "client", file: "weather/client.mjs", args: true },
    ],
  },
  pipeline: {
    summary: "PUSH/PULL: a ventilator fans tasks out to 3 workers, a sink collects the results",
    ports: ["VENTILATOR_PORT", "SINK_PORT"],
    programs: [
      { name: "sink", file: "pipeline/sink.mjs" },
      ...[1, 2, 3].map((n) => ({
        name: `worker-${n}`,
        file: "pipeline/worker.mjs",
        service: true,
        env: { WORKER_NAME: `worker-${n}` },
      })),
      { name: "ventilator", file: "pipeline/ventilator.mjs", env: { WORKERS: "3" } },
    ],
  },
  broker: {
    summary: "ROUTER/DEALER: REQ clients -> broker running proxy() -> REP workers",
    ports: ["FRONTEND_PORT", "BACKEND_PORT"],
    programs: [
      { name: "broker", file: "broker/broker.mjs", service: true },
      { name: "worker-1", file: "broker/worker.mjs", service: true },
      { name: "worker-2", file: "broker/worker.mjs", service: true },
      { name: "client-1", file: "broker/client.mjs" },
      { name: "client-2", file: "broker/client.mjs" },
    ],
  },
  lbbroker: {
    summary: "ROUTER/ROUTER with a Poller: a broker hands each request to the worker free longest",
    ports: ["FRONTEND_PORT", "BACKEND_PORT"],
    programs: [
      { name: "broker", file: "lbbroker/broker.mjs", service: true },
      ...[1, 2, 3].map((n) => ({
        name: `worker-${n}`,
        file: "lbbroker/worker.mjs",
        service: true,
        env: { WORKER_NAME: `worker-${n}` },
      })),
      { name: "clients", file: "lbbroker/client.mjs", env: { CLIENTS: "10" } },
    ],
  },
  "config-center": {
    summary: "a configuration service: server, nodes that join late or restart, the set/get CLI",
    ports: ["UPDATES_PORT", "REQUESTS_PORT"],
    programs: [{ name: "demo", file: "config-center/demo.mjs" }],
  },
};

/** `count` different TCP ports that are free right now (the kernel's picks for port 0). */
async function freePorts(count) {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve, reject) => {
          server.once("error", reject);
          server.listen(0, () => {
            const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
            resolve(String(port));
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function list() {
  console.log("Usage: npm run example -- <name> [args]\n\nExamples:");
  for (const [name, example] of Object.entries(examples)) {
    console.log(`  ${name.padEnd(14)} ${example.summary}`);
  }
  console.log("\nSee examples/README.md for what each one shows.");
}

const [name, ...extraArgs] = process.argv.slice(2);
if (name === undefined || name === "--help" || name === "-h") {
  list();
  process.exit(0);
}
const example = Object.hasOwn(examples, name) ? examples[name] : undefined;
if (example === undefined) {
  console.error(`No example named "${name}".\n`);
  list();
  process.exit(2);
}

const chosen = await freePorts(example.ports.length);
const ports = Object.fromEntries(example.ports.map((variable, i) => [variable, chosen[i]]));
const width = Math.max(...example.programs.map((program) => program.name.length));

/** Copies a stream to ours, each line prefixed with the program's name. */
function prefixLines(stream, prefix, out) {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const line of lines) out.write(`${prefix}${line}\n`);
  });
  stream.on("end", () => {
    if (partial !== "") out.write(`${prefix}${partial}\n`);
  });
}

const running = example.programs.map((program) => {
  const child = spawn(
    process.execPath,
    [path.join(here, program.file), ...(program.args ? extraArgs : [])],
    { env: { ...process.env, ...ports, ...program.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const prefix = example.programs.length === 1 ? "" : `${program.name.padEnd(width)} | `;
  prefixLines(child.stdout, prefix, process.stdout);
  prefixLines(child.stderr, prefix, process.stderr);
  const exited = new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ program, code, signal }));
  });
  return { program, child, exited };
});

let stopping = false;
function stopAll() {
  stopping = true;
  for (const { child } of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  }
  // Whatever ignores SIGTERM for 3 s is killed.
  setTimeout(() => {
    for (const { child } of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }, 3000).unref();
}
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted = true;
    stopAll();
  });
}

// A service that ends on its own, or a program that fails, ends the example.
let failed = false;
for (const { program, exited } of running) {
  void exited.then(({ code, signal }) => {
    if (stopping) return;
    if (program.service || code !== 0) {
      console.error(`${program.name} ended unexpectedly (${signal ?? `exit code ${code}`})`);
      failed = true;
      stopAll();
    }
  });
}

await Promise.all(running.filter(({ program }) => !program.service).map(({ exited }) => exited));
stopAll();
await Promise.all(running.map(({ exited }) => exited));
process.exit(interrupted ? 130 : failed ? 1 : 0);
