#!/usr/bin/env node
"use strict";
// The benchmark: zmq-napi against libzmq's C perf tools, pyzmq and the `zeromq` package, in the
// scenarios of libzmq's perf/ (see bench/README.md). `node bench/run.js --help` for options.
//
// Order: repetition, then scenario, size and peer, so that the runs compared with each other
// (a peer and the C run of the same repetition) are close in time on a noisy machine.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { nextCount, probeAgain, probeCount } = require("./harness/calibrate");
const { runCell } = require("./harness/cell");
const { describeMachine } = require("./harness/machine");
const { parseOptions, USAGE } = require("./harness/options");
const {
  consoleReport,
  writeDated,
  writeJson,
  formatSize,
  formatRate,
  formatNumber,
} = require("./harness/report");
const { byName } = require("./harness/scenarios");
const { summarize } = require("./harness/stats");
const { createPeers } = require("./peers");

const root = path.join(__dirname, "..");
/** A cell that failed this many times is not run again. */
const MAX_FAILURES = 2;

const log = (text) => process.stderr.write(`${text}\n`);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.m?ts$/.test(entry.name)) {
      newest = Math.max(
        newest,
        fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs,
      );
    }
  }
  return newest;
}

function warnIfStale() {
  const built = path.join(root, "lib", "index.js");
  try {
    if (newestMtime(path.join(root, "src")) > fs.statSync(built).mtimeMs) {
      log(
        "bench: warning: src/ is newer than lib/; run `npx tsc -p tsconfig.build.json` to measure the current code",
      );
    }
  } catch {
    // no lib/ at all: the zmq-napi peers report it
  }
}

/** Checks every peer, asks the available ones for their versions. */
function inspectPeers(peers) {
  const unavailable = {};
  const versions = {};
  for (const peer of peers) {
    let reason = peer.check();
    if (!reason) {
      try {
        versions[peer.name] = peer.versions();
      } catch (error) {
        reason = `cannot start: ${error.message}`;
      }
    }
    if (reason) {
      unavailable[peer.name] = reason;
      versions[peer.name] = { error: reason };
      log(`bench: ${peer.title} unavailable: ${reason}`);
    }
  }
  return { unavailable, versions };
}

function describeRun(scenario, result) {
  if (result.error) return `error: ${result.error}`;
  const timing = `(${result.count} in ${result.seconds.toFixed(2)} s)`;
  if (scenario.kind === "lat") return `${formatNumber(result.rttUs)} µs RTT ${timing}`;
  const drops = result.drops ? `, ${result.drops} dropped` : "";
  return `${formatRate(result.rate)} msg/s, ${formatNumber(result.mbs)} MB/s${drops} ${timing}`;
}

/** One repetition of one cell: its records, a probe first when nothing sizes the run yet. */
async function repetition(cell, { peer, scenario, size, seconds, timeoutMs }, where) {
  const records = [];
  if (cell.last === null) {
    let previous; // the last probe, when it was too short to size a run from
    for (let attempt = 1; ; attempt++) {
      const count = probeCount(scenario, size, previous);
      const probe = await runCell({ peer, scenario, size, count, timeoutMs });
      records.push({ probe: true, ...probe });
      if (probe.error) {
        // Nothing to size this repetition's run from: it counts as a failed run, and the
        // next repetition probes again.
        cell.failures += 1;
        log(`${where}: probe ${describeRun(scenario, probe)}`);
        return [...records, { error: `probe failed: ${probe.error}`, warnings: probe.warnings }];
      }
      if (!probeAgain(probe, attempt)) {
        cell.last = probe;
        break;
      }
      previous = probe;
    }
  }
  const count = nextCount(scenario, cell.last, seconds);
  const result = await runCell({ peer, scenario, size, count, timeoutMs });
  if (result.error) cell.failures += 1;
  else cell.last = result;
  log(`${where}: ${describeRun(scenario, result)}`);
  return [...records, result];
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  warnIfStale();
  const peers = createPeers(options).filter((peer) => options.peers.includes(peer.name));
  const scenarios = options.scenarios.map((name) => byName.get(name));
  const { unavailable, versions } = inspectPeers(peers);
  const machine = describeMachine(versions);
  const active = peers.filter((peer) => !unavailable[peer.name]);
  const timeoutMs = (10 + 6 * options.seconds) * 1000;
  log(
    `bench: ${scenarios.length} scenarios × ${options.sizes.length} sizes × ${active.length} peers, ` +
      `${options.reps} repetitions of ~${options.seconds} s; ${machine.nproc} × ${machine.cpu}`,
  );

  const runs = [];
  const cells = new Map(); // per cell: the last good run ({ count, rate }) and the failures
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const scenario of scenarios) {
      for (const size of options.sizes) {
        for (const peer of active) {
          const key = `${scenario.name}/${size}/${peer.name}`;
          if (!cells.has(key)) cells.set(key, { last: null, failures: 0 });
          const cell = cells.get(key);
          if (cell.failures >= MAX_FAILURES) continue;
          const where = `[${rep}/${options.reps}] ${scenario.name} ${formatSize(size)} ${peer.title}`;
          const setup = { peer, scenario, size, seconds: options.seconds, timeoutMs };
          for (const result of await repetition(cell, setup, where)) {
            runs.push({ scenario: scenario.name, size, peer: peer.name, rep, ...result });
          }
        }
      }
    }
  }

  // Other work on the machine moves the numbers: keep the load seen at the end beside the start's.
  machine.loadAverageEnd = os.loadavg().map((load) => Number(load.toFixed(2)));
  const data = {
    date: new Date().toISOString(),
    command: ["node bench/run.js", ...process.argv.slice(2)].join(" "),
    options,
    machine,
    peers,
    scenarios,
    runs,
  };
  data.summaries = summarize({
    scenarios,
    sizes: options.sizes,
    peers,
    runs: runs.filter((r) => !r.probe),
    unavailable,
  });
  process.stdout.write(`\n${consoleReport(data)}`);
  writeJson(options.json, data);
  log(`bench: results in ${path.relative(process.cwd(), options.json)}`);
  if (options.save)
    log(
      `bench: saved ${path.relative(process.cwd(), writeDated(path.join(root, "docs", "benchmarks"), data))}`,
    );
}

main().catch((error) => {
  log(`bench: ${error.message}`);
  process.exitCode = 2;
});
