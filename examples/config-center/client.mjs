// The config-center client: requests to the server's requests endpoint over a DEALER socket,
// several at a time, each matched to its reply by a request id and given up after a timeout.
// Nodes use it for snapshots and replays (streamed in chunks); programs and the CLI for
// SET/DEL/GET/STATUS.
//
//   const client = new ConfigClient({ requests: "tcp://localhost:5571" });
//   const { seq, version } = await client.set("db/url", "postgres://…");
//   await client.set("db/url", "postgres://db-2/app", { ifVersion: version }); // compare-and-set
//   client.close();
import { EventEmitter } from "node:events";
import { Dealer } from "zmq-napi";

import { watchConnection } from "./connection.mjs";
import { BusyError, ConflictError, NoReplyError, TooOldError } from "./errors.mjs";
import { DEFAULT_CONNECT, checkKey, parseSeq } from "./protocol.mjs";
import { RecordWriter, forEachRecord } from "./records.mjs";
import { ConfigStore } from "./store.mjs";

/**
 * @typedef {object} ClientOptions
 * @property {string} [requests]  the server's requests endpoint (default tcp://localhost:5571)
 * @property {number} [timeout]   ms to wait for a reply, or for the next chunk of a stream
 *   (default 5000)
 */

export { BusyError, ConflictError, NoReplyError, TooOldError } from "./errors.mjs";

/** The chunks of a stream in flight at once (credit given to the server). */
const WINDOW = 4;

/**
 * Events: "lost" { message } when a request got no reply in time (the first one since the last
 * reply), "reconnected" { after } when a reply comes again (after: ms since "lost").
 */
