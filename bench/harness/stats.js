"use strict";
// Medians over repetitions, and ratios taken within a repetition: the machine's noise moves
// every peer of one repetition together, so a ratio to the C run of the same repetition is
// steadier than a ratio of medians.

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max − min) / median: how much the repetitions disagree. */
function spread(values) {
  const m = median(values);
  if (values.length < 2 || !m) return null;
  return (Math.max(...values) - Math.min(...values)) / m;
}

const unique = (items) => [...new Set(items)];

/**
 * One summary per cell from the run records ({ scenario, size, peer, rep, error?, rate,
 * mbs, rttUs, drops, warnings }). Probe runs are not in `runs`.
 *   ratioC       thr: msg/s ÷ C's;            lat: RTT ÷ C's (above 1 is slower)
 *   ratioPyzmq   thr: msg/s ÷ pyzmq's (its default, copy=True mode); lat: RTT ÷ pyzmq's
 *   vsZeromq     thr: msg/s ÷ zeromq's;       lat: zeromq's RTT ÷ this RTT (above 1 is faster)
 *   median, min, max   of msg/s (thr) or RTT in µs (lat) over the repetitions
 */
function summarize({ scenarios, sizes, peers, runs, unavailable }) {
  const find = (scenario, size, peer) =>
    runs.filter((r) => r.scenario === scenario && r.size === size && r.peer === peer);
  const summaries = [];
  for (const scenario of scenarios) {
    const lat = scenario.kind === "lat";
    const metric = (run) => (lat ? run.rttUs : run.rate);
    for (const size of sizes) {
      const byRep = (peer) =>
        new Map(
          find(scenario.name, size, peer)
            .filter((r) => !r.error)
            .map((r) => [r.rep, r]),
        );
      const c = byRep("c");
      const pyzmq = byRep("pyzmq");
      const zeromq = byRep("zeromq");
      for (const peer of peers) {
        const summary = { scenario: scenario.name, size, peer: peer.name };
        summaries.push(summary);
        if (unavailable[peer.name]) {
          summary.error = `unavailable: ${unavailable[peer.name]}`;
          continue;
        }
        const all = find(scenario.name, size, peer.name);
        const good = all.filter((r) => !r.error);
        summary.runs = all.length;
        summary.ok = good.length;
        summary.errors = unique(all.filter((r) => r.error).map((r) => r.error));
        summary.warnings = unique(all.flatMap((r) => r.warnings ?? []));
        if (good.length === 0) {
          summary.error = summary.errors[0] ?? "not run";
          continue;
        }
        const values = good.map(metric);
        summary.median = lat
          ? { rttUs: median(values) }
          : { rate: median(values), mbs: median(good.map((r) => r.mbs)) };
        if (scenario.drops) summary.median.drops = median(good.map((r) => r.drops));
        summary.min = Math.min(...values);
        summary.max = Math.max(...values);
        summary.spread = spread(values);
        const ratios = (reference, fn) =>
          median(
            good
              .filter((r) => reference.has(r.rep))
              .map((r) => fn(metric(r), metric(reference.get(r.rep)))),
          );
        summary.ratioC = ratios(c, (mine, theirs) => mine / theirs);
        summary.ratioPyzmq = ratios(pyzmq, (mine, theirs) => mine / theirs);
        summary.vsZeromq = ratios(zeromq, (mine, theirs) => (lat ? theirs / mine : mine / theirs));
      }
    }
  }
  return summaries;
}

module.exports = { median, spread, summarize };
