// The config-center server: holds the key/value map and its sequence number, publishes every
// update (PUB) and answers requests (ROUTER): snapshots and replays for nodes that join or fall
// behind, streamed in bounded chunks, and SET/DEL/GET/STATUS for clients. See README.md for the
// protocol and its guarantees.
//
// Alone, it is active from the start. As one of a primary and a backup (role, peer) it follows
// the Binary Star state machine (binary-star.mjs): active, it serves and holds each write's reply
// until the passive one has it; passive, it follows the active one (replica.mjs) and refuses
// requests (NOTACTIVE) until a request comes while the active one has been silent for the
// failover time — then it takes over, with a new run that continues the old one's history.
//
//   const server = new ConfigServer({ updates: "tcp://*:5570", requests: "tcp://*:5571" });
//   await server.start();
//   server.set("db/url", "postgres://…");   // or remotely: ConfigClient#set, `cli.mjs set`
//   server.set("db/url", "…", { ifVersion: 7 }); // only if db/url is at version 7
import { EventEmitter } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Dealer, Publisher, Router, Subscriber } from "zmq-napi";

import { BinaryStar } from "./binary-star.mjs";
import { replayChunks, snapshotChunks } from "./chunks.mjs";
import { ConflictError, NotActiveError } from "./errors.mjs";
import { History } from "./history.mjs";
import { Expiries } from "./expiries.mjs";
import { DurableLog } from "./log.mjs";
import {
  DEFAULT_BIND,
  HEARTBEAT,
  MSET_RECORDS,
  checkKey,
  decodePublished,
  encodeHeartbeat,
  encodeUpdate,
  newEpoch,
  parseSeq,
  termOf,
} from "./protocol.mjs";
import { readRecords } from "./records.mjs";
import { Replica } from "./replica.mjs";
import {
  bindsEverywhere,
  clientSocketOptions,
  serverSocketOptions,
  startAuthenticator,
} from "./security.mjs";
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
 * @property {"primary" | "backup"} [role]  with `peer`: this server's part in the pair
 * @property {{ updates: string, requests: string }} [peer]  the other server's endpoints (to
 *   connect to): with it, this server is one of a primary and a backup
 * @property {import("./security.mjs").ServerCurve} [curve]  CURVE: encrypted, and only the
 *   clients on the allow-list let in (security.mjs); one server with CURVE per process (one ZAP
 *   authenticator per context)
 */

/** Heartbeat intervals of silence after which the peer counts as gone (as nodes count it). */
const FAILOVER_AFTER = 3;
/** Heartbeat intervals a write's reply waits for the backup to confirm it, at most. */
const REPLICATION_WAIT = 2;

/** ms between two looks at the keys whose TTL may have run out. */
const EXPIRY_EVERY = 100;

/** Requests taken in at once (one commit, one fsync for all of them). */
const MAX_BATCH = 64;

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
 *   "warning"   Error                       a compaction failed (the old file stays), the
 *                                           backup does not confirm writes, …
 *   "fatal"     Error                       the data file cannot be written: the server closes
 *   "active"    { epoch, seq, reason }      it serves (at start alone; with a peer, when the
 *                                           state machine says so: a failover, a restart)
 *   "passive"   { reason }                  it follows the peer, which is active
 *   "synced"    { kind, seq }               passive: it caught up by a snapshot or a replay
 */
export class ConfigServer extends EventEmitter {
  #store = new ConfigStore();
  /** @type {History} */
  #history;
  /** This run of the server, while it is active (newEpoch()): every update carries it. */
  #epoch = "";
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
  /** With a peer: the Binary Star state machine. @type {BinaryStar | undefined} */
  #star;
  /** Passive: how it follows the active server. @type {Replica | undefined} */
  #replica;
  /** The peer's heartbeats. @type {Subscriber | undefined} */
  #peerWatch;
  /** To the peer's requests endpoint: ACK, BYE. @type {Dealer | undefined} */
  #peerLink;
  /** Write replies waiting for the backup: the seq each batch reached, and when. */
  #held = /** @type {Array<{ seq: number, since: number, replies: unknown[][] }>} */ ([]);
  /** How far the backup has confirmed this run's updates. */
  #backupAt = 0;
  /** Writes are being acknowledged without the backup (reported once per episode). */
  #alone = false;
  /** Date.now() of the last heartbeat tick (a late one means this process was frozen). */
  #lastTick = 0;
  /** When keys with a TTL expire. */
  #expiries = new Expiries();
  /** With CURVE: the ZAP handler that checks clients against the allow-list. */
  #authenticator = /** @type {import("zmq-napi").Authenticator | undefined} */ (undefined);
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #expiryTimer;

