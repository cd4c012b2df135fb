// The config-center server: holds the key/value map and its sequence number, publishes every
// update (PUB) and answers requests (ROUTER): snapshots and replays for nodes that join or fall
// behind, streamed in bounded chunks, and SET/DEL/GET/STATUS for clients. See README.md for the
// protocol and its guarantees.
//
//   const server = new ConfigServer({ updates: "tcp://*:5570", requests: "tcp://*:5571" });
//   await server.start();
//   server.set("db/url", "postgres://…");   // or remotely: ConfigClient#set, `cli.mjs set`
//   server.set("db/url", "…", { ifVersion: 7 }); // only if db/url is at version 7
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Publisher, Router } from "zmq-napi";

import { replayChunks, snapshotChunks } from "./chunks.mjs";
import { ConflictError } from "./errors.mjs";
import { History } from "./history.mjs";
import { DurableLog } from "./log.mjs";
import { DEFAULT_BIND, checkKey, encodeHeartbeat, encodeUpdate, parseSeq } from "./protocol.mjs";
import { readRecords } from "./records.mjs";
import { Sessions } from "./sessions.mjs";
import { ConfigStore } from "./store.mjs";

/**
 * @typedef {object} ServerOptions
 * @property {string} [updates]   endpoint the PUB socket binds (default tcp://*:5570)
 * @property {string} [requests]  endpoint the ROUTER socket binds (default tcp://*:5571)
 * @property {number} [heartbeatInterval]  ms between heartbeats (default 1000)
 * @property {string} [dataFile]  keeps every update in this append-only log (log.mjs), fsync'ed
 *   before it is acknowledged or published, so that a restarted server carries on where it
 *   stopped (without it, a restart starts from nothing)
 * @property {boolean} [sync]  fsync the data file at each commit (true)
 * @property {number} [compactAfter]  compact the data file once it is this many bytes and twice
 *   its size after the last compaction (16 MiB)
 * @property {number} [sendHighWaterMark]  of the PUB socket: updates a slow node misses beyond it
 *   are dropped (the nodes recover them), never queued without bound
 * @property {number} [maxStreams]  snapshots and replays sent at once (16); beyond, BUSY
 * @property {{ maxCount?: number, maxBytes?: number }} [history]  recent updates kept for
 *   replays (100,000 updates, 64 MiB)
 */

/** How long a client asked to come back later (BUSY) waits at least, ms. */
const BUSY_RETRY = 500;

/**
 * Events:
 *   "update"    { key, seq, value }         after each change (value undefined: a deletion)
 *   "stream"    { kind, seq }               a snapshot or replay was asked for, at seq
 *   "streamed"  { kind, status, seq, count } one was sent to its end (status KTHXBAI), or ended
 *                                           (TOOOLD, ERROR)
 *   "truncated" { bytes }                   the data file's torn last frame was cut off at start
 *   "compacted" { before, after, ms }       the data file was compacted (sizes in bytes)
 *   "warning"   Error                       a compaction failed (the old file stays)
 *   "fatal"     Error                       the data file cannot be written: the server closes
 */
export class ConfigServer extends EventEmitter {
  #store = new ConfigStore();
  /** @type {History} */
  #history;
  /** Identifies this run of the server: nodes re-snapshot when it changes. */
  #epoch = randomBytes(6).toString("hex");
  /** @type {Required<Pick<ServerOptions, "updates" | "requests" | "heartbeatInterval">> & ServerOptions} */
  #options;
  /** @type {Publisher | undefined} */
  #publisher;
  /** @type {Router | undefined} */
  #router;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #heartbeat;
  /** @type {Promise<void> | undefined} */
  #serving;
  #sessions;
  #pumping = false;
  #closed = false;
  /** @type {Array<Array<string | number>>} */
  #outbox = [];
  /** @type {DurableLog | undefined} */
  #log;
  /** Runs whose history this one continues (from the data file), with where each ended. */
  #ancestors = /** @type {Array<{ epoch: string, seq: number }>} */ ([]);
  /** Requests of one batch are being handled: the commit comes at its end. */
  #batching = false;

