// `cli.mjs server`: runs a ConfigServer until SIGINT or SIGTERM, printing its events.
import { serverCurve } from "./cli-curve.mjs";
import { UsageError } from "./cli-errors.mjs";
import { untilSignal } from "./cli-signals.mjs";
import { DEFAULT_BIND } from "./protocol.mjs";
import { reporter } from "./report.mjs";
import { ConfigServer } from "./server.mjs";

/** @param {import("./cli-node.mjs").Given} given */
export async function runServer(given) {
  const { options } = given;
  given.expect(0, 0, "no arguments");
  const report = reporter({ json: options.json === true });
  const role = /** @type {string} */ (options.role ?? "primary");
  if (role !== "primary" && role !== "backup") {
    throw new UsageError(`--role is primary or backup, not "${role}"`);
  }
  const peerUpdates = /** @type {string | undefined} */ (options["peer-updates"]);
  const peerRequests = /** @type {string | undefined} */ (options["peer-requests"]);
  if ((peerUpdates === undefined) !== (peerRequests === undefined)) {
    throw new UsageError(
      "--peer-updates and --peer-requests go together: the other server's endpoints",
    );
  }
  if (options.role !== undefined && peerUpdates === undefined) {
    throw new UsageError("--role needs the other server: --peer-updates and --peer-requests");
  }
  const updates = /** @type {string} */ (options.updates ?? DEFAULT_BIND.updates);
  const requests = /** @type {string} */ (options.requests ?? DEFAULT_BIND.requests);
  for (const [name, endpoint] of [
    ["--updates", updates],
    ["--requests", requests],
  ]) {
    if (endpoint.includes(","))
      throw new UsageError(`${name} of a server is the one endpoint it binds`);
  }
  const curve = serverCurve(given, peerUpdates !== undefined);
  const server = new ConfigServer({
    curve,
    updates,
    requests,
    dataFile: /** @type {string | undefined} */ (options.data),
    heartbeatInterval: given.number("heartbeat", 1) ?? 1000,
    sendHighWaterMark: given.number("hwm"),
    role,
    peer:
      peerUpdates === undefined
        ? undefined
        : { updates: peerUpdates, requests: /** @type {string} */ (peerRequests) },
  });
  if (peerUpdates !== undefined) {
    server.on("active", ({ epoch, seq, reason }) =>
      report({ event: "active", run: epoch, seq, reason, role }),
    );
  }
  server.on("passive", ({ reason }) => report({ event: "passive", reason, role }));
  server.on("synced", (synced) => report({ event: "synced", ...synced }));
  if (!options.quiet) {
    server.on("update", ({ key, seq, value, ttl, expired }) =>
      report(
        value === undefined
          ? { event: "update", seq, key, deleted: true, ...(expired ? { expired } : {}) }
          : { event: "update", seq, key, value, ...(ttl > 0 ? { ttl } : {}) },
      ),
    );
  }
  server.on("stream", (stream) => report({ event: "stream", ...stream }));
  server.on("streamed", (stream) => report({ event: "streamed", ...stream }));
  server.on("truncated", ({ bytes }) => report({ event: "truncated", bytes, file: options.data }));
  server.on("compacted", (compacted) => report({ event: "compacted", ...compacted }));
  server.on("warning", (error) => report({ event: "warning", message: error.message }));
  server.on("fatal", (error) => given.fail(error));

  // Ctrl-C while it starts (a long data file to replay) stops it once started.
  const stop = untilSignal(async () => {
    await server.close();
    report({ event: "stopped", seq: server.seq, hash: server.hash() });
  }, given.fail);
  await server.start();
  const { epoch, seq, size, state } = server;
  report({ event: "listening", ...server.endpoints, epoch, seq, size, state, role });
  stop.ready();
}
