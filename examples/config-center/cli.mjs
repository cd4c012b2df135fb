// The config-center command line:
//
//   node examples/config-center/cli.mjs server   [options]          a server (see --help)
//   node examples/config-center/cli.mjs node     [options]          a node: a replica that follows
//   node examples/config-center/cli.mjs set <key> <value> | <key> - | <key> --file FILE
//   node examples/config-center/cli.mjs del <key>
//   node examples/config-center/cli.mjs get [<key>]
//   node examples/config-center/cli.mjs import <file.json | ->
//   node examples/config-center/cli.mjs status
//   node examples/config-center/cli.mjs keys <directory> <name>  a CURVE certificate pair
//
// EP is a ZeroMQ endpoint. The server binds tcp://*:5570 (updates) and tcp://*:5571 (requests)
// unless told otherwise; nodes and the other commands connect to tcp://localhost:5570/5571.
// `server` and `node` run until Ctrl-C (SIGINT) or SIGTERM, printing one line per event (JSON
// with --json). Every error is one line on stderr (a JSON object with --json); exit codes: 0 done,
// 1 failed, 2 a wrong command line, 3 a compare-and-set conflict. An option that does not apply
// to the command is refused.
import { parseArgs } from "node:util";

import { runClientCommand } from "./cli-client.mjs";
import { runKeys } from "./cli-curve.mjs";
import { UsageError, exitWith } from "./cli-errors.mjs";
import { runNode } from "./cli-node.mjs";
import { runServer } from "./cli-server.mjs";
import { DEFAULT_BIND, DEFAULT_CONNECT } from "./protocol.mjs";

const CLIENTS = ["set", "del", "get", "import", "status"];
const ALL = ["server", "node", ...CLIENTS, "keys"];

/**
 * Every option: its type, the commands it applies to, and its help line.
 * @type {Record<string, { type: "string" | "boolean", for: string[], help: string, short?: string }>}
 */
const OPTIONS = {
  updates: {
    type: "string",
    for: ["server", "node"],
    help: `EP  updates endpoint (server: to bind, ${DEFAULT_BIND.updates}; node: to connect to, ${DEFAULT_CONNECT.updates}; EP,EP: a primary's and a backup's)`,
  },
  requests: {
    type: "string",
    for: ["server", "node", ...CLIENTS],
    help: `EP  requests endpoint (server: to bind, ${DEFAULT_BIND.requests}; others: to connect to, ${DEFAULT_CONNECT.requests}; EP,EP: a primary's and a backup's, the primary's first)`,
  },
  data: {
    type: "string",
    for: ["server"],
    help: "FILE  log every update to FILE, fsync'ed before it is acknowledged: a restart carries on",
  },
  heartbeat: { type: "string", for: ["server"], help: "MS  ms between heartbeats (1000)" },
  role: {
    type: "string",
    for: ["server"],
    help: "primary|backup  this server's part of a pair (with --peer-updates, --peer-requests)",
  },
  "peer-updates": {
    type: "string",
    for: ["server"],
    help: "EP  the other server's updates endpoint",
  },
  "peer-requests": {
    type: "string",
    for: ["server"],
    help: "EP  the other server's requests endpoint",
  },
  hwm: {
    type: "string",
    for: ["server", "node"],
    help: "N  server: PUB send high water mark; node: SUB receive high water mark",
  },
  name: { type: "string", for: ["node"], help: "NAME  a name for the node's output" },
  "drop-every": {
    type: "string",
    for: ["node"],
    help: "N  throw away every Nth update (fault injection, for tests)",
  },
  timeout: {
    type: "string",
    for: CLIENTS,
    help: "MS  how long to wait for the reply (5000; 10000 with two servers)",
  },
  "if-version": {
    type: "string",
    for: ["set", "del"],
    help: "N  only if the key is at version N (0: does not exist); exit code 3 if not",
  },
  file: { type: "string", for: ["set"], help: "FILE  set: the value is FILE's content" },
  ttl: {
    type: "string",
    for: ["set"],
    help: "MS  the key expires MS ms later unless set again (each set renews it)",
  },
  prefix: {
    type: "string",
    for: ["node", "get", "status"],
    help: "P  only the keys starting with P (a subtree: db/): node follows them, get lists them, status hashes them",
  },
  curve: {
    type: "string",
    for: ["server", "node", ...CLIENTS],
    help: "FILE  CURVE: this side's secret certificate (NAME.key_secret, from cli.mjs keys)",
  },
  clients: {
    type: "string",
    for: ["server"],
    help: "DIR  with --curve: the public certificates (NAME.key) of the clients let in",
  },
  "server-key": {
    type: "string",
    for: ["node", ...CLIENTS],
    help: "KEY  with --curve: the server's public key or certificate file (KEY,KEY: a pair's)",
  },
  "peer-key": {
    type: "string",
    for: ["server"],
    help: "KEY  with --curve: the other server's public key or certificate file",
  },
  json: { type: "boolean", for: ALL, help: "one JSON object per line (errors too)" },
  quiet: { type: "boolean", for: ["server", "node"], help: "do not print each update" },
  help: { type: "boolean", for: ALL, short: "h", help: "this help" },
};

