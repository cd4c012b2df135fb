"use strict";
// The report of a run: a markdown document (environment header, one table per scenario, each
// with its chart when there is one), the JSON results, and where they are written:
//   beside the JSON file (bench/results/latest.{json,md}, latest-<scenario>.svg), every run;
//   with --save, docs/benchmark.md and docs/benchmark-<scenario>.svg (replacing the previous
//   ones) and the dated copy docs/benchmarks/YYYY-MM-DD.{md,json}, YYYY-MM-DD-<scenario>.svg.
const fs = require("node:fs");
const path = require("node:path");
const {
  formatSize,
  formatRate,
  formatNumber,
  formatRatio,
  formatSpread,
  formatDuration,
} = require("./format");

const { PRESETS } = require("./options");

const root = path.join(__dirname, "..", "..");
const METHOD = path.join(root, "bench", "README.md");

const cellText = (text) => String(text).replace(/\|/g, "\\|").replace(/\s+/g, " ");
/** A link target from `dir` to `file`, with forward slashes. */
const linkFrom = (dir, file) => path.relative(dir, file).split(path.sep).join("/");

function scenarioTable(scenario, summaries, peers) {
  const lat = scenario.kind === "lat";
  const title = (name) => peers.find((peer) => peer.name === name)?.title ?? name;
  const header = lat
    ? ["size", "peer", "RTT µs", "÷ C", "÷ pyzmq", "speed-up vs zeromq", "spread"]
    : ["size", "peer", "msg/s", "MB/s", "÷ C", "÷ pyzmq", "speed-up vs zeromq", "spread"];
  if (scenario.drops) header.push("drops");
  const rows = [];
  const notes = [];
  for (const s of summaries) {
    const name = title(s.peer);
    if (s.error) {
      const text = s.error.startsWith("unavailable") ? s.error : `error: ${s.error}`;
      const row = [formatSize(s.size), name, cellText(text)];
      while (row.length < header.length) row.push("");
      rows.push(row);
      continue;
    }
    const m = s.median;
    const row = [formatSize(s.size), name];
    if (lat) row.push(formatNumber(m.rttUs));
    else row.push(formatRate(m.rate), formatNumber(m.mbs));
    row.push(formatRatio(s.ratioC), formatRatio(s.ratioPyzmq), formatRatio(s.vsZeromq));
    row.push(formatSpread(s.spread) + (s.ok < s.runs ? ` (${s.ok}/${s.runs} ok)` : ""));
    if (scenario.drops) row.push(m.drops ? formatRate(m.drops) : "0");
    rows.push(row);
    for (const text of [...s.errors, ...s.warnings])
      notes.push(`${formatSize(s.size)} ${name}: ${text}`);
  }
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  if (notes.length) lines.push("", ...[...new Set(notes)].map((note) => `- ${cellText(note)}`));
  return lines.join("\n");
}

/** Every scenario's section; `images` maps a scenario's name to its chart's link, if any. */
function tables({ scenarios, summaries, peers }, images = {}) {
  return scenarios
    .map((scenario) => {
      const section = [`### ${scenario.title}`, ""];
      if (images[scenario.name]) section.push(`![${scenario.title}](${images[scenario.name]})`, "");
      section.push(
        scenarioTable(
          scenario,
          summaries.filter((s) => s.scenario === scenario.name),
          peers,
        ),
      );
      return section.join("\n");
    })
    .join("\n\n");
}

