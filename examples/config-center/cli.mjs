// The config-center command line:
//
//   node examples/config-center/cli.mjs server [--updates EP] [--requests EP] [--data FILE]
//                                              [--heartbeat MS] [--hwm N] [--json] [--quiet]
//   node examples/config-center/cli.mjs node   [--updates EP] [--requests EP] [--name NAME]
//                                              [--hwm N] [--drop-every N] [--json] [--quiet]
//   node examples/config-center/cli.mjs set <key> <value>   [--requests EP] [--timeout MS]
//   node examples/config-center/cli.mjs del <key>           [--requests EP] [--timeout MS]
//   node examples/config-center/cli.mjs get [<key>]         [--requests EP] [--timeout MS] [--json]
//   node examples/config-center/cli.mjs import <file.json|-> [--requests EP] [--timeout MS] [--json]
//   node examples/config-center/cli.mjs status              [--requests EP] [--timeout MS] [--json]
//
// EP is a ZeroMQ endpoint. The server binds tcp://*:5570 (updates) and tcp://*:5571 (requests)
// unless told otherwise; nodes and the other commands connect to tcp://localhost:5570/5571.
// `server` and `node` run until Ctrl-C (SIGINT) or SIGTERM, printing one line per event
// (JSON with --json; --quiet leaves out the updates themselves).
import * as fs from "node:fs";
import { parseArgs } from "node:util";

import { ConfigClient, ConflictError } from "./client.mjs";
import { ConfigNode } from "./node.mjs";
import { DEFAULT_BIND, DEFAULT_CONNECT } from "./protocol.mjs";
import { reporter } from "./report.mjs";
import { ConfigServer } from "./server.mjs";

const usage = `Usage: cli.mjs server|node|set <key> <value>|del <key>|get [<key>]|import <file>|status [options]
  --updates EP      updates endpoint (server: bind, default ${DEFAULT_BIND.updates}; node: connect, default ${DEFAULT_CONNECT.updates})
  --requests EP     requests endpoint (server: bind, default ${DEFAULT_BIND.requests}; others: connect, default ${DEFAULT_CONNECT.requests})
                    node and clients: EP,EP for a primary and a backup (the primary's first)
  --data FILE       server: log every update to FILE (fsync'ed before it is acknowledged), so that a
                    restart carries on where it stopped
  --heartbeat MS    server: ms between heartbeats (default 1000)
  --role ROLE       server: primary or backup, of a pair (with --peer-updates and --peer-requests)
  --peer-updates EP, --peer-requests EP
                    server: the other server's endpoints, to connect to (a primary and a backup)
  --hwm N           server: PUB send high water mark; node: SUB receive high water mark
  --drop-every N    node: throw away every Nth update (fault injection, for tests)
  --name NAME       node: a name for its output
  --timeout MS      set/del/get/status: ms to wait for the reply (default 5000)
  --if-version N    set/del: only if the key is at version N (0: does not exist); exit code 3 if not
  --json            one JSON object per line
  --quiet           server/node: do not print each update`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      updates: { type: "string" },
      requests: { type: "string" },
      data: { type: "string" },
      heartbeat: { type: "string" },
      hwm: { type: "string" },
      "drop-every": { type: "string" },
      name: { type: "string" },
      timeout: { type: "string" },
      "if-version": { type: "string" },
      role: { type: "string" },
      "peer-updates": { type: "string" },
      "peer-requests": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
} catch (error) {
  fail(`${error instanceof Error ? error.message : error}\n${usage}`, 2);
}
const { values: options, positionals } = parsed;
const [command, ...args] = positionals;

/** @returns {never} */
function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** An option that must be a whole number (at least `min`), or undefined. */
function number(name, min = 0) {
  const text = options[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    fail(`--${name} takes a whole number from ${min} on, not "${text}"`, 2);
  }
  return value;
}

/** An endpoint option: one endpoint, or (EP,EP) a primary's and a backup's. */
function list(/** @type {string | undefined} */ text) {
  if (text === undefined) return undefined;
  const endpoints = text.split(",").filter((endpoint) => endpoint !== "");
  return endpoints.length === 1 ? endpoints[0] : endpoints;
}

function expectArgs(count, names) {
  if (args.length !== count) fail(`${command} takes ${names}\n${usage}`, 2);
}