  /** @param {ServerOptions} [options] */
  constructor(options = {}) {
    super();
    this.#options = { ...DEFAULT_BIND, heartbeatInterval: 1000, ...options };
    this.#history = new History(options.history);
    this.#sessions = new Sessions({ maxSessions: options.maxStreams });
  }

  /** "active", "passive" or "starting" (with a peer, before it has decided). */
  get state() {
    return this.#star?.state ?? (this.#epoch === "" ? "starting" : "active");
  }

  /** "primary" or "backup". */
  get role() {
    return this.#options.role ?? "primary";
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
      // The state is that of the last run the file holds: a new run continues it.
      this.#store.epoch = replayed.runs.at(-1)?.epoch;
      for (const record of replayed.recent) this.#history.push(record);
      this.#ancestors = replayed.runs;
      if (replayed.truncated > 0) this.emit("truncated", { bytes: replayed.truncated });
    }
    const { curve } = this.#options;
    if (curve === undefined) {
      for (const endpoint of [updates, requests].filter(bindsEverywhere)) {
        this.emit(
          "warning",
          new Error(
            `${endpoint} listens on every interface without --curve: whoever reaches it can read and change the configuration`,
          ),
        );
      }
    } else {
      this.#authenticator = await startAuthenticator(curve, (message) =>
        this.emit("warning", new Error(message)),
      );
    }
    this.#publisher = new Publisher({ linger: 0, ...serverSocketOptions(curve) });
    if (sendHighWaterMark !== undefined) this.#publisher.sendHighWaterMark = sendHighWaterMark;
    this.#router = new Router({ linger: 0, ...serverSocketOptions(curve) });
    try {
      await this.#publisher.bind(updates);
      await this.#router.bind(requests);
    } catch (error) {
      this.#publisher.close();
      this.#router.close();
      this.#log?.close();
      await this.#authenticator?.stop();
      throw error;
    }
    const { peer } = this.#options;
    if (peer === undefined) {
      this.#activate("started");
    } else {
      this.#star = new BinaryStar({
        role: this.role,
        expiry: FAILOVER_AFTER * heartbeatInterval,
      });
      const asClient = clientSocketOptions(this.#peerCurve());
      this.#peerWatch = new Subscriber({ linger: 0, ...asClient });
      this.#peerWatch.connect(peer.updates);
      this.#peerWatch.subscribe(HEARTBEAT);
      // A short linger: a BYE sent when closing should still go out.
      this.#peerLink = new Dealer({ linger: 500, ...asClient });
      this.#peerLink.connect(peer.requests);
      void this.#watchPeer();
    }
    this.#lastTick = Date.now();
    this.#heartbeat = setInterval(() => this.#tick(), heartbeatInterval);
    // TTLs are kept to within EXPIRY_EVERY ms.
    this.#expiryTimer = setInterval(() => this.#expire(), EXPIRY_EVERY);
    this.#tick();
    this.#serving = this.#serve();
  }

  /**
   * Every heartbeat interval: the heartbeat, stale streams, writes the backup did not confirm in
   * time, a compaction when it is time, and whether this process was frozen meanwhile.
   */
  #tick() {
    const { heartbeatInterval } = this.#options;
    this.#checkStall();
    this.#lastTick = Date.now();
    const { epoch, seq } = this.#dataAt();
    this.#publish(encodeHeartbeat(epoch, seq, heartbeatInterval, this.state, this.role));
    this.#flush();
    this.#sessions.expire();
    this.#releaseHeld(false);
    if (this.#star?.onTick() === "activate") this.#activate("the backup is not there");
    if (this.#log?.shouldCompact(this.#options.compactAfter)) void this.#compact();
  }

  /**
   * A heartbeat tick that came late: frozen meanwhile (SIGSTOP, a long pause), replaced maybe.
   * The peer takes over only after FAILOVER_AFTER intervals without a heartbeat: a shorter stall
   * (a busy server) cannot have let it.
   */
  #checkStall() {
    const stalled = Date.now() - this.#lastTick;
    if (stalled <= FAILOVER_AFTER * this.#options.heartbeatInterval) return;
    if (this.#star?.state !== "active" || this.#star.doubting()) return;
    this.#star.onStall();
    this.emit(
      "warning",
      new Error(
        `this server stalled for ${stalled} ms (frozen or overloaded), long enough for the other to take over: it serves again once it knows it is still the active one`,
      ),
    );
  }

  /** The run and seq of this server's data, as its heartbeats and the state machine say. */
  #dataAt() {
    const store = this.#replica?.store ?? this.#store;
    return { epoch: this.state === "active" ? this.#epoch : (store.epoch ?? ""), seq: store.seq };
  }

  /**
   * Becomes active: takes over the state (a passive server's, from its replica), with a new run
   * that continues its history (nodes of the old run replay from where they are).
   * @param {string} reason
   */
  #activate(reason) {
    if (this.#replica !== undefined) {
      this.#store = this.#replica.stop();
      this.#replica = undefined;
    }
    const store = this.#store;
    const continued = store.epoch;
    if (continued !== undefined) {
      this.#ancestors = this.#ancestors.filter((run) => run.epoch !== continued);
      this.#ancestors.push({ epoch: continued, seq: store.seq });
      if (this.#ancestors.length > 16) this.#ancestors.shift();
    }
    const peerTerm = termOf(this.#star?.peer?.epoch);
    this.#epoch = newEpoch(
      Math.max(termOf(continued), peerTerm, ...this.#ancestors.map((run) => termOf(run.epoch))),
    );
    store.epoch = this.#epoch;
    this.#backupAt = 0;
    this.#expiries.rebuild(store); // the keys it now has to expire
    this.#log?.run(this.#epoch, store.seq);
    this.#settle();
    this.emit("active", { epoch: this.#epoch, seq: store.seq, reason });
    this.#tick();
  }

  /**
   * Becomes passive: stops serving and follows the peer, starting from this server's own state
   * (the peer replays forward from it if it continues its run, else sends a snapshot).
   * @param {string} reason
   */
  #follow(reason) {
    const peer = /** @type {{ updates: string, requests: string }} */ (this.#options.peer);
    this.#sessions.clear();
    this.#held = []; // never acknowledged: their clients ask the active server again
    this.#epoch = "";
    const replica = new Replica({
      updates: peer.updates,
      requests: peer.requests,
      store: this.#store,
      log: this.#log,
      history: this.#history,
      heartbeatInterval: this.#options.heartbeatInterval,
      acknowledge: (epoch, seq) => this.#toPeer(["", "ack", "ACK", epoch, seq]),
      curve: this.#peerCurve(),
    });
    replica.on("snapshot", ({ seq }) => this.emit("synced", { kind: "snapshot", seq }));
    replica.on("replay", ({ to }) => this.emit("synced", { kind: "replay", seq: to }));
    replica.on("warning", (error) => this.emit("warning", error));
    this.#replica = replica;
    replica.start();
    this.emit("passive", { reason });
    this.#tick();
  }

  /** With CURVE: this server as a client of its peer (its own keys, the peer's public key). */
  #peerCurve() {
    const { curve } = this.#options;
    if (curve === undefined) return undefined;
    if (curve.peerKey === undefined)
      throw new Error("with CURVE and a peer, the peer's public key is needed");
    return { publicKey: curve.publicKey, secretKey: curve.secretKey, serverKeys: [curve.peerKey] };
  }

  /** The peer's heartbeats, into the state machine. */
  async #watchPeer() {
    const watch = /** @type {Subscriber} */ (this.#peerWatch);
    const star = /** @type {BinaryStar} */ (this.#star);
    try {
      for await (const frames of watch) {
        let heard;
        try {
          heard = decodePublished(frames);
        } catch {
          continue;
        }
        if (heard.type !== "heartbeat" || this.#closed) continue;
        const { state, role, epoch, seq } = heard;
        if (state === "passive" && epoch === this.#epoch) this.#confirmed(epoch, seq);
        const transition = star.onPeer({ state, role, epoch, seq }, this.#dataAt());
        if (transition === "activate") this.#activate(`the ${role} is ${state}, with older data`);
        else if (transition === "follow") this.#follow(`the ${role} is active`);
        else if (transition === "demote") {
          this.#follow(`two active servers: the ${role}'s run ${epoch} is the later one`);
        }
      }
    } catch (error) {
      if (!this.#closed) this.emit("error", error);
    }
  }

  /** Sends to the peer's requests endpoint, without waiting (ACK, BYE). */
  #toPeer(frames) {
    this.#peerLink?.send(frames).catch(() => undefined);
  }

  /** The backup has this run's updates up to `seq`: the writes they acknowledge can be. */
  #confirmed(epoch, seq) {
    if (epoch !== this.#epoch || seq <= this.#backupAt) return;
    this.#backupAt = seq;
    this.#alone = false;
    this.#releaseHeld(false);
  }

  /**
   * Sends the held write replies the backup has confirmed; and, when `all` or when the backup is
   * gone or slow, those it has not (the writes are then acknowledged by this server alone).
   */
  #releaseHeld(all) {
    const wait = REPLICATION_WAIT * this.#options.heartbeatInterval;
    const gone = this.#star === undefined || this.#star.peerGone();
    const now = Date.now();
    let release = 0;
    while (release < this.#held.length) {
      const held = this.#held[release];
      if (held.seq <= this.#backupAt) release += 1;
      else if (all || gone || now - held.since > wait) {
        if (!this.#alone) {
          this.#alone = true;
          const why = gone
            ? "the backup is silent"
            : `the backup did not confirm within ${wait} ms`;
          this.emit("warning", new Error(`${why}: writes are acknowledged by this server alone`));
        }
        release += 1;
      } else break;
    }
    if (release === 0) return;
    const replies = this.#held.splice(0, release).flatMap((held) => held.replies);
    this.#router?.sendBatch(/** @type {any} */ (replies)).catch(() => undefined);
  }

  /** Whether a write's reply must wait for the backup: there is one, and it follows. */
  #waitsForBackup() {
    const star = this.#star;
    return star !== undefined && !star.peerGone() && star.peer?.state === "passive";
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

  /** What snapshots and replays are read from (chunks.mjs); passive: the replica's state. */
  get store() {
    return this.#replica?.store ?? this.#store;
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
   * @param {{ ifVersion?: number, ttl?: number }} [options]  ttl: ms after which the key is
   *   deleted unless set again (0: never)
   * @returns {{ seq: number, version: number, changed: boolean }}
   *   seq: the server's sequence number after it; version: the key's; changed: the value
   */
  set(key, value, { ifVersion, ttl = 0 } = {}) {
    this.#mustBeActive();
    checkKey(key);
    if (typeof value !== "string") throw new TypeError("a value is a string");
    if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > 0xffffffff) {
      throw new RangeError(`a TTL is a whole number of ms up to 2^32 - 1, not ${ttl}`);
    }
    const entry = this.#expect(key, ifVersion);
    // The same value, and no TTL before or after: nothing to do. With a TTL the update renews
    // the key's lease (the guide's ephemeral values: their owner sets them again in time).
    if (entry?.value === value && ttl === 0 && entry.expires === 0) {
      return { seq: this.#store.seq, version: entry.version, changed: false };
    }
    const changed = entry?.value !== value; // before: the update changes the entry in place
    const seq = this.#update(key, value, ttl);
    return { seq, version: seq, changed };
  }

  /**
   * Deletes key and publishes the deletion (nothing when it has no value); `ifVersion` as for
   * set(). version: 0, the version of a key that does not exist.
   * @param {string} key
   * @param {{ ifVersion?: number }} [options]
   * @returns {{ seq: number, version: number, changed: boolean }}
   */
  delete(key, { ifVersion } = {}) {
    this.#mustBeActive();
    checkKey(key);
    const entry = this.#expect(key, ifVersion);
    if (entry === undefined) return { seq: this.#store.seq, version: 0, changed: false };
    return { seq: this.#update(key, undefined), version: 0, changed: true };
  }

  #mustBeActive() {
    if (this.state !== "active") throw new NotActiveError(`the ${this.role} is ${this.state}`);
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

  /**
   * Stops serving and closes the sockets and the data file. Active with a peer, it tells the
   * peer first (BYE), which then takes over at once.
   */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#expiryTimer);
    if (this.state === "active") this.#toPeer(["", "bye", "BYE"]);
    this.#releaseHeld(true);
    this.#sessions.clear();
    this.#replica?.stop();
    this.#router?.close();
    this.#publisher?.close();
    this.#peerWatch?.close();
    this.#peerLink?.close();
    await this.#serving;
    this.#log?.close();
    await this.#authenticator?.stop();
  }

  /**
   * One update: the map changes, the update goes to the data file's next commit and to the
   * publisher's outbox. Nothing leaves the server before the commit (#settle): an update is
   * published, and a write acknowledged, only once it is on disk.
   * @param {string} key
   * @param {string | undefined} value undefined deletes
   */
  #update(key, value, ttl = 0, expired = false) {
    const store = this.#store;
    const record = { key, seq: store.seq + 1, value, ttl, expired };
    store.apply(record);
    this.#log?.append(record);
    this.#history.push(record);
    if (ttl > 0) this.#expiries.add(key, record.seq, Date.now() + ttl);
    this.#publish(encodeUpdate(key, this.#epoch, record.seq, value, ttl));
    this.emit("update", { key, seq: record.seq, value, ttl, expired });
    if (!this.#batching) this.#settle();
    return record.seq;
  }

  /** Deletes the keys whose TTL ran out (each still at the version that set its TTL). */
  #expire() {
    if (this.state !== "active" || this.#closed) return;
    const now = Date.now();
    this.#batching = true;
    let expired = 0;
    try {
      for (const { key, version } of this.#expiries.due(now)) {
        const entry = this.#store.get(key);
        if (entry === undefined || entry.version !== version || entry.expires > now) continue;
        this.#update(key, undefined, 0, true);
        expired += 1;
      }
    } finally {
      this.#batching = false;
    }
    if (expired > 0) this.#settle();
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
        // A bounded batch: a turn of the event loop stays short, heartbeats go out on time.
        batch = await router.receiveBatch(MAX_BATCH);
      } catch (error) {
        if (this.#closed) return;
        throw error;
      }
      /** @type {Array<Array<Buffer | string | number>>} */
      const replies = [];
      this.#checkStall();
      const seqBefore = this.#store.seq;
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
      if (replies.length === 0) continue;
      if (this.#store.seq !== seqBefore && this.#waitsForBackup()) {
        // Written: the replies go when the backup has these updates too (#confirmed).
        this.#held.push({ seq: this.#store.seq, since: Date.now(), replies });
        continue;
      }
      // A ROUTER drops a reply to a peer that has gone: that client times out and asks again.
      await router.sendBatch(replies);
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
      SET: [2, 4],
      DEL: [1, 2],
      MSET: [1, 1],
      GET: [1, 1],
      STATUS: [0, 0],
      ACK: [2, 2],
      BYE: [0, 0],
    }[command];
    if (arity === undefined) throw new Error(`unknown command "${command}"`);
    const [least, most] = arity;
    if (frames.length < least || frames.length > most) {
      const count = least === most ? least : `${least} to ${most}`;
      throw new Error(`${command} takes ${count} arguments, not ${frames.length}`);
    }
    const args = command === "MSET" ? [] : frames.map(String);
    if (command === "ACK") {
      this.#confirmed(args[0], parseSeq(args[1])); // the backup's progress: no reply
      return undefined;
    }
    if (command === "BYE") {
      if (this.#star?.onBye() === "activate")
        this.#activate(`the ${this.#star.peer?.role ?? "peer"} stopped`);
      return undefined;
    }
    if (this.#star !== undefined && command !== "MORE" && command !== "CANCEL") {
      // Every request is a vote (binary-star.mjs): it may make this server take over.
      const vote = this.#star.onVote();
      if (vote === "activate") {
        const silent =
          this.#star.peer === undefined
            ? "never heard"
            : `silent for ${Date.now() - this.#star.peer.heardAt} ms`;
        this.#activate(`failover: the peer is ${silent}`);
      } else if (vote === "refuse" && command !== "STATUS") {
        return ["NOTACTIVE", this.state === "active" ? "doubting" : this.state, this.role];
      }
    }
    if (command === "STATUS") {
      const { epoch, seq } = this.#dataAt();
      const state = this.store;
      return ["STATUS", epoch, seq, state.size, state.hash(), this.state, this.role];
    }
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
        void this.#pump();
        return undefined;
      case "CANCEL":
        this.#sessions.close(peer, id);
        return undefined;
      case "SET":
      case "DEL": {
        const [key, ...rest] = args;
        const value = command === "SET" ? rest.shift() : undefined;
        const ifVersion = rest[0] === undefined || rest[0] === "" ? undefined : parseSeq(rest[0]);
        const ttl = rest[1] === undefined || rest[1] === "" ? 0 : parseSeq(rest[1]);
        try {
          const { seq, version, changed } =
            value === undefined
              ? this.delete(key, { ifVersion })
              : this.set(key, value, { ifVersion, ttl });
          return ["OK", seq, version, changed ? 1 : 0];
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          return ["CONFLICT", store.seq, error.version];
        }
      }
      case "MSET": {
        const records = readRecords(frames[0]);
        if (records.length > MSET_RECORDS) {
          throw new Error(`MSET takes at most ${MSET_RECORDS} records, not ${records.length}`);
        }
        let changed = 0;
        for (const record of records) {
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
          : ["OK", store.seq, entry.value, entry.version, ConfigStore.ttlLeft(entry)];
      }
      default:
        throw new Error(`unknown command "${command}"`);
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
    void this.#pump();
    return undefined;
  }

  /**
   * Sends the streams' chunks while they have credit, one chunk per turn of the event loop.
   * Never rejects: a failure is an "error" event.
   */
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
