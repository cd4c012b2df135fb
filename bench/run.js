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
const { renderCharts } = require("./harness/chart");
const { formatDuration, formatNumber, formatRate, formatSize } = require("./harness/format");
const { consoleReport, publish, writeDocument, writeJson } = require("./harness/report");
const { byName } = require("./harness/scenarios");
const { median, summarize } = require("./harness/stats");
const { createPeers } = require("./peers");

const root = path.join(__dirname, "..");
/** A cell that failed this many times is not run again. */
const MAX_FAILURES = 2;
/** The peers under test: a failed cell of theirs makes the exit code 1. */
const UNDER_TEST = ["napi", "napi-batch", "napi-zc"];

const log = (text) => process.stderr.write(`${text}\n`);
/** A file's name for a message: relative to the working directory when it is below it. */
const shown = (file) => {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
};

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

/** "[12/450 3:05 ~41:10 left]": cells done, time elapsed, time left (from the cells so far). */
function where(progress, total) {
  const elapsed = (Date.now() - progress.began) / 1000;
  const done = progress.done - 1; // the current cell has not run yet
  const left = done > 0 ? ` ~${formatDuration((elapsed / done) * (total - done))} left` : "";
  return `[${progress.done}/${total} ${formatDuration(elapsed)}${left}]`;
}

/** One repetition of one cell: its records, a probe first when nothing sizes the run yet. */
async function repetition(cell, { peer, scenario, size, seconds, timeoutMs }, label) {
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
        log(`${label}: probe ${describeRun(scenario, probe)}`);
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
  log(`${label}: ${describeRun(scenario, result)}`);
  return [...records, result];
}

/** Runs every cell; returns the run's data: what report() needs. */
async function measure(options) {
  warnIfStale();
  const peers = createPeers(options).filter((peer) => options.peers.includes(peer.name));
  const scenarios = options.scenarios.map((name) => byName.get(name));
  const { unavailable, versions } = inspectPeers(peers);
  const machine = describeMachine(versions);
  const active = peers.filter((peer) => !unavailable[peer.name]);
  const timeoutMs = (10 + 6 * options.seconds) * 1000;
  log(
    `bench: ${options.mode}: ${scenarios.length} scenarios × ${options.sizes.length} sizes × ${active.length} peers, ` +
      `${options.reps} repetition${options.reps === 1 ? "" : "s"} of ~${options.seconds} s; ` +
      `${machine.nproc} × ${machine.cpu}, load ${machine.loadAverage.join(", ")}`,
  );

  const runs = [];
  const cells = new Map(); // per cell: the last good run ({ count, rate }) and the failures
  const total = options.reps * scenarios.length * options.sizes.length * active.length;
  const progress = { done: 0, began: Date.now() };
  const loadSamples = [];
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const scenario of scenarios) {
      for (const size of options.sizes) {
        for (const peer of active) {
          progress.done += 1;
          const key = `${scenario.name}/${size}/${peer.name}`;
          if (!cells.has(key)) cells.set(key, { last: null, failures: 0 });
          const cell = cells.get(key);
          if (cell.failures >= MAX_FAILURES) {
            log(
              `${where(progress, total)} ${scenario.name} ${formatSize(size)} ${peer.title}: skipped after ${MAX_FAILURES} failures`,
            );
            continue;
          }
          loadSamples.push(os.loadavg()[0]);
          const label =
            `${where(progress, total)} rep ${rep}/${options.reps} ${scenario.name} ` +
            `${formatSize(size)} ${peer.title}`;
          const setup = { peer, scenario, size, seconds: options.seconds, timeoutMs };
          for (const result of await repetition(cell, setup, label)) {
            runs.push({ scenario: scenario.name, size, peer: peer.name, rep, ...result });
          }
        }
      }
    }
  }

  // Other work on the machine moves the numbers: keep the load seen at the end beside the start's.
  machine.loadAverageEnd = os.loadavg().map((load) => Number(load.toFixed(2)));
  if (loadSamples.length) {
    const round = (value) => Number(value.toFixed(2));
    machine.loadDuring = {
      min: round(Math.min(...loadSamples)),
      median: round(median(loadSamples)),
      max: round(Math.max(...loadSamples)),
    };
  }
  const data = {
    date: new Date(progress.began).toISOString(),
    seconds: Math.round((Date.now() - progress.began) / 1000),
    command: ["node bench/run.js", ...process.argv.slice(2)].join(" "),
    options,
    machine,
    peers,
    scenarios,
    runs,
  };
  log(`bench: measured in ${formatDuration(data.seconds)}`);
  return data;
}

/** An earlier run's data, from its results file (--from). */
function load(file) {
  const data = JSON.parse(fs.readFileSync(file, "utf8"));
  log(`bench: the ${data.runs.length} runs of ${data.command}, ${data.date} (${file})`);
  return data;
}

/** Summaries, tables, charts, files; sets the exit code. */
async function report(data, options) {
  const unavailable = Object.fromEntries(
    Object.entries(data.machine.peers)
      .filter(([, versions]) => versions.error)
      .map(([name, versions]) => [name, versions.error]),
  );
  data.summaries = summarize({
    scenarios: data.scenarios,
    sizes: data.options.sizes,
    peers: data.peers,
    runs: data.runs.filter((r) => !r.probe),
    unavailable,
  });
  process.stdout.write(`\n${consoleReport(data)}`);

  // The charts: a failure here is the harness's, reported after the tables are out.
  let charts = [];
  let chartError = null;
  try {
    charts = await renderCharts(data);
  } catch (error) {
    chartError = error;
    log(`bench: cannot draw the charts (is vega installed? npm ci): ${error.stack ?? error}`);
  }
  writeJson(options.json, data);
  const base = options.json.replace(/\.json$/, "");
  const written = [options.json, ...writeDocument(base, data, charts)];
  log(`bench: results in ${written.map(shown).join(", ")}`);
  if (options.save) {
    const saved = publish(path.join(root, "docs"), data, charts);
    log(`bench: saved ${saved.map(shown).join(", ")}`);
  }

  // The exit code: 2 when the harness broke, 1 when a zmq-napi cell failed (or zmq-napi could
  // not be loaded at all), 0 otherwise, whatever happened to the other peers.
  const failed = data.summaries.filter((s) => UNDER_TEST.includes(s.peer) && s.error);
  for (const s of failed)
    log(`bench: FAILED ${s.scenario} ${formatSize(s.size)} ${s.peer}: ${s.error}`);
  if (chartError) process.exitCode = 2;
  else if (failed.length) process.exitCode = 1;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const data = options.from ? load(options.from) : await measure(options);
  await report(data, options);
}

main().catch((error) => {
  log(`bench: ${error.message}`);
  process.exitCode = 2;
});
