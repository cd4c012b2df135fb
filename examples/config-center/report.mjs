// How the CLI reports what servers and nodes do: one event per line, as JSON (--json, for
// programs) or as text (for people). demo.mjs prints the JSON of its processes as text too.

/**
 * One event as a line of text.
 * @param {Record<string, any>} event
 */
export function formatEvent(event) {
  const short = (/** @type {string} */ hash) => hash.slice(0, 12);
  switch (event.event) {
    case "listening":
      return event.state === "active"
        ? `serving at seq ${event.seq} (${event.size} keys, run ${event.epoch}): updates on ${event.updates}, requests on ${event.requests}`
        : `${event.role}, starting at seq ${event.seq} (${event.size} keys): updates on ${event.updates}, requests on ${event.requests}; looking for the other server`;
    case "active":
      return `${event.role}: active, run ${event.run} at seq ${event.seq} (${event.reason})`;
    case "passive":
      return `${event.role}: passive, following the other server (${event.reason})`;
    case "synced":
      return `caught up with the active server by a ${event.kind}, at seq ${event.seq}`;
    case "failover":
      return `failover: now following the ${event.to} (run ${event.run}), the ${event.from} is no longer active`;
    case "update":
      if (event.deleted)
        return `seq ${event.seq}: ${event.key} ${event.expired ? "expired" : "deleted"}`;
      return `seq ${event.seq}: ${event.key} = ${event.value}${event.ttl ? ` (for ${event.ttl} ms)` : ""}`;
    case "snapshot":
      return `snapshot at seq ${event.seq}: ${event.size} keys, hash ${short(event.hash)} (${event.reason})`;
    case "state":
      return `in sync at seq ${event.seq}: ${event.size} keys, hash ${short(event.hash)}`;
    case "stream":
      return `sending a ${event.kind} (at seq ${event.seq})`;
    case "streamed":
      return event.status === "KTHXBAI"
        ? `sent a ${event.kind}: ${event.count} ${event.kind === "snapshot" ? "keys" : "updates"} up to seq ${event.seq}`
        : `${event.kind} not sent: ${event.status}`;
    case "replay":
      return event.to > event.from
        ? `caught up: updates ${event.from + 1}…${event.to} replayed (${event.count})`
        : `caught up: nothing missed, at seq ${event.to} of run ${event.run}`;
    case "gap":
      return `gap: at seq ${event.seq}, ${event.by} ${event.received} arrived; catching up`;
    case "dropped":
      return `dropped update ${event.seq} (${event.key}) on purpose (--drop-every)`;
    case "truncated":
      return `${event.file}: cut off a torn last record (${event.bytes} bytes, never acknowledged)`;
    case "compacted":
      return `data file compacted: ${event.before} -> ${event.after} bytes in ${event.ms} ms`;
    case "lost":
      return `server lost: ${event.message}`;
    case "reconnected":
      return `reconnected after ${event.after} ms (run ${event.run}, seq ${event.seq})`;
    case "warning":
      return `warning: ${event.message}`;
    default:
      return Object.entries(event)
        .map(([key, value]) => (key === "event" ? value : `${key}=${value}`))
        .join(" ");
  }
}

/**
 * A function that prints events to stdout, as JSON lines or as text.
 * @param {{ json?: boolean, name?: string }} options
 */
export function reporter({ json = false, name }) {
  return (/** @type {Record<string, any>} */ event) => {
    const line = json
      ? JSON.stringify(name === undefined ? event : { ...event, name })
      : `${name === undefined ? "" : `${name}: `}${formatEvent(event)}`;
    process.stdout.write(`${line}\n`);
  };
}
