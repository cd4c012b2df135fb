// A config-center node: keeps a replica of the server's map, up to date and in order.
//
// It subscribes to the updates first, then asks for a snapshot; updates that arrive meanwhile
// are buffered, and once the snapshot (at sequence number S) is in, only those after S are
// applied. From then on every update must be the next one (seq = current + 1): a jump, or a
// heartbeat announcing a sequence number the node has not reached, means updates were lost,
// and the node asks the server to replay the ones after its own (or, if the server no longer
// keeps them, takes a new snapshot). See README.md for the guarantees.
//
//   const node = new ConfigNode({ updates: "tcp://localhost:5570", requests: "tcp://localhost:5571" });
//   node.on("update", ({ key, value }) => console.log(key, value));
//   await node.start();          // resolves once the first snapshot is applied
//   node.get("db/url");
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Subscriber } from "zmq-napi";

import { ConfigClient } from "./client.mjs";
import { watchConnection } from "./connection.mjs";
import { clientSocketOptions } from "./security.mjs";
import { BusyError, TooOldError } from "./errors.mjs";
import { DEFAULT_CONNECT, HEARTBEAT, decodePublished, termOf } from "./protocol.mjs";
import { ConfigStore } from "./store.mjs";

/**
 * @typedef {object} NodeOptions
 * @property {string | string[]} [updates]   the server's updates endpoint (default
 *   tcp://localhost:5570), or the primary's and the backup's
 * @property {string | string[]} [requests]  the server's requests endpoint (default
 *   tcp://localhost:5571), or the primary's and the backup's, in the same order
 * @property {ConfigStore} [store]  the state to start from (a server that becomes a backup
 *   starts from its own): replayed forward if the server can continue its run
 * @property {number} [snapshotTimeout]  ms to wait for the next chunk of a snapshot or replay
 *   before giving it up and asking again, after a backoff (3000)
 * @property {number} [receiveHighWaterMark]  of the SUB socket (libzmq's default: 1000)
 * @property {number} [maxBuffered]  updates kept while a snapshot is under way (100000); beyond
 *   it the buffer is emptied, which costs one more replay, never correctness
 * @property {import("./security.mjs").ClientCurve} [curve]  connect as a CURVE client
 * @property {string} [prefix]  follow only the keys starting with it (a subtree: "db/"), not
 *   the whole map: see #process for how its state is kept exact
 * @property {number} [dropEvery]  fault injection for tests: throw away every Nth update received
 * @property {number} [heartbeatInterval]  the server's, until its heartbeats say (1000): the node
 *   reports "lost" after LOST_AFTER intervals without a message of its server
 *
 * @typedef {import("./protocol.mjs").Update | import("./protocol.mjs").Heartbeat} Published
 */

/** Heartbeat intervals without a message of the server after which the node says "lost". */
export const LOST_AFTER = 3;
/** ms between two looks at the time since the last message. */
const WATCH_EVERY = 250;

/** For how many heartbeat intervals updates of a run the requests endpoint did not serve are
 * ignored (at least 2 s). */
const FOREIGN_QUIET = 10;

/** Backoff between failed sync attempts: from 250 ms, doubling, to at most 10 s (± 50 %). */
function backoff(attempt) {
  return Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random());
}

/**
 * Events:
 *   "snapshot"  { seq, size, reason }   a snapshot was applied (the first one: ready)
 *   "replay"    { from, to, count }     the updates from+1…to were replayed after a gap
 *   "update"    { key, seq, value, ttl } an update was applied (value undefined: deleted or
 *                                       expired; ttl: ms the key has to live, 0 for ever)
 *   "heartbeat" { seq }                 the server is at seq, and so is this node (or ahead)
 *   "gap"       { seq, received, by }   updates seq+1… were lost (seen by "update" or "heartbeat")
 *   "resync"    { reason }              a snapshot or replay is being taken
 *   "dropped"   { key, seq }            an update thrown away by the dropEvery fault injection
 *   "warning"   Error                   a sync attempt failed, a message was malformed, …
 *   "lost"      { silentFor, message }  nothing from the server for LOST_AFTER heartbeat intervals
 *   "reconnected" { after, epoch, seq } its messages come again (after: ms since "lost")
 *   "failover"  { from, to, epoch }     the node now follows the other server (roles), run epoch
 */