export class ConfigClient extends EventEmitter {
  #dealer;
  #connection;
  #timeout;
  /** Date.now() of the "lost" event while no reply has come since, else undefined. */
  #lostAt;
  #nextId = 0;
  /** @type {Map<string, (reply: Buffer[]) => void>} */
  #pending = new Map();
  /** @type {Set<(error: Error) => void>} */
  #failures = new Set();

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    super();
    this.#timeout = options.timeout ?? 5000;
    const endpoint = options.requests ?? DEFAULT_CONNECT.requests;
    // linger 0: requests still queued when the client closes are thrown away, not sent later.
    this.#dealer = new Dealer({ linger: 0 });
    this.#connection = watchConnection(this.#dealer, endpoint);
    this.#dealer.connect(endpoint);
    void this.#receiveReplies();
  }

  /** Whether a ZeroMQ connection to the server is up now. */
  get connected() {
    return this.#connection.connected;
  }

  /** A NoReplyError for `command` after `ms`, saying what the connection looked like. */
  #noReply(command, ms) {
    const error = new NoReplyError(`${command}: ${this.#connection.explain(ms)}`);
    if (this.#lostAt === undefined) {
      this.#lostAt = Date.now();
      this.emit("lost", { message: error.message });
    }
    return error;
  }

  /** A reply came: the server is there. */
  #heard() {
    if (this.#lostAt === undefined) return;
    const after = Date.now() - this.#lostAt;
    this.#lostAt = undefined;
    this.emit("reconnected", { after });
  }

  /**
   * Sends a request and resolves with the reply's frames after the request id ([status, …]).
   * Rejects on timeout, on an ERROR reply and when the client is closed. A request that timed
   * out may still have been carried out (its reply was late or lost).
   * @param {string} command
   * @param {Array<string | number | Buffer>} args
   * @param {{ timeout?: number }} [options]
   * @returns {Promise<string[]>}
   */
  async request(command, args = [], options = {}) {
    const reply = await this.#exchange(command, args, options.timeout ?? this.#timeout);
    return reply.map(String);
  }

  /**
   * Sets key to value. With `ifVersion`, only if the key is at that version (0: if it does not
   * exist), else rejects with a ConflictError that carries the key's version: compare-and-set.
   * Resolves with the server's seq after it, the key's version, and whether anything changed
   * (setting a key to the value it has changes nothing).
   * @param {string} key
   * @param {string} value
   * @param {{ ifVersion?: number }} [options]
   */
  async set(key, value, { ifVersion } = {}) {
    const args = [checkKey(key), value, ...(ifVersion === undefined ? [] : [ifVersion])];
    return this.#written(key, ifVersion, await this.request("SET", args));
  }

  /** Deletes key (`ifVersion` as for set()); resolves like set(), version 0. */
  async delete(key, { ifVersion } = {}) {
    const args = [checkKey(key), ...(ifVersion === undefined ? [] : [ifVersion])];
    return this.#written(key, ifVersion, await this.request("DEL", args));
  }

  /** The reply to SET or DEL. @param {string[]} reply */
  #written(key, ifVersion, reply) {
    const [status, seq, version, changed] = reply;
    if (status === "CONFLICT") throw new ConflictError(key, parseSeq(version), ifVersion);
    return { seq: parseSeq(seq), version: parseSeq(version), changed: changed === "1" };
  }

  /**
   * Sets (or, for an undefined value, deletes) many keys in one request: one update per key
   * that changes. Resolves with the sequence number after the last and how many changed.
   * @param {Iterable<[string, string | undefined]>} entries
   */
  async setMany(entries) {
    const writer = new RecordWriter();
    for (const [key, value] of entries) writer.add({ key: checkKey(key), seq: 0, value, ttl: 0 });
    const [, seq, changed] = await this.request("MSET", [writer.take()]);
    return { seq: parseSeq(seq), changed: parseSeq(changed) };
  }

  /**
   * The value of key (undefined if it has none), its version (0 if none) and the sequence number
   * it was read at.
   */
  async get(key) {
    const [status, seq, value, version] = await this.request("GET", [checkKey(key)]);
    if (status !== "OK") return { seq: parseSeq(seq), value: undefined, version: 0 };
    return { seq: parseSeq(seq), value, version: parseSeq(version) };
  }

  /** The server's run (epoch), sequence number, number of keys and state hash. */
  async status() {
    const [, epoch, seq, size, hash] = await this.request("STATUS");
    return { epoch, seq: parseSeq(seq), size: parseSeq(size), hash };
  }

  /**
   * The map (the keys starting with `prefix`) exactly as of one sequence number: a snapshot,
   * then a replay of the updates made while it was read (see chunks.mjs).
   * @param {{ prefix?: string }} [options]
   * @returns {Promise<{ epoch: string, seq: number, store: ConfigStore }>}
   */
  async snapshot({ prefix = "" } = {}) {
    const store = new ConfigStore();
    const end = await this.stream("ICANHAZ?", [prefix], (records) =>
      forEachRecord(records, (record) =>
        store.put(record.key, record.value, record.seq, record.ttl),
      ),
    );
    store.seq = end.startSeq;
    store.epoch = end.epoch;
    if (end.endSeq > end.startSeq) {
      await this.replay(store, { prefix, silent: true });
      if (store.seq < end.endSeq) throw new Error("the replay after the snapshot fell short");
    }
    return { epoch: end.epoch, seq: store.seq, store };
  }

  /**
   * Brings `store` up to the server's newest update by replaying those after `store.seq`, in
   * order; rejects with TooOldError when the server no longer keeps them all.
   * @param {ConfigStore} store
   * @param {{ prefix?: string, silent?: boolean,
   *           onUpdate?: (record: import("./records.mjs").ChangeRecord) => void }} [options]
   *   silent: put the updates without checking that each is the next (after a snapshot, whose
   *   entries are newer than its starting seq); onUpdate: called after each update applied
   */
  async replay(store, { prefix = "", silent = false, onUpdate } = {}) {
    const epoch = store.epoch;
    if (epoch === undefined) throw new TooOldError("REPLAY: the store has no run to continue");
    const end = await this.stream("REPLAY", [epoch, store.seq, prefix], (records) =>
      forEachRecord(records, (record) => {
        if (record.seq <= store.seq) return;
        if (silent) {
          store.put(record.key, record.value, record.seq, record.ttl);
          store.seq = record.seq;
        } else {
          store.apply(record);
        }
        onUpdate?.(record);
      }),
    );
    store.seq = Math.max(store.seq, end.endSeq);
    store.epoch = end.epoch;
    return end;
  }

  /**
   * Runs a stream (ICANHAZ? or REPLAY): sends the request with WINDOW credits, hands each
   * chunk's records to `onChunk` and gives a credit back, and resolves with what KTHXBAI says.
   * The timeout applies to each chunk, not to the whole stream: a big snapshot that keeps
   * coming never times out, a stalled one does (and is cancelled at the server).
   * @param {string} command
   * @param {Array<string | number>} args
   * @param {(records: Buffer) => void} onChunk
   * @returns {Promise<{ epoch: string, startSeq: number, endSeq: number, count: number }>}
   */
  stream(command, args, onChunk) {
    const id = String(++this.#nextId);
    return new Promise((resolve, reject) => {
      /** @type {ReturnType<typeof setTimeout>} */
      let timer;
      const finish = (/** @type {Error | undefined} */ error, value, cancel = false) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#failures.delete(fail);
        if (cancel) this.#send(["", id, "CANCEL"]);
        if (error) reject(error);
        else resolve(value);
      };
      const fail = (/** @type {Error} */ error) => finish(error);
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => finish(this.#noReply(command, this.#timeout), 0, true),
          this.#timeout,
        );
      };
      this.#failures.add(fail);
      /** @type {string | undefined} */
      let epoch;
      this.#pending.set(id, (reply) => {
        const status = String(reply[0]);
        try {
          if (status === "CHUNK" || status === "KTHXBAI") {
            // Every chunk of a stream comes from one run of the server, or the stream is void.
            epoch ??= String(reply[1]);
            if (String(reply[1]) !== epoch) throw new Error(`${command}: the server restarted`);
          }
          if (status === "CHUNK") {
            arm();
            onChunk(reply[4]);
            this.#send(["", id, "MORE", 1]);
          } else if (status === "KTHXBAI") {
            const [, epoch, startSeq, endSeq, count] = reply;
            finish(undefined, {
              epoch: String(epoch),
              startSeq: parseSeq(startSeq),
              endSeq: parseSeq(endSeq),
              count: parseSeq(count),
            });
          } else if (status === "BUSY") {
            finish(new BusyError(command, parseSeq(reply[1])));
          } else if (status === "TOOOLD") {
            finish(new TooOldError(`${command}: not in the history the server keeps`));
          } else {
            finish(new Error(`${command}: ${reply[1] ?? status}`));
          }
        } catch (error) {
          finish(/** @type {Error} */ (error), 0, true);
        }
      });
      this.#send(["", id, command, ...args, WINDOW]);
      arm();
    });
  }

  /** Closes the socket; pending requests reject. */
  close() {
    this.#dealer.close();
    for (const fail of [...this.#failures]) fail(new Error("client closed"));
  }

  /**
   * One request, one reply (its frames after the request id).
   * @param {string} command
   * @param {Array<string | number | Buffer>} args
   * @param {number} timeout
   * @returns {Promise<Buffer[]>}
   */
  #exchange(command, args, timeout) {
    const id = String(++this.#nextId);
    const aborted = new AbortController();
    return new Promise((resolve, reject) => {
      const finish = (/** @type {Error | undefined} */ error, /** @type {Buffer[]} */ reply) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#failures.delete(fail);
        if (error) reject(error);
        else if (String(reply[0]) === "ERROR") reject(new Error(`${command}: ${reply[1]}`));
        else resolve(reply);
      };
      const fail = (/** @type {Error} */ error) => finish(error, []);
      const timer = setTimeout(() => {
        aborted.abort(); // a send still waiting (no server, queue full) is withdrawn
        fail(this.#noReply(command, timeout));
      }, timeout);
      this.#failures.add(fail);
      this.#pending.set(id, (reply) => finish(undefined, reply));
      // The empty frame is the delimiter a REQ socket would add: the server accepts both.
      this.#dealer.send(["", id, command, ...args], { signal: aborted.signal }).catch((error) => {
        if (!aborted.signal.aborted) fail(error);
      });
    });
  }

  /** Sends without waiting for the result (credits, cancellations). */
  #send(frames) {
    this.#dealer.send(frames).catch(() => undefined);
  }

  async #receiveReplies() {
    try {
      for await (const [, id, ...reply] of this.#dealer) {
        this.#heard();
        // A reply to a request that timed out has no taker any more: it is dropped.
        this.#pending.get(String(id))?.(reply);
      }
    } catch (error) {
      for (const fail of [...this.#failures]) fail(/** @type {Error} */ (error));
    }
  }
}
