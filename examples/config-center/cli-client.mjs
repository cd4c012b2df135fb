// `cli.mjs set | del | get | import | status`: one request (or a few: import, get of everything)
// through a ConfigClient, its result on stdout (JSON with --json).
import * as fs from "node:fs";

import { ConfigClient, ConflictError } from "./client.mjs";
import { clientCurve } from "./cli-curve.mjs";
import { UsageError } from "./cli-errors.mjs";
import { DEFAULT_CONNECT } from "./protocol.mjs";

/** @param {import("./cli-node.mjs").Given} given */
export async function runClientCommand(given) {
  const { options } = given;
  const json = options.json === true;
  const requests = given.endpoints("requests") ?? DEFAULT_CONNECT.requests;
  const twoServers = Array.isArray(requests);
  // Checked before connecting: a wrong command line is told as such, whatever the server.
  const run = prepare(given);
  const curve = clientCurve(given);
  const client = new ConfigClient({
    requests,
    curve,
    // With a backup, long enough for a failover (3 heartbeat intervals, 3 s by default).
    timeout: given.number("timeout", 1) ?? (twoServers ? 10_000 : 5000),
  });
  if (twoServers && !json) {
    client.on("failover", ({ from, to }) =>
      process.stderr.write(`note: ${from} did not serve this; ${to} did\n`),
    );
  }
  const print = (/** @type {unknown} */ value) =>
    process.stdout.write(`${typeof value === "string" && !json ? value : JSON.stringify(value)}\n`);
  try {
    await run(client, print);
  } catch (error) {
    // A conflict has its own exit code, so that a script can read again and retry.
    given.fail(error, error instanceof ConflictError ? 3 : undefined);
  } finally {
    client.close();
  }
}

/**
 * Checks the command line and returns what to do with a client.
 * @param {import("./cli-node.mjs").Given} given
 * @returns {(client: ConfigClient, print: (value: unknown) => void) => Promise<void>}
 */
function prepare(given) {
  const { options, command, args } = given;
  const json = options.json === true;
  switch (command) {
    case "set": {
      const value = valueOf(given);
      const ifVersion = given.number("if-version");
      const ttl = given.number("ttl", 1);
      return async (client, print) => {
        const { seq, version, changed } = await client.set(args[0], value, { ifVersion, ttl });
        const expires = ttl === undefined ? "" : `, expires in ${ttl} ms unless set again`;
        if (json) print({ seq, version, changed, ...(ttl === undefined ? {} : { ttl }) });
        else if (changed) print(`seq ${seq} (version ${version}${expires})`);
        else if (ttl !== undefined) print(`renewed: seq ${seq} (version ${version}${expires})`);
        else print(`unchanged: ${args[0]} already has that value (version ${version}), seq ${seq}`);
      };
    }
    case "del": {
      given.expect(1, 1, "<key>");
      const ifVersion = given.number("if-version");
      return async (client, print) => {
        const { seq, changed } = await client.delete(args[0], { ifVersion });
        if (json) print({ seq, version: 0, changed });
        else print(changed ? `seq ${seq}` : `unchanged: ${args[0]} was not set, seq ${seq}`);
      };
    }
    case "get": {
      given.expect(0, 1, "[<key>]");
      const prefix = /** @type {string | undefined} */ (options.prefix);
      if (args.length === 1 && prefix !== undefined) {
        throw new UsageError("get takes a key or --prefix, not both");
      }
      if (args.length === 1) {
        return async (client, print) => {
          const { seq, value, version, ttl } = await client.get(args[0]);
          if (value === undefined) throw new Error(`${args[0]} is not set (seq ${seq})`);
          print(json ? { seq, value, version, ...(ttl > 0 ? { ttl } : {}) } : value);
        };
      }
      return async (client, print) => {
        const { epoch, seq, store } = await client.snapshot({ prefix });
        const sorted = [...store.values()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (json) {
          print({ epoch, seq, entries: Object.fromEntries(sorted) });
          return;
        }
        for (const [key, value] of sorted) print(`${key} = ${value}`);
        print(`(seq ${seq}, ${sorted.length} keys)`);
      };
    }
    case "import": {
      given.expect(1, 1, "<file.json> (or - for stdin): a JSON object of keys and values");
      const entries = readImport(args[0]);
      return async (client, print) => {
        let changed = 0;
        let seq = 0;
        // Batches of about 1 MiB: one request each, one update per key that changes.
        for (let start = 0; start < entries.length;) {
          let bytes = 0;
          let end = start;
          while (end < entries.length && (end === start || bytes < 1024 * 1024)) {
            bytes += entries[end][0].length + entries[end][1].length + 32;
            end += 1;
          }
          const result = await client.setMany(entries.slice(start, end));
          changed += result.changed;
          seq = result.seq;
          start = end;
        }
        print(
          json
            ? { seq, keys: entries.length, changed }
            : `seq ${seq}: ${changed} of ${entries.length} keys changed`,
        );
      };
    }
    default: {
      given.expect(0, 0, "no arguments");
      const prefix = /** @type {string | undefined} */ (options.prefix);
      if (prefix !== undefined) {
        // The subtree's own state: what a node following it holds (its seq and hash).
        return async (client, print) => {
          const { epoch, seq, store } = await client.snapshot({ prefix });
          const hash = store.hash();
          print(
            json
              ? { prefix, epoch, seq, size: store.size, hash }
              : `${prefix}… of run ${epoch}: seq ${seq}, ${store.size} keys, hash ${hash}`,
          );
        };
      }
      return async (client, print) => {
        const status = await client.status();
        const standing =
          status.state === "active" && status.role === "primary"
            ? ""
            : ` (${status.role}, ${status.state})`;
        print(
          json
            ? status
            : `run ${status.epoch}, seq ${status.seq}, ${status.size} keys, hash ${status.hash}${standing}`,
        );
      };
    }
  }
}

/**
 * The value of `set`: the second argument, or stdin (`-`), or a file (`--file`) — exactly one,
 * taken exactly as it is (no newline added or removed: printf, not echo).
 * @param {import("./cli-node.mjs").Given} given
 */
function valueOf(given) {
  const { args, options } = given;
  const file = /** @type {string | undefined} */ (options.file);
  const from = file !== undefined ? 1 : 2;
  given.expect(
    from,
    from,
    file !== undefined
      ? "<key> --file FILE (no value besides)"
      : "<key> <value>, or <key> - (stdin), or <key> --file FILE",
  );
  const source = file ?? (args[1] === "-" ? 0 : undefined);
  if (source === undefined) return args[1];
  try {
    return fs.readFileSync(source, "utf8");
  } catch (error) {
    const what = source === 0 ? "stdin" : source;
    throw new Error(`cannot read ${what}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
}

/** The entries of an import file (or stdin): a JSON object of keys and string values. */
function readImport(/** @type {string} */ name) {
  let text;
  try {
    text = fs.readFileSync(name === "-" ? 0 : name, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read ${name === "-" ? "stdin" : name}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${name === "-" ? "stdin" : name} is not JSON (${error instanceof Error ? error.message : error})`,
      { cause: error },
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error('an import is a JSON object: {"key": "value", …}');
  }
  return Object.entries(parsed).map(
    ([key, value]) =>
      /** @type {[string, string]} */ ([
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
  );
}