export class ConfigNode extends EventEmitter {
  #store = new ConfigStore(); // empty, of no run: the first message of any run calls for a snapshot
  #syncing = false;
  /** Runs this node has moved on from: their messages still in flight are ignored. */
  #retired = new Set();
  /**
   * Runs heard on the updates endpoint that the requests endpoint did not serve: their messages
   * are ignored for a while (count: how many times that happened).
   * @type {Map<string, { until: number, count: number }>}
   */
  #foreign = new Map();
  /** @type {Published[]} */
  #buffer = [];
  #received = 0;
  #closed = false;
  /** @type {NodeOptions} */
  #options;
  /**
   * One SUB per server (a primary and a backup: two), so that the node can tell which is silent.
   * @type {Array<{ endpoint: string, socket: Subscriber, connection: ReturnType<typeof watchConnection> }>}
   */
  #subscribers = [];
  /** @type {ConfigClient | undefined} */
  #client;
  /** @type {{ promise: Promise<void>, resolve(): void, reject(error: Error): void }} */
  #ready;
  /** Date.now() of the last message from the server (of a run this node follows or will). */
  #lastHeard = 0;
  /** The server's heartbeat interval, ms, as its heartbeats say. */
  #interval = 1000;
  /** Date.now() of the "lost" event, while the server has not been heard again. */
  #lostAt;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #watchdog;
  #lastLook = 0;
  /** The subtree followed ("" for the whole map). */
  #prefix = "";
  /** Subtree node: the seqs of updates applied as they came, not yet confirmed by a replay. */
  #unverified = new Set();
  /** watch(): prefix -> listeners. @type {Map<string, Set<(change: { key: string, value: string | undefined, seq: number }) => void>>} */
  #watchers = new Map();
  /** Role -> Date.now() of the last heartbeat of a server that is not active (a backup). */
  #standby = new Map();
  /** Ends the waits between attempts when the node closes (so that its process can exit). */
  #closing = new AbortController();
  /** Run -> the role ("primary", "backup") of the server whose heartbeats carry it. */
  #roles = new Map();
  /** The role of the server this node's state comes from, as its heartbeats said. */
  #following;

