// What a passive server (the backup of a Binary Star pair, binary-star.mjs) does: it follows the
// active one as a node does — subscribed to its updates, catching up by replays and snapshots
// (node.mjs) — keeps what it applies in its own data file, and tells the active server, after
// each commit, how far it is (ACK run seq): the active server holds a write's reply until its
// backup has it, so that an acknowledged write survives a failover.
import { EventEmitter } from "node:events";

import { ConfigNode } from "./node.mjs";

/**
 * Events: "snapshot" { seq, size } and "replay" { from, to } as it catches up, "warning" Error.
 */
export class Replica extends EventEmitter {
  #node;
  #log;
  #history;
  #acknowledge;
  #ackScheduled = false;
  /** The run last written to the data file as the one followed. */
  #logged;

  /**
   * @param {object} options
   * @param {string} options.updates   the active server's updates endpoint
   * @param {string} options.requests  its requests endpoint
   * @param {import("./store.mjs").ConfigStore} options.store  the state to start from
   * @param {import("./log.mjs").DurableLog} [options.log]  this server's data file
   * @param {import("./history.mjs").History} options.history  this server's recent updates
   * @param {number} options.heartbeatInterval
   * @param {(epoch: string, seq: number) => void} options.acknowledge  sends ACK to the active
   * @param {import("./security.mjs").ClientCurve} [options.curve]  CURVE, as a client of it
   */
  constructor({ updates, requests, store, log, history, heartbeatInterval, acknowledge, curve }) {
    super();
    this.#log = log;
    this.#history = history;
    this.#acknowledge = acknowledge;
    this.#logged = store.epoch;
    // A deep receive queue: a burst of updates is taken in rather than dropped and replayed.
    this.#node = new ConfigNode({
      updates,
      requests,
      store,
      heartbeatInterval,
      receiveHighWaterMark: 100_000,
      curve,
    });
    this.#node.on("update", ({ key, seq, value, ttl }) => {
      const record = { key, seq, value, ttl };
      this.#log?.append(record);
      this.#history.push(record);
      this.#scheduleAck();
    });
    this.#node.on("snapshot", ({ seq, size }) => {
      // A new state from the active server: what this server had before is not its history.
      this.#history.clear();
      this.#log?.reset(this.#node.store);
      this.#follow();
      this.emit("snapshot", { seq, size });
      this.#scheduleAck();
    });
    this.#node.on("replay", ({ from, to }) => {
      this.#follow();
      this.emit("replay", { from, to });
      this.#scheduleAck();
    });
    this.#node.on("heartbeat", () => this.#scheduleAck());
    this.#node.on("warning", (error) => this.emit("warning", error));
  }

  start() {
    void this.#node.start();
  }

  /** The state, as far as it has followed. */
  get store() {
    return this.#node.store;
  }

  /** Stops following; returns the state (the server takes it over when it becomes active). */
  stop() {
    this.#commit();
    this.#node.close();
    return this.#node.store;
  }

  /** Notes in the data file which run's history it now holds (after a snapshot or a replay). */
  #follow() {
    const { epoch, seq } = this.#node.store;
    if (epoch === undefined || epoch === this.#logged) return;
    this.#log?.run(epoch, seq);
    this.#logged = epoch;
  }

  /** Commits, then acknowledges — once per turn of the event loop, however many updates came. */
  #scheduleAck() {
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    setImmediate(() => {
      this.#ackScheduled = false;
      if (!this.#commit()) return;
      const { epoch, seq } = this.#node.store;
      if (epoch !== undefined && !this.#node.syncing) this.#acknowledge(epoch, seq);
    });
  }

  #commit() {
    try {
      this.#log?.commit();
      return true;
    } catch (error) {
      this.emit("warning", error); // not acknowledged: the active server goes on without it
      return false;
    }
  }
}