const LEGEND = [
  "Medians over the repetitions. **÷ C**, **÷ pyzmq**: throughput ÷ that of the C perf tool,",
  "or of pyzmq in its default (copy) mode; for round trips RTT ÷ their RTT (above 1× is",
  "slower). Both are taken within each repetition, then the median is reported. **speed-up vs",
  "zeromq**: how many times faster than the `zeromq` package in the same repetition. **spread**:",
  "(max − min) ÷ median over the repetitions. RTT is the full round trip (libzmq's remote_lat",
  "prints half; converted). Charts: medians, whiskers from the lowest to the highest repetition.",
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

const loads = (values) => (values ?? []).join(", ");

/** "; repetitions: 2 instead of the preset's 5": what the command line changed. */
function departures(options) {
  const preset = PRESETS[options.mode];
  if (!preset) return "";
  const changed = [];
  if (options.reps !== preset.reps)
    changed.push(`repetitions: ${options.reps} instead of the preset's ${preset.reps}`);
  if (options.seconds !== preset.seconds)
    changed.push(`${options.seconds} s per run instead of the preset's ${preset.seconds} s`);
  if (options.sizes.join() !== preset.sizes.join())
    changed.push("sizes chosen on the command line");
  return changed.length ? ` (${changed.join("; ")})` : "";
}

/** The environment header: what the numbers were measured on, and how busy it was. */
function environment(data) {
  const m = data.machine;
  const o = data.options;
  const during = m.loadDuring;
  const lines = [
    "| | |",
    "|---|---|",
    `| date | ${data.date.replace("T", " ").slice(0, 16)} UTC, ${formatDuration(data.seconds ?? 0)} long |`,
    `| mode | ${o.mode}${departures(o)}: ${o.reps} repetition${o.reps === 1 ? "" : "s"} of about ${o.seconds} s per cell; sizes ${o.sizes.map(formatSize).join(", ")} |`,
    `| zmq-napi | ${m.commit ?? "–"} |`,
    `| CPU | ${m.cpu}, nproc ${m.nproc} |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os}, kernel ${m.kernel}, ${m.arch} |`,
    `| Node.js | ${m.node} |`,
    `| Python | ${m.python ?? "–"} |`,
    `| load average (1, 5, 15 min) | ${loads(m.loadAverage)} at start, ${loads(m.loadAverageEnd)} at end |`,
  ];
  if (during)
    lines.push(
      `| 1-min load average during the run | ${during.min} … ${during.max}, median ${during.median} (sampled at every cell) |`,
    );
  // The load sampled between cells is mostly the benchmark's own: a cell keeps two processes
  // and their libzmq I/O threads busy. Only the load before the first cell tells of others.
  const before = m.loadAverage?.[0] ?? 0;
  const sampled = during
    ? ` The 1-min load average sampled during the run (${during.min} … ${during.max}, median ${during.median}) is mostly the benchmark's own: each cell keeps two processes and their libzmq I/O threads busy.`
    : "";
  const spread =
    " The spread column and the charts' whiskers show how much the repetitions disagreed.";
  const note =
    before >= m.nproc / 2
      ? `**Noise**: the machine was busy before the run started (1-min load average ${before} on ${m.nproc} CPUs), so other processes competed with the cells. Absolute numbers move with that load; the ratios, taken within a repetition, move less.${sampled}${spread}`
      : `**Noise**: the machine was idle when the run started (1-min load average ${before} on ${m.nproc} CPUs).${sampled}${spread}`;
  return [lines.join("\n"), "", note].join("\n");
}

/**
 * The whole document. `dir`: where it is written (for its links; the repository root for
 * stdout); `images`: scenario name → chart link.
 */
function markdownDocument(data, { dir = root, images = {}, title, see } = {}) {
  return [
    `# ${title ?? `Benchmark ${data.date.slice(0, 10)}`}`,
    "",
    "```sh",
    data.command,
    "```",
    "",
    `zmq-napi against libzmq's C perf tools, pyzmq and the \`zeromq\` package. Method: ` +
      `[bench/README.md](${linkFrom(dir, METHOD)}).` +
      (see ? ` ${see(dir)}` : ""),
    "",
    "## Environment",
    "",
    environment(data),
    "",
    "## Peers",
    "",
    peerTable(data.peers, data.machine),
    "",
    "## Results",
    "",
    LEGEND,
    "",
    tables(data, images),
    "",
  ].join("\n");
}

/** What goes to stdout at the end of a run. */
function consoleReport(data) {
  return markdownDocument(data);
}

function jsonText(data) {
  const json = {
    date: data.date,
    seconds: data.seconds,
    command: data.command,
    options: data.options,
    machine: data.machine,
    peers: data.peers.map(({ name, title }) => ({ name, title })),
    scenarios: data.scenarios,
    summaries: data.summaries, // per cell; see harness/stats.js for the ratios
    runs: data.runs, // every run, probes included (probe: true)
  };
  // One run or summary per line: readable, diffable, and a third of the indented size.
  const body = Object.entries(json).map(([key, value]) => {
    const text = Array.isArray(value)
      ? `[\n${value.map((item) => `    ${JSON.stringify(item)}`).join(",\n")}\n  ]`
      : JSON.stringify(value, null, 2).replace(/\n/g, "\n  ");
    return `  ${JSON.stringify(key)}: ${text}`;
  });
  return `{\n${body.join(",\n")}\n}\n`;
}

function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jsonText(data));
}

/**
 * The charts in `dir` of the document `<stem>.md`: `<stem>-<scenario>.svg`, but not those of
 * another document whose name starts the same (`2026-12-02-epyc.md` beside `2026-12-02.md`).
 */
function chartsOf(dir, stem) {
  const names = fs.readdirSync(dir);
  const others = names
    .filter((name) => name.endsWith(".md") && name.startsWith(`${stem}-`))
    .map((name) => name.slice(0, -".md".length));
  return names.filter(
    (name) =>
      name.startsWith(`${stem}-`) &&
      name.endsWith(".svg") &&
      !others.some((other) => name.startsWith(`${other}-`)),
  );
}

/**
 * Writes `<base>.md` and its charts `<base>-<scenario>.svg` (removing that document's previous
 * charts first); returns the files written.
 */
function writeDocument(base, data, charts, options = {}) {
  const dir = path.dirname(base);
  const stem = path.basename(base);
  fs.mkdirSync(dir, { recursive: true });
  for (const name of chartsOf(dir, stem)) fs.unlinkSync(path.join(dir, name));
  const images = {};
  const written = [];
  for (const chart of charts) {
    const file = `${base}-${chart.scenario}.svg`;
    fs.writeFileSync(file, chart.svg);
    images[chart.scenario] = path.basename(file);
    written.push(file);
  }
  fs.writeFileSync(`${base}.md`, markdownDocument(data, { dir, images, ...options }));
  return [`${base}.md`, ...written];
}

/**
 * --save: docs/benchmark.md with its charts (replacing the previous ones), and the dated copy in
 * docs/benchmarks/ with the JSON results. Returns the files written.
 */
function publish(docs, data, charts) {
  const day = data.date.slice(0, 10);
  const dated = path.join(docs, "benchmarks", day);
  const written = writeDocument(path.join(docs, "benchmark"), data, charts, {
    title: "Benchmark",
    see: (dir) =>
      `This run's dated copy: [${day}.md](${linkFrom(dir, `${dated}.md`)}), every run of it in ` +
      `[${day}.json](${linkFrom(dir, `${dated}.json`)}).`,
  });
  written.push(...writeDocument(dated, data, charts));
  writeJson(`${dated}.json`, data);
  written.push(`${dated}.json`);
  return written;
}

module.exports = {
  consoleReport,
  markdownDocument,
  writeJson,
  writeDocument,
  chartsOf,
  publish,
  formatSize,
  formatRate,
  formatNumber,
};
