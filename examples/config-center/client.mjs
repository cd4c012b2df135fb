// The config-center client: requests to the server's requests endpoint over DEALER sockets,
// several at a time, each matched to its reply by a request id and given up after a timeout.
// Nodes use it for snapshots and replays (streamed in chunks); programs and the CLI for
// SET/DEL/GET/STATUS.
//
// Given a primary and a backup (requests: [primary, backup]) it fails over by itself, as the
// ZeroMQ guide's Binary Star clients do: a request goes to the server that answered last; when
// that one says it is not active (NOTACTIVE) or does not answer in time, it goes to the other,
// back and forth with a short backoff, until one serves it or the timeout runs out. After a
// timeout the socket to that server is replaced, so that a request still queued in it can never
// reach that server later.
//
//   const client = new ConfigClient({ requests: "tcp://localhost:5571" });
//   const { seq, version } = await client.set("db/url", "postgres://…");
//   await client.set("db/url", "postgres://db-2/app", { ifVersion: version }); // compare-and-set
//   client.close();
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Dealer } from "zmq-napi";

import { watchConnection } from "./connection.mjs";
import { clientSocketOptions } from "./security.mjs";
import { BusyError, ConflictError, NoReplyError, NotActiveError, TooOldError } from "./errors.mjs";
import { DEFAULT_CONNECT, MSET_RECORDS, checkKey, parseSeq } from "./protocol.mjs";
import { RecordWriter, forEachRecord } from "./records.mjs";
import { ConfigStore } from "./store.mjs";

export { BusyError, ConflictError, NoReplyError, NotActiveError, TooOldError } from "./errors.mjs";

/**
 * @typedef {object} ClientOptions
 * @property {string | string[]} [requests]  the server's requests endpoint (default
 *   tcp://localhost:5571), or the primary's and the backup's
 * @property {number} [timeout]   ms to wait for a reply, or for the next chunk of a stream
 *   (default 5000); with two servers, each try at one of them waits at most ATTEMPT ms of it
 * @property {import("./security.mjs").ClientCurve} [curve]  connect as a CURVE client
 */

/** The chunks of a stream in flight at once (credit given to the server). */
const WINDOW = 4;
/** With two servers: how long one try at one of them waits, at most, before the other's turn. */
const ATTEMPT = 2000;

/**
 * @typedef {{ endpoint: string, dealer: Dealer, connection: ReturnType<typeof watchConnection> }} Link
 */

/** A STATUS reply. @param {string[]} reply */
function parseStatus([, epoch, seq, size, hash, state = "active", role = "primary"]) {
  return { epoch, seq: parseSeq(seq), size: parseSeq(size), hash, state, role };
}

/**
 * Events: "lost" { message } when a request got no reply in time (the first one since the last
 * reply), "reconnected" { after } when a reply comes again (after: ms since "lost"), "failover"
 * { from, to } when a request was served by another server than the last one.
 */