/** Runs until SIGINT/SIGTERM, then calls stop. */
function untilSignal(stop) {
  const onSignal = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

async function runServer() {
  expectArgs(0, "no arguments");
  const report = reporter({ json: options.json });
  const role = options.role ?? "primary";
  if (role !== "primary" && role !== "backup")
    fail(`--role is primary or backup, not "${role}"`, 2);
  const peerUpdates = options["peer-updates"];
  const peerRequests = options["peer-requests"];
  if ((peerUpdates === undefined) !== (peerRequests === undefined)) {
    fail("--peer-updates and --peer-requests go together: the other server's two endpoints", 2);
  }
  if (options.role !== undefined && peerUpdates === undefined) {
    fail("--role needs the other server: --peer-updates and --peer-requests", 2);
  }
  const server = new ConfigServer({
    updates: options.updates ?? DEFAULT_BIND.updates,
    requests: options.requests ?? DEFAULT_BIND.requests,
    dataFile: options.data,
    heartbeatInterval: number("heartbeat", 1) ?? 1000,
    sendHighWaterMark: number("hwm"),
    role,
    peer:
      peerUpdates === undefined
        ? undefined
        : { updates: peerUpdates, requests: /** @type {string} */ (peerRequests) },
  });
  server.on("active", ({ epoch, seq, reason }) =>
    report({ event: "active", run: epoch, seq, reason, role }),
  );
  server.on("passive", ({ reason }) => report({ event: "passive", reason, role }));
  server.on("synced", (synced) => report({ event: "synced", ...synced }));
  if (!options.quiet) {
    server.on("update", ({ key, seq, value }) =>
      report(
        value === undefined
          ? { event: "update", seq, key, deleted: true }
          : { event: "update", seq, key, value },
      ),
    );
  }
  server.on("stream", (stream) => report({ event: "stream", ...stream }));
  server.on("streamed", (stream) => report({ event: "streamed", ...stream }));
  server.on("truncated", ({ bytes }) => report({ event: "truncated", bytes, file: options.data }));
  server.on("compacted", (compacted) => report({ event: "compacted", ...compacted }));
  server.on("warning", (error) => report({ event: "warning", message: error.message }));
  server.on("fatal", (error) => fail(`server: ${error.message}`));
  try {
    await server.start();
  } catch (error) {
    fail(`server: ${error instanceof Error ? error.message : error}`);
  }
  const { epoch, seq, size, state } = server;
  report({ event: "listening", ...server.endpoints, epoch, seq, size, state, role });
  untilSignal(async () => {
    await server.close();
    report({ event: "stopped", seq: server.seq, hash: server.hash() });
  });
}

async function runNode() {
  expectArgs(0, "no arguments");
  const report = reporter({ json: options.json, name: options.name });
  const node = new ConfigNode({
    updates: list(options.updates) ?? DEFAULT_CONNECT.updates,
    requests: list(options.requests) ?? DEFAULT_CONNECT.requests,
    receiveHighWaterMark: number("hwm"),
    dropEvery: number("drop-every"),
  });
  // A "state" line whenever the state changed since the last one, checked at each heartbeat
  // (when the server confirmed nothing is missing) and after each snapshot.
  let reported = { seq: -1, epoch: "" };
  const reportState = () => {
    if (node.seq === reported.seq && node.epoch === reported.epoch) return;
    reported = { seq: node.seq, epoch: node.epoch ?? "" };
    report({ event: "state", seq: node.seq, size: node.size, hash: node.hash(), run: node.epoch });
  };
  node.on("snapshot", ({ seq, size, epoch, reason }) => {
    report({ event: "snapshot", seq, size, hash: node.hash(), run: epoch, reason });
    reportState();
  });
  node.on("replay", ({ from, to, count, epoch }) => {
    report({ event: "replay", from, to, count, run: epoch });
    reportState();
  });
  node.on("heartbeat", reportState);
  node.on("gap", (gap) => report({ event: "gap", ...gap }));
  node.on("dropped", (dropped) => report({ event: "dropped", ...dropped }));
  node.on("warning", (error) => report({ event: "warning", message: error.message }));
  node.on("lost", (lost) => report({ event: "lost", ...lost }));
  node.on("failover", ({ from, to, epoch }) => report({ event: "failover", from, to, run: epoch }));
  node.on("reconnected", ({ after, epoch, seq }) =>
    report({ event: "reconnected", after, run: epoch, seq }),
  );
  if (!options.quiet) {
    node.on("update", ({ key, seq, value, epoch }) =>
      report(
        value === undefined
          ? { event: "update", seq, key, deleted: true, run: epoch }
          : { event: "update", seq, key, value, run: epoch },
      ),
    );
  }
  untilSignal(() => {
    node.close();
    report({ event: "stopped", seq: node.seq, hash: node.hash() });
  });
  // It rejects only when the node is closed first (Ctrl-C during start-up): nothing to add.
  await node.start().catch(() => undefined);
}

async function runClientCommand() {
  const requests = list(options.requests) ?? DEFAULT_CONNECT.requests;
  const client = new ConfigClient({
    requests,
    // With a backup, long enough for a failover (FAILOVER_AFTER heartbeats, 3 s by default).
    timeout:
      number("timeout", 1) ?? (Array.isArray(requests) && requests.length > 1 ? 10_000 : 5000),
  });
  const print = (/** @type {unknown} */ value) =>
    console.log(typeof value === "string" && !options.json ? value : JSON.stringify(value));
  try {
    switch (command) {
      case "set":
      case "del": {
        if (command === "set") expectArgs(2, "<key> <value>");
        else expectArgs(1, "<key>");
        const ifVersion = number("if-version");
        const { seq, version, changed } =
          command === "set"
            ? await client.set(args[0], args[1], { ifVersion })
            : await client.delete(args[0], { ifVersion });
        if (options.json) print({ seq, version, changed });
        else if (changed)
          print(command === "set" ? `seq ${seq} (version ${version})` : `seq ${seq}`);
        else
          print(
            `unchanged: ${args[0]} ${command === "set" ? `already has that value (version ${version})` : "was not set"}, seq ${seq}`,
          );
        break;
      }
      case "get": {
        if (args.length > 1) expectArgs(1, "[<key>]");
        if (args.length === 1) {
          const { seq, value, version } = await client.get(args[0]);
          if (value === undefined) fail(`${args[0]} is not set (seq ${seq})`);
          print(options.json ? { seq, value, version } : value);
        } else {
          const { epoch, seq, store } = await client.snapshot();
          const entries = store.values();
          const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          if (options.json) print({ epoch, seq, entries: Object.fromEntries(sorted) });
          else for (const [key, value] of sorted) print(`${key} = ${value}`);
          if (!options.json) print(`(seq ${seq}, ${entries.size} keys)`);
        }
        break;
      }
      case "import": {
        expectArgs(1, "<file.json> (or - for stdin): a JSON object of keys and values");
        const text = fs.readFileSync(args[0] === "-" ? 0 : args[0], "utf8");
        const entries = Object.entries(JSON.parse(text));
        let changed = 0;
        let seq = 0;
        // Batches of about 1 MiB: one request each, one update per key that changes.
        for (let start = 0; start < entries.length;) {
          let bytes = 0;
          let end = start;
          while (end < entries.length && (end === start || bytes < 1024 * 1024)) {
            bytes += entries[end][0].length + String(entries[end][1]).length + 32;
            end += 1;
          }
          const batch = entries.slice(start, end).map(([key, value]) => [key, String(value)]);
          const result = await client.setMany(/** @type {Array<[string, string]>} */ (batch));
          changed += result.changed;
          seq = result.seq;
          start = end;
        }
        print(
          options.json
            ? { seq, keys: entries.length, changed }
            : `seq ${seq}: ${changed} of ${entries.length} keys changed`,
        );
        break;
      }
      case "status": {
        expectArgs(0, "no arguments");
        const status = await client.status();
        const standing =
          status.state === "active" && status.role === "primary"
            ? ""
            : ` (${status.role}, ${status.state})`;
        print(
          options.json
            ? status
            : `run ${status.epoch}, seq ${status.seq}, ${status.size} keys, hash ${status.hash}${standing}`,
        );
        break;
      }
    }
  } catch (error) {
    // A conflict has its own exit code, so that a script can read again and retry.
    const code = error instanceof ConflictError ? 3 : 1;
    const message = error instanceof Error ? error.message : String(error);
    fail(
      message.startsWith(`${command.toUpperCase()}:`)
        ? `${command}: ${message.slice(command.length + 2)}`
        : `${command}: ${message}`,
      code,
    );
  } finally {
    client.close();
  }
}

if (options.help) {
  console.log(usage);
} else if (command === "server") {
  await runServer();
} else if (command === "node") {
  await runNode();
} else if (["set", "del", "get", "import", "status"].includes(command)) {
  await runClientCommand();
} else {
  fail(command === undefined ? usage : `unknown command "${command}"\n${usage}`, 2);
}