const usage = [
  "Usage: cli.mjs server | node | set <key> <value> | set <key> - | set <key> --file FILE",
  "               | del <key> | get [<key>] | import <file.json | -> | status",
  "               | keys <directory> <name>   (a CURVE certificate pair)            [options]",
  ...Object.entries(OPTIONS).map(([name, option]) => {
    const [argument, ...words] = option.help.split("  ");
    const text = words.length > 0 ? words.join("  ") : argument;
    const flag = `--${name}${words.length > 0 ? ` ${argument}` : ""}`;
    return `  ${flag.padEnd(22)} ${text} [${option.for.length === ALL.length ? "all" : option.for.join(", ")}]`;
  }),
].join("\n");

const json = process.argv.includes("--json");
let context = { json, command: /** @type {string | undefined} */ (undefined) };
// A last resort: whatever escapes is still one line.
process.on("uncaughtException", (error) => exitWith(context, error));
process.on("unhandledRejection", (error) => exitWith(context, error));

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(
      Object.entries(OPTIONS).map(([name, { type, short }]) => [
        name,
        short === undefined ? { type } : { type, short },
      ]),
    ),
  });
} catch (error) {
  // parseArgs's messages are long ("Unknown option '--x'. To specify a positional argument…").
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  exitWith(
    context,
    new UsageError(unknown ? `unknown option ${unknown[1]}` : message.split(". ")[0]),
  );
}
const { values: options, positionals } = parsed;
const [command, ...args] = positionals;
context = { json, command };

if (options.help) {
  console.log(usage);
  process.exit(0);
}
if (command === undefined)
  exitWith(context, new UsageError("which command? server, node, set, del, get, import or status"));
if (!ALL.includes(command)) exitWith(context, new UsageError(`unknown command "${command}"`));
for (const name of Object.keys(options)) {
  const option = OPTIONS[name];
  if (option !== undefined && !option.for.includes(command)) {
    exitWith(
      context,
      new UsageError(`--${name} does not apply to ${command} (it is for ${option.for.join(", ")})`),
    );
  }
}

/** What each command is given: the options, the arguments, and how to read them. */
const given = {
  options: /** @type {Record<string, string | boolean | undefined>} */ (options),
  args,
  command,
  /** An option that must be a whole number (at least `min`), or undefined. */
  number(/** @type {string} */ name, min = 0) {
    const text = options[name];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (
      typeof text !== "string" ||
      !/^\d+$/.test(text) ||
      !Number.isSafeInteger(value) ||
      value < min
    ) {
      throw new UsageError(`--${name} takes a whole number from ${min} on, not "${text}"`);
    }
    return value;
  },
  /** An endpoint option: one endpoint, or (EP,EP) a primary's and a backup's. */
  endpoints(/** @type {string} */ name) {
    const text = options[name];
    if (typeof text !== "string") return undefined;
    const endpoints = text.split(",").filter((endpoint) => endpoint !== "");
    if (endpoints.length === 0 || endpoints.length > 2) {
      throw new UsageError(`--${name} takes one endpoint, or two (EP,EP: a primary's, a backup's)`);
    }
    return endpoints.length === 1 ? endpoints[0] : endpoints;
  },
  /** Checks the number of arguments. */
  expect(/** @type {number} */ least, /** @type {number} */ most, /** @type {string} */ what) {
    if (args.length < least || args.length > most) throw new UsageError(`expects ${what}`);
  },
  /** @returns {never} */
  fail: (/** @type {unknown} */ error, /** @type {number | undefined} */ exitCode) =>
    exitWith(context, error, exitCode),
};

try {
  if (command === "server") await runServer(given);
  else if (command === "node") await runNode(given);
  else if (command === "keys") runKeys(given);
  else await runClientCommand(given);
} catch (error) {
  exitWith(context, error);
}
