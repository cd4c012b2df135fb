"use strict";
// Command-line options. Quick mode (the default) takes a few minutes; --full sweeps sizes.
const path = require("node:path");
const { scenarios } = require("./scenarios");

const PEER_NAMES = ["c", "pyzmq", "zeromq", "napi", "napi-batch"];
const RUNTIMES = ["node", "bun", "deno"];
const QUICK_SIZES = [16, 1024, 64 * 1024];
const FULL_SIZES = Array.from({ length: 15 }, (_, i) => 8 * 2 ** i); // 8 B … 128 KiB

const USAGE = `usage: node bench/run.js [options]     (npm run bench -- [options])

  --full                 sizes 8 B … 128 KiB (powers of two), 5 repetitions, ~2 s per run
  --only <peer,...>      peers: ${PEER_NAMES.join(", ")}
  --scenario <name,...>  scenarios: ${scenarios.map((s) => s.name).join(", ")}
  --reps <n>             repetitions (quick 3, full 5); medians are reported
  --sizes <n,...>        message sizes in bytes (default quick: ${QUICK_SIZES.join(", ")})
  --seconds <s>          target duration of one run (quick 1, full 2)
  --runtime <name>       runtime for the zmq-napi peers: ${RUNTIMES.join(", ")} (default node)
  --json <file>          where to write the results (default bench/results/latest.json)
  --save                 also write docs/benchmarks/YYYY-MM-DD.md with the machine description
  --help                 this text
`;

function list(value, allowed, what) {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item));
  if (unknown.length)
    throw new Error(`unknown ${what}: ${unknown.join(", ")} (known: ${allowed.join(", ")})`);
  return items;
}

function positive(value, what, integer) {
  const number = Number(value);
  if (!(number > 0) || (integer && !Number.isInteger(number)))
    throw new Error(`${what} must be a positive ${integer ? "integer" : "number"}`);
  return number;
}

function parseOptions(argv) {
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case "--full":
        given.full = true;
        break;
      case "--save":
        given.save = true;
        break;
      case "--help":
      case "-h":
        given.help = true;
        break;
      case "--only":
        given.peers = list(value(), PEER_NAMES, "peer");
        break;
      case "--scenario":
        given.scenarios = list(
          value(),
          scenarios.map((s) => s.name),
          "scenario",
        );
        break;
      case "--reps":
        given.reps = positive(value(), "--reps", true);
        break;
      case "--sizes":
        given.sizes = value()
          .split(",")
          .map((size) => positive(size, "a size", true));
        break;
      case "--seconds":
        given.seconds = positive(value(), "--seconds", false);
        break;
      case "--runtime":
        given.runtime = list(value(), RUNTIMES, "runtime")[0];
        break;
      case "--json":
        given.json = path.resolve(value());
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  const full = given.full === true;
  return {
    help: given.help === true,
    full,
    save: given.save === true,
    peers: given.peers ?? PEER_NAMES,
    scenarios: given.scenarios ?? scenarios.map((s) => s.name),
    reps: given.reps ?? (full ? 5 : 3),
    sizes: given.sizes ?? (full ? FULL_SIZES : QUICK_SIZES),
    seconds: given.seconds ?? (full ? 2 : 1),
    runtime: given.runtime ?? "node",
    json: given.json ?? path.join(__dirname, "..", "results", "latest.json"),
  };
}

module.exports = { parseOptions, USAGE };