  /** @param {ServerOptions} [options] */
  constructor(options = {}) {
    super();
    this.#options = { ...DEFAULT_BIND, heartbeatInterval: 1000, ...options };
    this.#history = new History(options.history);
    this.#store.epoch = this.#epoch;
    this.#sessions = new Sessions({ maxSessions: options.maxStreams });
  }

  /**
   * Replays the data file (if any), binds both endpoints and starts serving. Rejects with a
   * DataFileError (log.mjs) when the data file cannot be used, with a ZmqError when an endpoint
   * cannot be bound.
   */
  async start() {
    const { updates, requests, heartbeatInterval, dataFile, sendHighWaterMark } = this.#options;
    if (dataFile !== undefined) {
      this.#log = new DurableLog(dataFile, { sync: this.#options.sync ?? true });
      const replayed = this.#log.open();
      this.#store = replayed.store;
      this.#store.epoch = this.#epoch;
      for (const record of replayed.recent) this.#history.push(record);
      this.#ancestors = replayed.runs;
      this.#log.run(this.#epoch, this.#store.seq);
      this.#log.commit();
      if (replayed.truncated > 0) this.emit("truncated", { bytes: replayed.truncated });
    }
    this.#publisher = new Publisher({ linger: 0 });
    if (sendHighWaterMark !== undefined) this.#publisher.sendHighWaterMark = sendHighWaterMark;
    this.#router = new Router({ linger: 0 });
    try {
      await this.#publisher.bind(updates);
      await this.#router.bind(requests);
    } catch (error) {
      this.#publisher.close();
      this.#router.close();
      this.#log?.close();
      throw error;
    }
    this.#heartbeat = setInterval(() => this.#tick(), heartbeatInterval);
    this.#tick();
    this.#serving = this.#serve();
  }

  /** Every heartbeat interval: the heartbeat, stale streams, a compaction when it is time. */
  #tick() {
    const { heartbeatInterval } = this.#options;
    this.#publish(encodeHeartbeat(this.#epoch, this.#store.seq, heartbeatInterval));
    this.#flush();
    this.#sessions.expire();
    if (this.#log?.shouldCompact(this.#options.compactAfter)) void this.#compact();
  }

