"use strict";
// Command-line options. Quick mode (the default) takes a few minutes; --full sweeps sizes;
// --smoke is CI's check that every scenario and peer still runs (no timing is judged).
const path = require("node:path");
const { scenarios } = require("./scenarios");

const PEER_NAMES = ["c", "pyzmq", "pyzmq-zc", "zeromq", "napi", "napi-batch", "napi-zc"];
const RUNTIMES = ["node", "bun", "deno"];
const QUICK_SIZES = [16, 1024, 64 * 1024];
const FULL_SIZES = Array.from({ length: 15 }, (_, i) => 8 * 2 ** i); // 8 B … 128 KiB
const SMOKE_SIZES = [16, 64 * 1024];

/** The presets: what --full and --smoke change, and the default (quick). */
const PRESETS = {
  quick: { reps: 3, sizes: QUICK_SIZES, seconds: 1 },
  full: { reps: 5, sizes: FULL_SIZES, seconds: 2 },
  smoke: { reps: 1, sizes: SMOKE_SIZES, seconds: 0.2 },
};

const USAGE = `usage: node bench/run.js [options]     (npm run bench -- [options])

  --full                 sizes 8 B … 128 KiB (powers of two), 5 repetitions, ~2 s per run
  --smoke                CI's smoke test: 16 B and 64 KiB, 1 repetition, ~0.2 s per run; exits
                         non-zero only if the harness breaks or a zmq-napi cell fails
  --only <peer,...>      peers: ${PEER_NAMES.join(", ")}
  --scenario <name,...>  scenarios: ${scenarios.map((s) => s.name).join(", ")}
  --reps <n>             repetitions (quick 3, full 5, smoke 1); medians are reported
  --sizes <n,...>        message sizes in bytes (default quick: ${QUICK_SIZES.join(", ")})
  --seconds <s>          target duration of one run (quick 1, full 2, smoke 0.2)
  --runtime <name>       runtime for the zmq-napi peers: ${RUNTIMES.join(", ")} (default node)
  --json <file>          where to write the results (default bench/results/latest.json); the
                         report (.md) and its charts (-<scenario>.svg) are written beside it
  --from <file>          measure nothing: report the runs of an earlier results file (its
                         tables, charts and exit code; with --save, publish them)
  --save                 also publish: docs/benchmark.md and docs/benchmark-*.svg (replaced),
                         and a dated copy in docs/benchmarks/ (YYYY-MM-DD.md, .json, -*.svg)
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
      case "--smoke":
        given.smoke = true;
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
      case "--from":
        given.from = path.resolve(value());
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (given.full && given.smoke) throw new Error("--full and --smoke exclude each other");
  const mode = given.full ? "full" : given.smoke ? "smoke" : "quick";
  const preset = PRESETS[mode];
  return {
    help: given.help === true,
    mode,
    full: mode === "full",
    smoke: mode === "smoke",
    save: given.save === true,
    peers: given.peers ?? PEER_NAMES,
    scenarios: given.scenarios ?? scenarios.map((s) => s.name),
    reps: given.reps ?? preset.reps,
    sizes: given.sizes ?? preset.sizes,
    seconds: given.seconds ?? preset.seconds,
    runtime: given.runtime ?? "node",
    json: given.json ?? path.join(__dirname, "..", "results", "latest.json"),
    from: given.from ?? null,
  };
}

module.exports = { parseOptions, USAGE, PRESETS };