  /** @param {NodeOptions} [options] */
  constructor(options = {}) {
    super();
    this.#options = options;
    this.#interval = options.heartbeatInterval ?? 1000;
    this.#prefix = options.prefix ?? "";
    if (this.#prefix.startsWith("$")) throw new TypeError('a prefix cannot start with "$"');
    if (options.store !== undefined) this.#store = options.store;
    /** @type {any} */
    const ready = {};
    ready.promise = new Promise((resolve, reject) => Object.assign(ready, { resolve, reject }));
    ready.promise.catch(() => undefined);
    this.#ready = ready;
  }

  /** Connects, subscribes, takes the first snapshot; resolves when it has been applied. */
  start() {
    const options = this.#options;
    // Subscribe first, then snapshot: no update after the snapshot can then be missed unseen.
    // With a primary and a backup, to both: only the active one publishes updates.
    for (const [index, endpoint] of [options.updates ?? DEFAULT_CONNECT.updates].flat().entries()) {
      const socket = new Subscriber({ linger: 0, ...clientSocketOptions(options.curve, index) });
      if (options.receiveHighWaterMark !== undefined) {
        socket.receiveHighWaterMark = options.receiveHighWaterMark;
      }
      const connection = watchConnection(socket, endpoint);
      socket.connect(endpoint);
      // A subtree: its updates and the heartbeats. (The empty prefix is every message.)
      if (this.#prefix === "") socket.subscribe();
      else socket.subscribe(this.#prefix, HEARTBEAT);
      this.#subscribers.push({ endpoint, socket, connection });
    }
    this.#client = new ConfigClient({
      requests: options.requests ?? DEFAULT_CONNECT.requests,
      timeout: options.snapshotTimeout ?? 3000,
      curve: options.curve,
    });
    for (const { socket } of this.#subscribers) void this.#listen(socket);
    this.#lastHeard = this.#lastLook = Date.now();
    this.#watchdog = setInterval(() => this.#look(), WATCH_EVERY);
    this.#resync("start");
    return this.#ready.promise;
  }

  /** The state itself (the backup server takes it over when it becomes active). */
  get store() {
    return this.#store;
  }

  /** The subtree this node follows ("" for the whole map). */
  get prefix() {
    return this.#prefix;
  }

  /** The sequence number of the last update applied. */
  get seq() {
    return this.#store.seq;
  }

  /** The server run the state comes from. */
  get epoch() {
    return this.#store.epoch;
  }

  /** Whether a snapshot or replay is under way (the state is then the last one, not the newest). */
  get syncing() {
    return this.#syncing;
  }

  get size() {
    return this.#store.size;
  }

  /** @param {string} key */
  get(key) {
    return this.#store.get(key)?.value;
  }

  /** The key's version: the seq of the update that set it (0 if it has no value). */
  version(/** @type {string} */ key) {
    return this.#store.get(key)?.version ?? 0;
  }

  /** Key -> value, a copy. */
  entries() {
    return this.#store.values();
  }

  /** The state hash (state-hash.mjs), equal to the server's when the node holds the same map. */
  hash() {
    return this.#store.hash();
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    clearInterval(this.#watchdog);
    for (const { socket } of this.#subscribers) socket.close();
    this.#client?.close();
    this.#ready.reject(new Error("node closed"));
  }

  async #listen(/** @type {Subscriber} */ subscriber) {
    const dropEvery = this.#options.dropEvery ?? 0;
    const maxBuffered = this.#options.maxBuffered ?? 100_000;
    try {
      for await (const frames of subscriber) this.#receive(frames, dropEvery, maxBuffered);
    } catch (error) {
      if (!this.#closed) this.emit("error", error);
    }
  }

  /**
   * @param {Buffer[]} frames
   * @param {number} dropEvery
   * @param {number} maxBuffered
   */
  #receive(frames, dropEvery, maxBuffered) {
    /** @type {Published} */
    let message;
    try {
      message = decodePublished(frames);
    } catch (error) {
      this.emit("warning", error);
      return;
    }
    if (!this.#relevant(message)) return;
    this.#hear(message);
    if (message.type === "update" && dropEvery > 0 && ++this.#received % dropEvery === 0) {
      this.emit("dropped", { key: message.key, seq: message.seq });
      return;
    }
    if (!this.#syncing) {
      this.#process(message);
    } else if (this.#buffer.push(message) > maxBuffered) {
      this.#buffer = []; // what is lost shows up as a gap after the sync, and is replayed
      this.emit("warning", new Error(`more than ${maxBuffered} updates during a sync`));
    }
  }

  /** Waits `ms`, or less if the node closes meanwhile. */
  async #pause(ms) {
    await sleep(ms, undefined, { signal: this.#closing.signal }).catch(() => undefined);
  }

  /**
   * Whether a message is one to act on: not of a run this node left or found foreign, not of a
   * run earlier than its own (a server that was replaced and does not know it yet) unless its
   * server was lost, and not a heartbeat of a server that is not active (a backup following).
   */
  #relevant(/** @type {Published} */ message) {
    if (message.type === "heartbeat") {
      if (message.state !== "active") {
        // A backup's heartbeat carries the run it follows: it says nothing of who serves it.
        this.#standby.set(message.role, Date.now());
        return false;
      }
      this.#standby.delete(message.role);
      this.#roles.set(message.epoch, message.role);
      if (this.#roles.size > 64) this.#roles.delete(this.#roles.keys().next().value);
    }
    if (message.epoch === this.#store.epoch) return true;
    if (this.#retired.has(message.epoch)) return false;
    const foreign = this.#foreign.get(message.epoch);
    if (foreign !== undefined && Date.now() < foreign.until) return false;
    const earlier = termOf(message.epoch) < termOf(this.#store.epoch);
    return !earlier || this.#lostAt !== undefined;
  }

  /** Notes that the server is there. */
  #hear(/** @type {Published} */ message) {
    this.#lastHeard = Date.now();
    if (message.type === "heartbeat") this.#interval = message.interval;
    if (this.#lostAt !== undefined) {
      const after = this.#lastHeard - this.#lostAt;
      this.#lostAt = undefined;
      this.emit("reconnected", { after, epoch: message.epoch, seq: message.seq });
    }
  }

  /** Every WATCH_EVERY ms: has the server been silent for too long? */
  #look() {
    const now = Date.now();
    const late = now - this.#lastLook > 4 * WATCH_EVERY;
    this.#lastLook = now;
    // This process was frozen (SIGSTOP, a long pause): what the server sent meanwhile is still
    // queued in the socket; let it in before judging.
    if (late || this.#lostAt !== undefined) return;
    const silentFor = now - this.#lastHeard;
    if (silentFor <= LOST_AFTER * this.#interval) return;
    this.#lostAt = now;
    // What each server's connection says; a backup heard lately is merely passive.
    const roles = ["primary", "backup"];
    const explained = this.#subscribers.map(({ connection }, index) => {
      const standby = this.#standby.get(roles[index]);
      if (this.#subscribers.length > 1 && standby !== undefined && now - standby < silentFor) {
        return `the ${roles[index]} is there but not active`;
      }
      return connection.explain(silentFor, "send anything");
    });
    this.emit("lost", { silentFor, message: explained.join("; ") });
    void this.#probe();
  }

  /**
   * While the updates are silent, asks every server now and then how it is (with a primary and
   * a backup, these requests are the votes that let the backup take over from a silent primary).
   * If one that is active answers, the updates endpoint is the problem (a wrong --updates, a
   * network in between).
   */
  async #probe() {
    const client = /** @type {ConfigClient} */ (this.#client);
    const lostAt = this.#lostAt;
    while (this.#lostAt === lostAt && !this.#closed) {
      const answers = await Promise.all(
        client.endpoints.map((_, index) =>
          client
            .statusAt(index, { timeout: Math.max(1000, 2 * this.#interval) })
            .catch(() => undefined),
        ),
      );
      if (this.#lostAt !== lostAt || this.#closed) return;
      const active = answers.find((status) => status?.state === "active");
      if (active !== undefined) {
        const updates = [this.#options.updates ?? DEFAULT_CONNECT.updates].flat().join(", ");
        this.emit(
          "warning",
          new Error(
            `the requests endpoint answers (run ${active.epoch}, seq ${active.seq}) but nothing ` +
              `comes from the updates endpoint ${updates}: is --updates right?`,
          ),
        );
        return;
      }
      await this.#pause(Math.max(1000, 2 * this.#interval));
    }
  }

  /** @param {Published} message */
  #process(message) {
    const store = this.#store;
    if (message.epoch !== store.epoch) {
      // Another run's history: nothing of it applies to this state, whatever its seq says.
      if (!this.#relevant(message)) return; // checked again: the buffer held it a while
      const role = this.#roles.get(message.epoch);
      if (role !== undefined) this.#client?.prefer(role === "backup" ? 1 : 0);
      const why =
        role === undefined || role === this.#following
          ? "the server restarted"
          : `the ${role} is active`;
      this.#resync(`${why} (run ${message.epoch})`, message.epoch);
      return;
    }
    if (message.type === "heartbeat") {
      this.#following = message.role;
      if (message.seq > store.seq && this.#prefix !== "") {
        this.#resync(`catching up with seq ${message.seq} (${this.#prefix}…)`);
      } else if (message.seq > store.seq) {
        this.emit("gap", { seq: store.seq, received: message.seq, by: "heartbeat" });
        this.#resync(`heartbeat at seq ${message.seq}, missed ${store.seq + 1}…${message.seq}`);
      } else {
        this.emit("heartbeat", { seq: message.seq });
      }
      return;
    }
    if (message.seq <= store.seq) return; // the snapshot had it already
    if (this.#prefix !== "") {
      // A subtree's updates have sequence numbers with holes (the other keys' updates): a lost
      // one cannot be told from those. So an update is applied as it comes, but the state's seq
      // moves only with a replay of the subtree's updates after it, at the next heartbeat that
      // is ahead (see the heartbeat case above): at that seq, the state is exactly the server's.
      store.put(message.key, message.value, message.seq, message.ttl);
      this.#unverified.add(message.seq);
    } else if (message.seq !== store.seq + 1) {
      this.emit("gap", { seq: store.seq, received: message.seq, by: "update" });
      this.#resync(`update ${message.seq} after ${store.seq}, missed ${store.seq + 1}…`);
      return;
    } else {
      store.apply({ key: message.key, seq: message.seq, value: message.value, ttl: message.ttl });
    }
    this.#notify(message.key, message.value, message.seq);
    this.emit("update", {
      key: message.key,
      seq: message.seq,
      value: message.value,
      ttl: message.ttl,
      epoch: store.epoch,
    });
  }

  /**
   * @param {string} reason
   * @param {string} [heard]  the run whose messages called for it, if not this state's
   */
  #resync(reason, heard) {
    if (this.#syncing || this.#closed) return;
    this.#syncing = true;
    this.#buffer = [];
    this.emit("resync", { reason });
    void this.#sync(reason, heard);
  }

  /**
   * Brings the state up to date: a replay of what was missed when the server can continue this
   * state's history, a snapshot otherwise; attempts that fail are retried after a growing,
   * jittered backoff.
   * @param {string} reason
   * @param {string | undefined} heard
   */
  async #sync(reason, heard) {
    const client = /** @type {ConfigClient} */ (this.#client);
    const left = this.#store.epoch;
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        if (this.#store.epoch !== undefined) {
          try {
            await this.#replay(client);
            break;
          } catch (error) {
            if (!(error instanceof TooOldError)) throw error;
          }
        }
        const { store } = await client.snapshot({ prefix: this.#prefix });
        this.#unverified.clear();
        const before = this.#store;
        this.#store = store;
        this.#notifyDifferences(before, store);
        this.emit("snapshot", { seq: store.seq, size: store.size, epoch: store.epoch, reason });
        this.#ready.resolve();
        break;
      } catch (error) {
        if (this.#closed) return;
        this.emit("warning", error);
        await this.#pause(error instanceof BusyError ? error.retryAfter : backoff(attempt));
      }
    }
    const now = this.#store.epoch;
    if (left !== undefined && left !== now) this.#retired.add(left);
    const role = this.#roles.get(now);
    if (role !== undefined) {
      if (this.#following !== undefined && role !== this.#following) {
        this.emit("failover", { from: this.#following, to: role, epoch: now });
      }
      this.#following = role;
    }
    if (heard !== undefined && heard !== now) {
      // Heard on the updates endpoint, not served on the requests endpoint: a run that has
      // already ended (a quick restart), or, when it goes on, two different servers.
      const count = (this.#foreign.get(heard)?.count ?? 0) + 1;
      const quiet = Math.max(2000, FOREIGN_QUIET * this.#interval);
      this.#foreign.set(heard, { until: Date.now() + quiet, count });
      if (count >= 2) {
        this.emit(
          "warning",
          new Error(
            `the updates come from run ${heard}, the requests endpoint serves run ${now}: ` +
              "are --updates and --requests the same server's?",
          ),
        );
      }
    }
    this.#syncing = false;
    // What arrived meanwhile, in order: older updates are skipped, newer ones applied, another
    // run's dropped, and a gap among them starts another sync (the rest is then buffered again).
    const buffered = this.#buffer;
    this.#buffer = [];
    for (const message of buffered) {
      if (this.#syncing) this.#buffer.push(message);
      else this.#process(message);
    }
  }

  /** The updates after this node's seq, applied one by one as they come. */
  async #replay(/** @type {ConfigClient} */ client) {
    const store = this.#store;
    const from = store.seq;
    let fresh = 0;
    const end = await client.replay(store, {
      prefix: this.#prefix,
      // A subtree's updates are not consecutive: taken in order, without the check.
      silent: this.#prefix !== "",
      onUpdate: ({ key, seq, value, ttl }) => {
        if (this.#unverified.delete(seq)) return; // applied as it came: now confirmed
        fresh += 1;
        this.#notify(key, value, seq);
        this.emit("update", { key, seq, value, ttl, epoch: store.epoch });
      },
    });
    this.#unverified.clear();
    // A subtree node replays at every heartbeat that is ahead: it says so only when the replay
    // brought what it had missed.
    if (this.#prefix === "" || fresh > 0) {
      this.emit("replay", { from, to: store.seq, count: end.count, epoch: store.epoch });
    } else {
      this.emit("heartbeat", { seq: store.seq });
    }
  }

  /**
   * Calls `listener` with every change of a key starting with `prefix`, from updates and from
   * snapshots (the keys a snapshot changed, added or removed). Returns a function that stops it.
   * @param {string} prefix
   * @param {(change: { key: string, value: string | undefined, seq: number }) => void} listener
   *   value undefined: the key was deleted (or expired)
   */
  watch(prefix, listener) {
    const listeners = this.#watchers.get(prefix) ?? new Set();
    listeners.add(listener);
    this.#watchers.set(prefix, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#watchers.delete(prefix);
    };
  }

  #notify(/** @type {string} */ key, /** @type {string | undefined} */ value, seq) {
    for (const [prefix, listeners] of this.#watchers) {
      if (!key.startsWith(prefix)) continue;
      for (const listener of listeners) listener({ key, value, seq });
    }
  }

  /** After a snapshot: what changed, for the watchers (nothing to do without any). */
  #notifyDifferences(/** @type {ConfigStore} */ before, /** @type {ConfigStore} */ after) {
    if (this.#watchers.size === 0) return;
    for (const [key, entry] of after.entries()) {
      if (before.get(key)?.value !== entry.value) this.#notify(key, entry.value, after.seq);
    }
    for (const [key] of before.entries()) {
      if (after.get(key) === undefined) this.#notify(key, undefined, after.seq);
    }
  }
}
