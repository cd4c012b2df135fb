// `cli.mjs node`: runs a ConfigNode until SIGINT or SIGTERM, printing what it does: its
// snapshots and replays, the updates it applies (unless --quiet), a "state" line whenever its
// state changed since the last one (checked at each heartbeat, when the server confirmed nothing
// is missing), and what it notices (gaps, a lost server, a failover).
import { clientCurve } from "./cli-curve.mjs";
import { untilSignal } from "./cli-signals.mjs";
import { ConfigNode } from "./node.mjs";
import { DEFAULT_CONNECT } from "./protocol.mjs";
import { reporter } from "./report.mjs";

/**
 * What cli.mjs gives each command.
 * @typedef {object} Given
 * @property {Record<string, string | boolean | undefined>} options
 * @property {string[]} args
 * @property {string} command
 * @property {(name: string, min?: number) => number | undefined} number
 * @property {(name: string) => string | string[] | undefined} endpoints
 * @property {(least: number, most: number, what: string) => void} expect
 * @property {(error: unknown, exitCode?: number) => never} fail
 */

/** @param {Given} given */
export async function runNode(given) {
  const { options } = given;
  given.expect(0, 0, "no arguments");
  const report = reporter({
    json: options.json === true,
    name: /** @type {string | undefined} */ (options.name),
  });
  const node = new ConfigNode({
    updates: given.endpoints("updates") ?? DEFAULT_CONNECT.updates,
    requests: given.endpoints("requests") ?? DEFAULT_CONNECT.requests,
    receiveHighWaterMark: given.number("hwm"),
    dropEvery: given.number("drop-every"),
    prefix: /** @type {string | undefined} */ (options.prefix),
    curve: clientCurve(given),
  });
  let reported = { seq: -1, epoch: "" };
  const reportState = () => {
    if (node.seq === reported.seq && node.epoch === reported.epoch) return;
    reported = { seq: node.seq, epoch: node.epoch ?? "" };
    report({ event: "state", seq: node.seq, size: node.size, hash: node.hash(), run: node.epoch });
  };
  node.on("snapshot", ({ seq, size, epoch, reason }) => {
    report({ event: "snapshot", seq, size, hash: node.hash(), run: epoch, reason });
    reportState();
  });
  node.on("replay", ({ from, to, count, epoch }) => {
    report({ event: "replay", from, to, count, run: epoch });
    reportState();
  });
  node.on("heartbeat", reportState);
  node.on("gap", (gap) => report({ event: "gap", ...gap }));
  node.on("dropped", (dropped) => report({ event: "dropped", ...dropped }));
  node.on("warning", (error) => report({ event: "warning", message: error.message }));
  node.on("lost", (lost) => report({ event: "lost", ...lost }));
  node.on("failover", ({ from, to, epoch }) => report({ event: "failover", from, to, run: epoch }));
  node.on("reconnected", ({ after, epoch, seq }) =>
    report({ event: "reconnected", after, run: epoch, seq }),
  );
  if (!options.quiet) {
    node.on("update", ({ key, seq, value, epoch }) =>
      report(
        value === undefined
          ? { event: "update", seq, key, deleted: true, run: epoch }
          : { event: "update", seq, key, value, run: epoch },
      ),
    );
  }
  const stop = untilSignal(() => {
    node.close();
    report({ event: "stopped", seq: node.seq, hash: node.hash() });
  }, given.fail);
  stop.ready(); // a node has nothing to undo: a signal stops it cleanly at any time
  // It rejects only when the node is closed first (Ctrl-C during start-up): nothing to add.
  await node.start().catch(() => undefined);
}
