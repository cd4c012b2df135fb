"use strict";
// Markdown tables (stdout and the dated copy in docs/benchmarks/) and the JSON file.
const fs = require("node:fs");
const path = require("node:path");

function formatSize(bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** 3 significant digits with k / M: 7.28 M, 493 k, 53.1 k. */
function formatRate(value) {
  if (value === 0) return "0";
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)} k`;
  return value.toPrecision(3);
}

const formatNumber = (value) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));
const formatRatio = (value) => (value == null ? "–" : `${value.toFixed(2)}×`);
const formatSpread = (value) => (value == null ? "" : `${Math.round(value * 100)} %`);
const cellText = (text) => String(text).replace(/\|/g, "\\|").replace(/\s+/g, " ");

function scenarioTable(scenario, summaries, peers) {
  const lat = scenario.kind === "lat";
  const title = (name) => peers.find((peer) => peer.name === name)?.title ?? name;
  const header = lat
    ? ["size", "peer", "RTT µs", "RTT ÷ C", "speed-up vs zeromq", "spread"]
    : ["size", "peer", "msg/s", "MB/s", "÷ C", "speed-up vs zeromq", "spread"];
  if (scenario.drops) header.push("drops");
  const rows = [];
  const notes = [];
  for (const s of summaries) {
    const name = title(s.peer);
    if (s.error) {
      const row = [formatSize(s.size), name, `error: ${cellText(s.error)}`];
      while (row.length < header.length) row.push("");
      rows.push(row);
      continue;
    }
    const m = s.median;
    const row = lat
      ? [
          formatSize(s.size),
          name,
          formatNumber(m.rttUs),
          formatRatio(s.ratioC),
          formatRatio(s.vsZeromq),
        ]
      : [
          formatSize(s.size),
          name,
          formatRate(m.rate),
          formatNumber(m.mbs),
          formatRatio(s.ratioC),
          formatRatio(s.vsZeromq),
        ];
    row.push(formatSpread(s.spread) + (s.ok < s.runs ? ` (${s.ok}/${s.runs} ok)` : ""));
    if (scenario.drops) row.push(m.drops ? formatRate(m.drops) : "0");
    rows.push(row);
    for (const text of [...s.errors, ...s.warnings])
      notes.push(`${formatSize(s.size)} ${name}: ${text}`);
  }
  const lines = [
    `### ${scenario.title}`,
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  if (notes.length) lines.push("", ...[...new Set(notes)].map((note) => `- ${cellText(note)}`));
  return lines.join("\n");
}

function tables({ scenarios, summaries, peers }) {
  return scenarios
    .map((scenario) =>
      scenarioTable(
        scenario,
        summaries.filter((s) => s.scenario === scenario.name),
        peers,
      ),
    )
    .join("\n\n");
}

const LEGEND = [
  "Medians over the repetitions. **÷ C**: throughput ÷ the C perf tool's, or for round trips",
  "RTT ÷ C's RTT (above 1× is slower), both from the same repetition. **speed-up vs zeromq**:",
  "how many times faster than the `zeromq` package in the same repetition. **spread**: (max −",
  "min) ÷ median over the repetitions. RTT is the full round trip (libzmq's remote_lat prints",
  "half; converted).",
].join("\n");

function peerTable(peers, machine) {
  const lines = ["| peer | library | libzmq | runtime |", "|---|---|---|---|"];
  for (const peer of peers) {
    const v = machine.peers[peer.name] ?? {};
    lines.push(
      v.error
        ? `| ${peer.title} | unavailable: ${cellText(v.error)} | | |`
        : `| ${peer.title} | ${v.library} | ${v.libzmq} | ${v.runtime} |`,
    );
  }
  return lines.join("\n");
}

/** What goes to stdout at the end of a run. */
function consoleReport(data) {
  return [tables(data), "", LEGEND, "", peerTable(data.peers, data.machine), ""].join("\n");
}

/** The dated markdown copy for docs/benchmarks/. */
function markdownDocument(data) {
  const m = data.machine;
  return [
    `# Benchmark ${data.date.slice(0, 10)}`,
    "",
    "```sh",
    data.command,
    "```",
    "",
    `${data.options.reps} repetition${data.options.reps === 1 ? "" : "s"} of about ${data.options.seconds} s ` +
      `per cell; sizes ${data.options.sizes.map(formatSize).join(", ")}. Method: [bench/README.md](../../bench/README.md).`,
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| CPU | ${m.cpu}, nproc ${m.nproc} |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os}, kernel ${m.kernel}, ${m.arch} |`,
    `| Node.js | ${m.node} |`,
    `| Python | ${m.python ?? "–"} |`,
    `| load average (1, 5, 15 min) | ${m.loadAverage.join(", ")} at start, ${(m.loadAverageEnd ?? []).join(", ")} at end |`,
    "",
    "## Peers",
    "",
    peerTable(data.peers, m),
    "",
    "## Results",
    "",
    LEGEND,
    "",
    tables(data),
    "",
  ].join("\n");
}

function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = {
    date: data.date,
    command: data.command,
    options: data.options,
    machine: data.machine,
    peers: data.peers.map(({ name, title }) => ({ name, title })),
    scenarios: data.scenarios,
    summaries: data.summaries, // per cell; see harness/stats.js for ratioC and vsZeromq
    runs: data.runs, // every run, probes included (probe: true)
  };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
}

function writeDated(dir, data) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${data.date.slice(0, 10)}.md`);
  fs.writeFileSync(file, markdownDocument(data));
  return file;
}

module.exports = { consoleReport, writeJson, writeDated, formatSize, formatRate, formatNumber };
