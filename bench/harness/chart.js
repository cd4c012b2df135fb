"use strict";
// Charts of a run: one per scenario, grouped bars (message size on x, one bar per peer),
// whiskers from the lowest to the highest repetition. Declared in Vega-Lite, compiled to Vega
// and rendered to SVG by Vega's headless View (View.toSVG): plain JavaScript, no browser, no
// canvas, no native code. vega and vega-lite are ES modules, hence the dynamic import.
const { formatSize } = require("./format");

/** One colour per peer, the same in every chart (Tableau 10). */
const COLOURS = {
  c: "#4e79a7",
  pyzmq: "#f28e2b",
  "pyzmq-zc": "#edc948",
  zeromq: "#76b7b2",
  napi: "#e15759",
  "napi-batch": "#b07aa1",
};
const SPARE_COLOURS = ["#59a14f", "#9c755f", "#bab0ac", "#ff9da7"];

let libraries = null;
async function loadVega() {
  libraries ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({
    vega,
    vegaLite,
  }));
  return libraries;
}

/** The Vega-Lite specification of one scenario's chart. */
function chartSpec({ scenario, summaries, peers, sizes, reps, date }) {
  const lat = scenario.kind === "lat";
  const good = summaries.filter((s) => !s.error);
  const shown = peers.filter((peer) => good.some((s) => s.peer === peer.name));
  const titles = shown.map((peer) => peer.title);
  const sizeLabels = sizes.filter((size) => good.some((s) => s.size === size)).map(formatSize);
  const values = good.map((s) => {
    const peer = peers.find((p) => p.name === s.peer);
    return {
      size: formatSize(s.size),
      peer: peer.title,
      value: lat ? s.median.rttUs : s.median.rate,
      low: s.min,
      high: s.max,
    };
  });
  let spare = 0;
  const range = shown.map(
    (peer) => COLOURS[peer.name] ?? SPARE_COLOURS[spare++ % SPARE_COLOURS.length],
  );
  const valueTitle = lat ? "round trip, µs (lower is better)" : "messages/s (log scale)";
  const y = {
    field: "value",
    type: "quantitative",
    title: valueTitle,
    stack: null, // side by side (xOffset), never stacked
    scale: lat ? { zero: true } : { type: "log" },
    axis: { format: "~s", grid: true },
  };
  const x = {
    field: "size",
    type: "ordinal",
    sort: sizeLabels,
    title: "message size",
    axis: { labelAngle: sizeLabels.length > 8 ? -45 : 0 },
  };
  const xOffset = { field: "peer", sort: titles };
  const layers = [
    {
      mark: { type: "bar", tooltip: false },
      encoding: {
        x,
        xOffset,
        y,
        color: {
          field: "peer",
          type: "nominal",
          title: null,
          sort: titles,
          scale: { domain: titles, range },
          legend: { orient: "top", direction: "horizontal", columns: 3 },
        },
      },
    },
  ];
  if (reps > 1) {
    layers.push({
      mark: { type: "rule", color: "#333", strokeWidth: 1 },
      encoding: {
        x,
        xOffset,
        y: { ...y, field: "low" },
        y2: { field: "high" },
      },
    });
  }
  const bars = Math.max(1, sizeLabels.length * titles.length);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: scenario.title,
      subtitle:
        `${lat ? "median round trip" : "median throughput"}` +
        `${reps > 1 ? ` of ${reps} repetitions, whiskers from lowest to highest` : ", 1 repetition"}` +
        ` · ${date.slice(0, 10)}`,
      anchor: "start",
    },
    width: Math.min(1100, Math.max(420, bars * 11)),
    height: 300,
    background: "white",
    padding: 8,
    config: {
      font: "Helvetica, Arial, sans-serif",
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 12, symbolType: "square" },
      title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: "#555" },
    },
    data: { values },
    layer: layers,
  };
}

/**
 * Renders one SVG per scenario that has at least one result:
 * [{ scenario: name, svg: text }]. Throws when vega cannot be loaded or fails.
 */
async function renderCharts(data) {
  const { vega, vegaLite } = await loadVega();
  const charts = [];
  for (const scenario of data.scenarios) {
    const summaries = data.summaries.filter((s) => s.scenario === scenario.name);
    if (!summaries.some((s) => !s.error)) continue;
    const spec = chartSpec({
      scenario,
      summaries,
      peers: data.peers,
      sizes: data.options.sizes,
      reps: data.options.reps,
      date: data.date,
    });
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
    try {
      charts.push({ scenario: scenario.name, svg: await view.toSVG() });
    } finally {
      view.finalize();
    }
  }
  return charts;
}

module.exports = { renderCharts, chartSpec };
