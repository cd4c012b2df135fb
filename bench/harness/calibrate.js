"use strict";
// Message counts, so that each cell runs for about the target time whatever the peer's speed
// (C can be 50× faster than the slowest peer). The first run of a cell is a short probe sized
// from a deliberately pessimistic rate, repeated larger while it is too short to trust; every
// later run is sized from the run before it.

/** Messages (or round trips) per second that every peer should beat: keeps probes short. */
function pessimisticRate(scenario, size) {
  if (scenario.kind === "lat") return 2500;
  return Math.min(150e3, 1e9 / size);
}

const PROBE_SECONDS = 0.25;

function minimumCount(scenario) {
  // Throughput probes must outlast what the buffers absorb (HWM 1000 per side plus socket
  // buffers), or they measure a burst into memory rather than a flow.
  return scenario.kind === "lat" ? 200 : 5000;
}

/** A probe shorter than this measured start-up more than flow: probe again, larger. */
const SHORTEST_PROBE_SECONDS = 0.05;
const MAX_PROBES = 3;

/** The count of the first probe, or of the next one after a probe that was too short. */
function probeCount(scenario, size, previous) {
  if (previous) return nextCount(scenario, previous, PROBE_SECONDS);
  return Math.max(
    minimumCount(scenario),
    Math.round(pessimisticRate(scenario, size) * PROBE_SECONDS),
  );
}

function probeAgain(probe, attempt) {
  return probe.seconds < SHORTEST_PROBE_SECONDS && attempt < MAX_PROBES;
}

/** The count for the next run, from the last good one ({ count, rate }). */
function nextCount(scenario, previous, targetSeconds) {
  const wanted = Math.round(previous.rate * targetSeconds);
  // Grow at most 30× per step: a probe that measured a burst must not produce a run that
  // outlasts the cell timeout.
  return Math.max(minimumCount(scenario), Math.min(wanted, previous.count * 30));
}

module.exports = { probeCount, probeAgain, nextCount };