  async #compact() {
    const log = /** @type {DurableLog} */ (this.#log);
    const started = Date.now();
    try {
      const { before, after } = await log.compact(this);
      this.emit("compacted", { before, after, ms: Date.now() - started });
    } catch (error) {
      if (!this.#closed) this.emit("warning", error);
    }
  }

  /** The endpoints as bound (with the port chosen when bound to port `*`). */
  get endpoints() {
    return { updates: this.#publisher?.lastEndpoint, requests: this.#router?.lastEndpoint };
  }

  get seq() {
    return this.#store.seq;
  }

  get epoch() {
    return this.#epoch;
  }

  get size() {
    return this.#store.size;
  }

  /** What snapshots and replays are read from (chunks.mjs). */
  get store() {
    return this.#store;
  }

  get history() {
    return this.#history;
  }

  /** @param {string} key */
  get(key) {
    return this.#store.get(key)?.value;
  }

  /** Key -> value, a copy. */
  entries() {
    return this.#store.values();
  }

  hash() {
    return this.#store.hash();
  }

  /**
   * Sets key to value and publishes the update. Setting a key to the value it has changes
   * nothing (no update). With `ifVersion`, only if the key's version is that (0: the key must
   * not exist), else a ConflictError — compare-and-set, for read-modify-write.
   * @param {string} key
   * @param {string} value
   * @param {{ ifVersion?: number }} [options]
   * @returns {{ seq: number, version: number, changed: boolean }}
   *   seq: the server's sequence number after it; version: the key's
   */
  set(key, value, { ifVersion } = {}) {
    checkKey(key);
    if (typeof value !== "string") throw new TypeError("a value is a string");
    const entry = this.#expect(key, ifVersion);
    if (entry?.value === value)
      return { seq: this.#store.seq, version: entry.version, changed: false };
    const seq = this.#update(key, value);
    return { seq, version: seq, changed: true };
  }

  /**
   * Deletes key and publishes the deletion (nothing when it has no value); `ifVersion` as for
   * set(). version: 0, the version of a key that does not exist.
   * @param {string} key
   * @param {{ ifVersion?: number }} [options]
   * @returns {{ seq: number, version: number, changed: boolean }}
   */
  delete(key, { ifVersion } = {}) {
    checkKey(key);
    const entry = this.#expect(key, ifVersion);
    if (entry === undefined) return { seq: this.#store.seq, version: 0, changed: false };
    return { seq: this.#update(key, undefined), version: 0, changed: true };
  }

  /** The key's entry, after checking its version against `ifVersion` (when given). */
  #expect(key, /** @type {number | undefined} */ ifVersion) {
    const entry = this.#store.get(key);
    const version = entry?.version ?? 0;
    if (ifVersion !== undefined && ifVersion !== version) {
      throw new ConflictError(key, version, ifVersion);
    }
    return entry;
  }

  /** Stops serving and closes the sockets and the data file. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#sessions.clear();
    this.#router?.close();
    this.#publisher?.close();
    await this.#serving;
    this.#log?.close();
  }

  /**
   * One update: the map changes, the update goes to the data file's next commit and to the
   * publisher's outbox. Nothing leaves the server before the commit (#settle): an update is
   * published, and a write acknowledged, only once it is on disk.
   * @param {string} key
   * @param {string | undefined} value undefined deletes
   */
  #update(key, value) {
    const store = this.#store;
    const record = { key, seq: store.seq + 1, value, ttl: 0 };
    store.apply(record);
    this.#log?.append(record);
    this.#history.push(record);
    this.#publish(encodeUpdate(key, this.#epoch, record.seq, value));
    this.emit("update", { key, seq: record.seq, value });
    if (!this.#batching) this.#settle();
    return record.seq;
  }

  /**
   * Commits the data file (fsync), then publishes what waits. A data file that cannot be
   * written stops the server: its map would hold changes the file does not, so it must not
   * acknowledge or publish them ("fatal", then close()).
   */
  #settle() {
    try {
      this.#log?.commit();
    } catch (error) {
      this.#outbox = [];
      this.emit("fatal", error);
      void this.close();
      throw error;
    }
    this.#flush();
  }

  /** @param {Array<string | number>} frames */
  #publish(frames) {
    // Published in batches, in order (one native call for all the updates of an MSET); a PUB
    // socket never waits, it drops at its high water mark.
    this.#outbox.push(frames);
  }

  #flush() {
    const messages = this.#outbox;
    this.#outbox = [];
    if (messages.length === 0 || this.#publisher === undefined || this.#closed) return;
    this.#publisher.sendBatch(messages).catch((error) => this.emit("error", error));
  }

  /**
   * Takes the requests that are ready, all of them, handles them, commits once (group commit:
   * one fsync for every write of the batch), publishes, and only then replies.
   */
  async #serve() {
    const router = /** @type {Router} */ (this.#router);
    for (;;) {
      let batch;
      try {
        batch = await router.receiveBatch();
      } catch (error) {
        if (this.#closed) return;
        throw error;
      }
      /** @type {Array<Array<Buffer | string | number>>} */
      const replies = [];
      this.#batching = true;
      try {
        for (const frames of batch) {
          // [routing id…, "", requestId, COMMAND, …arguments]
          const delimiter = frames.findIndex((frame) => frame.length === 0);
          if (delimiter < 1 || delimiter + 1 >= frames.length) continue; // not a request
          const envelope = frames.slice(0, delimiter + 1);
          const [requestId, command, ...args] = frames.slice(delimiter + 1);
          let reply;
          try {
            reply = this.#handle(envelope[0], String(requestId), String(command ?? ""), args);
          } catch (error) {
            reply = ["ERROR", error instanceof Error ? error.message : String(error)];
          }
          if (reply !== undefined) replies.push([...envelope, requestId, ...reply]);
        }
      } finally {
        this.#batching = false;
      }
      try {
        this.#settle();
      } catch {
        return; // "fatal": nothing of this batch is acknowledged
      }
      // A ROUTER drops a reply to a peer that has gone: that client times out and asks again.
      if (replies.length > 0) await router.sendBatch(replies);
    }
  }

  /**
   * The reply to a request, or undefined when it has none (MORE, CANCEL, a stream opened:
   * its chunks are the reply).
   * @param {Buffer} peer
   * @param {string} id
   * @param {string} command
   * @param {Buffer[]} frames
   * @returns {Array<string | number> | undefined}
   */
  #handle(peer, id, command, frames) {
    // Arguments: how many at least, at most.
    const arity = {
      "ICANHAZ?": [2, 2],
      REPLAY: [4, 4],
      MORE: [1, 1],
      CANCEL: [0, 0],
      SET: [2, 3],
      DEL: [1, 2],
      MSET: [1, 1],
      GET: [1, 1],
      STATUS: [0, 0],
    }[command];
    if (arity === undefined) throw new Error(`unknown command "${command}"`);
    const [least, most] = arity;
    if (frames.length < least || frames.length > most) {
      const count = least === most ? least : `${least} to ${most}`;
      throw new Error(`${command} takes ${count} arguments, not ${frames.length}`);
    }
    const args = command === "MSET" ? [] : frames.map(String);
    const store = this.#store;
    switch (command) {
      case "ICANHAZ?":
        return this.#openStream(peer, id, args[1], "snapshot", snapshotChunks(this, args[0]));
      case "REPLAY": {
        const [epoch, fromText, prefix, credit] = args;
        const from = parseSeq(fromText);
        // Only this run's history can be continued, and that of the runs before it that the data
        // file holds (up to where they ended): another run's seq 7 is another state.
        const continued =
          epoch === this.#epoch ||
          this.#ancestors.some((run) => run.epoch === epoch && from <= run.seq);
        if (!continued || from > store.seq) return ["TOOOLD", this.#epoch, store.seq];
        return this.#openStream(peer, id, credit, "replay", replayChunks(this, from, prefix));
      }
      case "MORE":
        this.#sessions.credit(peer, id, parseSeq(args[0]));
        this.#pump();
        return undefined;
      case "CANCEL":
        this.#sessions.close(peer, id);
        return undefined;
      case "SET":
      case "DEL": {
        const [key, ...rest] = args;
        const value = command === "SET" ? rest.shift() : undefined;
        const ifVersion = rest[0] === undefined || rest[0] === "" ? undefined : parseSeq(rest[0]);
        try {
          const { seq, version, changed } =
            value === undefined
              ? this.delete(key, { ifVersion })
              : this.set(key, value, { ifVersion });
          return ["OK", seq, version, changed ? 1 : 0];
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          return ["CONFLICT", store.seq, error.version];
        }
      }
      case "MSET": {
        let changed = 0;
        for (const record of readRecords(frames[0])) {
          const result =
            record.value === undefined
              ? this.delete(record.key)
              : this.set(record.key, record.value);
          if (result.changed) changed += 1;
        }
        return ["OK", store.seq, changed];
      }
      case "GET": {
        const entry = store.get(args[0]);
        return entry === undefined
          ? ["NOTFOUND", store.seq]
          : ["OK", store.seq, entry.value, entry.version];
      }
      default:
        return ["STATUS", this.#epoch, store.seq, store.size, store.hash()];
    }
  }

  /**
   * @param {Buffer} peer
   * @param {string} id
   * @param {string} credit
   * @param {"snapshot" | "replay"} kind
   * @param {Iterator<Array<string | number | Buffer>>} chunks
   */
  #openStream(peer, id, credit, kind, chunks) {
    const session = { peer, id, kind, chunks, credit: Math.max(1, parseSeq(credit)) };
    if (!this.#sessions.open(session)) {
      return ["BUSY", Math.round(BUSY_RETRY * (1 + Math.random()))];
    }
    this.emit("stream", { kind, seq: this.#store.seq });
    this.#pump();
    return undefined;
  }

  /** Sends the streams' chunks while they have credit, one chunk per turn of the event loop. */
  async #pump() {
    if (this.#pumping) return;
    this.#pumping = true;
    const router = /** @type {Router} */ (this.#router);
    try {
      for (let next = this.#sessions.next(); next !== undefined; next = this.#sessions.next()) {
        const { session, message, last } = next;
        await router.send([session.peer, "", session.id, ...message]);
        if (last) {
          const [status, , , endSeq, count] = message;
          this.emit("streamed", { kind: session.kind, status, seq: endSeq, count });
        }
        await nextTurn(); // requests and writes go on between chunks
        if (this.#closed) return;
      }
    } catch (error) {
      if (!this.#closed) this.emit("error", error);
    } finally {
      this.#pumping = false;
    }
  }
}
