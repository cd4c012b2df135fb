"use strict";
// Runs one cell (scenario × peer × size × count) in fresh processes and returns its numbers,
// or { error } — never throws, never leaves a process behind.
const { endpointFor } = require("./endpoints");
const { start, sleep, TimeoutError } = require("./procs");

/** How long a partner may take to exit once the measurement is over. */
const EXIT_GRACE_MS = 3000;

async function runCell({ peer, scenario, size, count, timeoutMs }) {
  const began = Date.now();
  const deadline = began + timeoutMs;
  const procs = [];
  const warnings = [];
  let endpoint = null;
  try {
    endpoint = await endpointFor(scenario.transport);
    const params = { endpoint: endpoint.address, size, count };
    const outcome = scenario.single
      ? await runSingle(peer, scenario, params, deadline, procs, warnings)
      : await runPair(peer, scenario, params, deadline, procs, warnings);
    return {
      ...metrics(scenario, size, outcome),
      count,
      wall: (Date.now() - began) / 1000,
      warnings,
    };
  } catch (error) {
    const message =
      error instanceof TimeoutError
        ? `${error.message} (cell timeout ${timeoutMs / 1000} s)`
        : error.message;
    return { error: message, count, wall: (Date.now() - began) / 1000, warnings };
  } finally {
    for (const proc of procs) proc.kill("SIGKILL");
    await Promise.all(procs.map((proc) => proc.exited));
    endpoint?.cleanup();
  }
}

async function runSingle(peer, scenario, params, deadline, procs, warnings) {
  const spec = peer.launch(scenario.single, params);
  const proc = launch(spec, procs);
  const outcome = await Promise.race([resultOf(proc, spec, deadline), failureOf(procs)]);
  await awaitExits([[proc, spec]], deadline, warnings);
  return outcome;
}

async function runPair(peer, scenario, params, deadline, procs, warnings) {
  // Both launch specs first: a role the peer lacks fails before anything starts.
  const serverSpec = peer.launch(scenario.server, params);
  const clientSpec = peer.launch(scenario.client, params);
  const server = launch(serverSpec, procs);
  if (serverSpec.announcesReady) {
    await Promise.race([
      server.waitForEvent((e) => e.event === "ready", deadline, `${serverSpec.label} to bind`),
      failureOf(procs),
    ]);
  } else {
    await sleep(50); // the C tools say nothing: give them time to bind before the connect
  }
  const client = launch(clientSpec, procs);
  const failed = failureOf(procs);
  if (scenario.relayGo) {
    server.onEvent((event) => {
      if (event.event === "subscribed") client.write("go\n");
    });
  }
  const [measurer, measurerSpec, partner, partnerSpec] =
    scenario.measurer === "server"
      ? [server, serverSpec, client, clientSpec]
      : [client, clientSpec, server, serverSpec];
  const outcome = await Promise.race([resultOf(measurer, measurerSpec, deadline), failed]);

  // The measurement is over: let the partner close (workers wait for end of input before
  // closing, which is what keeps ipc:// from losing the tail of the stream).
  if (partnerSpec.finish === "kill") partner.kill("SIGTERM");
  else partner.closeInput();
  await awaitExits(
    [
      [measurer, measurerSpec],
      [partner, partnerSpec],
    ],
    deadline,
    warnings,
  );
  return outcome;
}

/** Waits a little for the cell's processes to exit; a slow or failed exit is a warning. */
async function awaitExits(pairs, deadline, warnings) {
  const grace = Math.min(deadline, Date.now() + EXIT_GRACE_MS);
  for (const [proc, spec] of pairs) {
    try {
      const exit = await proc.waitForExit(grace, `${spec.label} to exit`);
      if (!proc.killedByUs && (exit.error || exit.code !== 0)) {
        warnings.push(`${spec.label} ${proc.describeExit()} after the measurement`);
      }
    } catch {
      warnings.push(
        `${spec.label} did not exit within ${EXIT_GRACE_MS / 1000} s of the end; killed`,
      );
      proc.kill("SIGKILL");
    }
  }
}

function launch(spec, procs) {
  const proc = start(spec.command, spec.args, { label: spec.label, env: spec.env });
  procs.push(proc);
  return proc;
}

/** Rejects as soon as any process of the cell fails (instead of waiting for the timeout). */
function failureOf(procs) {
  const failed = new Promise((_, reject) => {
    for (const proc of procs) {
      proc.exited.then((exit) => {
        if (!proc.killedByUs && (exit.error || exit.code !== 0)) {
          reject(new Error(`${proc.label} failed: ${proc.describeExit()}`));
        }
      });
    }
  });
  failed.catch(() => {}); // only awaited while the cell runs
  return failed;
}

/** The measurer's numbers: a "result" event from a worker, or parsed C tool output. */
async function resultOf(proc, spec, deadline) {
  if (spec.parse) {
    const exit = await proc.waitForExit(deadline, `${spec.label} to finish`);
    if (exit.error || exit.code !== 0)
      throw new Error(`${spec.label} failed: ${proc.describeExit()}`);
    return spec.parse(proc.stdout);
  }
  const event = await proc.waitForEvent(
    (e) => e.event === "result" || e.event === "error",
    deadline,
    `the result of ${spec.label}`,
  );
  if (event.event === "error") throw new Error(`${spec.label}: ${event.message}`);
  return event;
}

/** msg/s and MB/s (thr) or µs per round trip (lat), from { messages|roundtrips, seconds }. */
function metrics(scenario, size, outcome) {
  if (!(outcome.seconds > 0)) throw new Error(`no valid timing in ${JSON.stringify(outcome)}`);
  if (scenario.kind === "lat") {
    const rttUs = (outcome.seconds / outcome.roundtrips) * 1e6;
    return { roundtrips: outcome.roundtrips, seconds: outcome.seconds, rttUs, rate: 1e6 / rttUs };
  }
  const rate = outcome.messages / outcome.seconds;
  const result = {
    messages: outcome.messages,
    seconds: outcome.seconds,
    rate,
    mbs: (rate * size) / 1e6,
  };
  if (scenario.drops) result.drops = outcome.drops ?? 0;
  return result;
}

module.exports = { runCell };