export class ConfigClient extends EventEmitter {
  /** @type {Link[]} */
  #links;
  #current = 0;
  #timeout;
  #nextId = 0;
  #closed = false;
  /** @type {Map<string, (reply: Buffer[]) => void>} */
  #pending = new Map();
  /** @type {Set<(error: Error) => void>} */
  #failures = new Set();
  /** Date.now() of the "lost" event while no reply has come since, else undefined. */
  #lostAt;
  /** @type {import("./security.mjs").ClientCurve | undefined} */
  #curve;

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    super();
    this.#timeout = options.timeout ?? 5000;
    this.#curve = options.curve;
    const requests = options.requests ?? DEFAULT_CONNECT.requests;
    const endpoints = Array.isArray(requests) ? requests : [requests];
    if (endpoints.length === 0) throw new TypeError("no requests endpoint");
    this.#links = endpoints.map((endpoint, index) => this.#link(endpoint, index));
  }

  /** The endpoint requests go to now (the one that answered last). */
  get endpoint() {
    return this.#links[this.#current].endpoint;
  }

  get endpoints() {
    return this.#links.map((link) => link.endpoint);
  }

  /** Whether a ZeroMQ connection to the current server is up now. */
  get connected() {
    return this.#links[this.#current].connection.connected;
  }

  /** Sends the next requests to the `index`th server (a node that heard which one is active). */
  prefer(index) {
    if (index >= 0 && index < this.#links.length) this.#current = index;
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
    const reply = await this.#request(command, args, options.timeout ?? this.#timeout);
    return reply.map(String);
  }

  /**
   * One request to whichever server serves it (see the top of this file).
   * @param {string} command
   * @param {Array<string | number | Buffer>} args
   * @param {number} timeout
   */
  async #request(command, args, timeout) {
    const deadline = Date.now() + timeout;
    const first = this.#current;
    /** @type {Error | undefined} */
    let lastError;
    let refusals = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw lastError ?? this.#noReply(command, this.#links[first], timeout);
      // A server not connected while another is: try that one first.
      const link = this.#pick();
      const wait = this.#links.length > 1 ? Math.min(remaining, ATTEMPT) : remaining;
      try {
        const reply = await this.#exchange(link, command, args, wait);
        if (String(reply[0]) !== "NOTACTIVE") {
          if (this.#current !== first)
            this.emit("failover", { from: this.#links[first].endpoint, to: link.endpoint });
          return reply;
        }
        lastError = new NotActiveError(`${command}: ${link.endpoint} is ${reply[1]}, not active`);
      } catch (error) {
        if (!(error instanceof NoReplyError) || this.#links.length === 1) throw error;
        lastError = error;
        this.#recycle(link);
      }
      this.#current = (this.#links.indexOf(link) + 1) % this.#links.length;
      // Every server refused (a failover under way): wait a little before the next round.
      if (++refusals % this.#links.length === 0) {
        await sleep(
          Math.min(
            250 * 2 ** Math.min(refusals / this.#links.length, 3),
            Math.max(0, deadline - Date.now()),
          ),
        );
      }
    }
  }

  /** The current link, or another if the current one is not connected and another is. */
  #pick() {
    const current = this.#links[this.#current];
    if (current.connection.connected) return current;
    const up = this.#links.findIndex((link) => link.connection.connected);
    if (up >= 0) this.#current = up;
    return this.#links[this.#current];
  }

  /**
   * Sets key to value. With `ifVersion`, only if the key is at that version (0: if it does not
   * exist), else rejects with a ConflictError that carries the key's version: compare-and-set.
   * Resolves with the server's seq after it, the key's version, and whether anything changed
   * (setting a key to the value it has changes nothing). With `ttl`, the key is deleted that
   * many ms later unless set again (each set with a TTL renews it: the guide's ephemeral values).
   * @param {string} key
   * @param {string} value
   * @param {{ ifVersion?: number, ttl?: number }} [options]
   */
  async set(key, value, { ifVersion, ttl } = {}) {
    const args = [checkKey(key), value];
    if (ifVersion !== undefined || ttl !== undefined) args.push(ifVersion ?? "");
    if (ttl !== undefined) args.push(ttl);
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
   * Sets (or, for an undefined value, deletes) many keys: one update per key that changes, in
   * requests of at most MSET_RECORDS keys or about 1 MiB (a server does a bounded amount of work
   * per request, so that its heartbeats never wait long). Resolves with the sequence number after
   * the last and how many changed.
   * @param {Iterable<[string, string | undefined]>} entries
   */
  async setMany(entries) {
    const writer = new RecordWriter();
    let seq = 0;
    let changed = 0;
    const send = async () => {
      const [, after, count] = await this.request("MSET", [writer.take()]);
      seq = parseSeq(after);
      changed += parseSeq(count);
    };
    for (const [key, value] of entries) {
      writer.add({ key: checkKey(key), seq: 0, value, ttl: 0 });
      if (writer.count >= MSET_RECORDS || writer.bytes >= 1024 * 1024) await send();
    }
    if (writer.count > 0 || seq === 0) await send();
    return { seq, changed };
  }

  /**
   * The value of key (undefined if it has none), its version (0 if none), the ms it has left to
   * live (0: no TTL) and the sequence number it was read at.
   */
  async get(key) {
    const [status, seq, value, version, ttl = "0"] = await this.request("GET", [checkKey(key)]);
    if (status !== "OK") return { seq: parseSeq(seq), value: undefined, version: 0, ttl: 0 };
    return { seq: parseSeq(seq), value, version: parseSeq(version), ttl: parseSeq(ttl) };
  }

  /**
   * The server's run (epoch), sequence number, number of keys, state hash, and with a primary
   * and a backup its state ("active", "passive", "starting") and role.
   */
  async status() {
    return parseStatus(await this.request("STATUS"));
  }

  /** status() of the `index`th server, whatever its state (no failover to the other). */
  async statusAt(index, { timeout = this.#timeout } = {}) {
    const link = this.#links[index];
    if (link === undefined) throw new RangeError(`no server ${index}`);
    try {
      return parseStatus((await this.#exchange(link, "STATUS", [], timeout)).map(String));
    } catch (error) {
      if (error instanceof NoReplyError) this.#recycle(link);
      throw error;
    }
  }

  /**
   * The map (the keys starting with `prefix`) exactly as of one sequence number: a snapshot,
   * then a replay of the updates made while it was read (see chunks.mjs).
   * @param {{ prefix?: string }} [options]
   * @returns {Promise<{ epoch: string, seq: number, store: ConfigStore }>}
   */
  async snapshot({ prefix = "" } = {}) {
    // With two servers: if the one asked is not active or does not answer, the other one.
    const deadline = Date.now() + this.#timeout;
    for (;;) {
      try {
        return await this.#snapshot(prefix);
      } catch (error) {
        const other = error instanceof NoReplyError || error instanceof NotActiveError;
        if (!other || this.#links.length === 1 || Date.now() >= deadline) throw error;
        await sleep(100);
      }
    }
  }

  async #snapshot(/** @type {string} */ prefix) {
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
    const link = this.#pick();
    return new Promise((resolve, reject) => {
      /** @type {ReturnType<typeof setTimeout>} */
      let timer;
      const finish = (/** @type {Error | undefined} */ error, value, cancel = false) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#failures.delete(fail);
        if (cancel) this.#send(link, ["", id, "CANCEL"]);
        if (error) reject(error);
        else resolve(value);
      };
      const fail = (/** @type {Error} */ error) => finish(error);
      // With two servers the first reply is waited for ATTEMPT ms at most (then the caller may
      // ask the other one); the next chunks, the whole timeout each.
      const arm = (ms = this.#timeout) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish(this.#noReply(command, link, ms), 0, true);
          this.#switchFrom(link);
        }, ms);
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
            this.#send(link, ["", id, "MORE", 1]);
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
          } else if (status === "NOTACTIVE") {
            this.#switchFrom(link);
            finish(new NotActiveError(`${command}: ${link.endpoint} is ${reply[1]}, not active`));
          } else if (status === "TOOOLD") {
            finish(new TooOldError(`${command}: not in the history the server keeps`));
          } else {
            finish(new Error(`${command}: ${reply[1] ?? status}`));
          }
        } catch (error) {
          finish(/** @type {Error} */ (error), 0, true);
        }
      });
      this.#send(link, ["", id, command, ...args, WINDOW]);
      arm(this.#links.length > 1 ? Math.min(ATTEMPT, this.#timeout) : this.#timeout);
    });
  }

  /** Closes the sockets; pending requests reject. */
  close() {
    this.#closed = true;
    for (const link of this.#links) link.dealer.close();
    for (const fail of [...this.#failures]) fail(new Error("client closed"));
  }

  /** A DEALER connected to `endpoint`, its replies dispatched by request id. */
  #link(endpoint, index = this.#links.findIndex((link) => link.endpoint === endpoint)) {
    // linger 0: requests still queued when the client closes are thrown away, not sent later.
    const dealer = new Dealer({ linger: 0, ...clientSocketOptions(this.#curve, index) });
    const connection = watchConnection(dealer, endpoint);
    dealer.connect(endpoint);
    const link = { endpoint, dealer, connection };
    void this.#receiveReplies(link);
    return link;
  }

  /** Replaces the link's socket: what it still had queued for its server is dropped. */
  #recycle(/** @type {Link} */ link) {
    if (this.#closed || this.#links.length === 1) return;
    link.dealer.close();
    const index = this.#links.indexOf(link);
    if (index >= 0) this.#links[index] = this.#link(link.endpoint);
  }

  /** After a failure at `link`: the next requests go to the other server. */
  #switchFrom(/** @type {Link} */ link) {
    if (this.#links.length === 1) return;
    const index = this.#links.indexOf(link);
    if (index === this.#current) this.#current = (index + 1) % this.#links.length;
  }

  /** A NoReplyError for `command` after `ms`, saying what the connection looked like. */
  #noReply(command, /** @type {Link} */ link, ms) {
    const error = new NoReplyError(`${command}: ${link.connection.explain(ms)}`);
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
   * One request to one server, one reply (its frames after the request id).
   * @param {Link} link
   * @param {string} command
   * @param {Array<string | number | Buffer>} args
   * @param {number} timeout
   * @returns {Promise<Buffer[]>}
   */
  #exchange(link, command, args, timeout) {
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
        fail(this.#noReply(command, link, timeout));
      }, timeout);
      this.#failures.add(fail);
      this.#pending.set(id, (reply) => finish(undefined, reply));
      // The empty frame is the delimiter a REQ socket would add: the server accepts both.
      link.dealer.send(["", id, command, ...args], { signal: aborted.signal }).catch((error) => {
        if (!aborted.signal.aborted) fail(error);
      });
    });
  }

  /** Sends without waiting for the result (credits, cancellations). */
  #send(/** @type {Link} */ link, frames) {
    link.dealer.send(frames).catch(() => undefined);
  }

  async #receiveReplies(/** @type {Link} */ link) {
    try {
      for await (const [, id, ...reply] of link.dealer) {
        this.#heard();
        // A reply to a request that timed out has no taker any more: it is dropped.
        this.#pending.get(String(id))?.(reply);
      }
    } catch (error) {
      if (this.#closed || this.#links.length > 1) return; // closed, or replaced by #recycle
      for (const fail of [...this.#failures]) fail(/** @type {Error} */ (error));
    }
  }
}
