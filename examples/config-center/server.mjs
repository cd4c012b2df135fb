// The config-center server: holds the key/value map and its sequence number, publishes every
// update (PUB) and answers requests (ROUTER): snapshots for nodes that join or fall behind, and
// SET/DEL/GET/STATUS for clients. See README.md for the protocol and its guarantees.
//
//   const server = new ConfigServer({ updates: "tcp://*:5570", requests: "tcp://*:5571" });
//   await server.start();
//   server.set("db/url", "postgres://…");   // or remotely: ConfigClient#set, `cli.mjs set`
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import { Publisher, Router } from "zmq-napi";

import { DEFAULT_BIND, checkKey, encodeHeartbeat, encodeUpdate, stateHash } from "./protocol.mjs";

/**
 * @typedef {object} ServerOptions
 * @property {string} [updates]   endpoint the PUB socket binds (default tcp://*:5570)
 * @property {string} [requests]  endpoint the ROUTER socket binds (default tcp://*:5571)
 * @property {number} [heartbeatInterval]  ms between heartbeats (default 1000)
 * @property {string} [dataFile]  keeps the map and sequence number in this JSON file, so that a
 *   restarted server carries on where it stopped (without it, a restart starts from nothing)
 * @property {number} [sendHighWaterMark]  of the PUB socket: updates a slow node misses beyond it
 *   are dropped (the nodes recover them), never queued without bound
 */

/**
 * Emits "update" ({ key, seq, value }; value undefined for a deletion) after each change.
 */
export class ConfigServer extends EventEmitter {
  /** @type {Map<string, string>} */
  #entries = new Map();
  #seq = 0;
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

  /** @param {ServerOptions} [options] */
  constructor(options = {}) {
    super();
    this.#options = { ...DEFAULT_BIND, heartbeatInterval: 1000, ...options };
  }

  /** Loads the data file (if any), binds both endpoints and starts serving. */
  async start() {
    const { updates, requests, heartbeatInterval, dataFile, sendHighWaterMark } = this.#options;
    if (dataFile !== undefined && fs.existsSync(dataFile)) {
      const saved = JSON.parse(fs.readFileSync(dataFile, "utf8"));
      this.#entries = new Map(saved.entries);
      this.#seq = saved.seq;
    }
    this.#publisher = new Publisher({ linger: 0 });
    if (sendHighWaterMark !== undefined) this.#publisher.sendHighWaterMark = sendHighWaterMark;
    this.#router = new Router({ linger: 0 });
    await this.#publisher.bind(updates);
    await this.#router.bind(requests);
    this.#publish(encodeHeartbeat(this.#seq, this.#epoch));
    this.#heartbeat = setInterval(
      () => this.#publish(encodeHeartbeat(this.#seq, this.#epoch)),
      heartbeatInterval,
    );
    this.#serving = this.#serve();
  }

  /** The endpoints as bound (with the port chosen when bound to port `*`). */
  get endpoints() {
    return { updates: this.#publisher?.lastEndpoint, requests: this.#router?.lastEndpoint };
  }

  get seq() {
    return this.#seq;
  }

  get epoch() {
    return this.#epoch;
  }

  get size() {
    return this.#entries.size;
  }

  /** @param {string} key */
  get(key) {
    return this.#entries.get(key);
  }

  /** A copy of the map. */
  entries() {
    return new Map(this.#entries);
  }

  hash() {
    return stateHash(this.#entries);
  }

  /**
   * Sets key to value and publishes the update; returns its sequence number. Setting a key to the
   * value it has already changes nothing and returns the current sequence number.
   * @param {string} key
   * @param {string} value
   */
  set(key, value) {
    checkKey(key);
    if (typeof value !== "string") throw new TypeError("a value is a string");
    if (this.#entries.get(key) === value) return this.#seq;
    return this.#update(key, value);
  }

  /** Deletes key and publishes the deletion; returns its sequence number (or the current one). */
  delete(key) {
    checkKey(key);
    if (!this.#entries.has(key)) return this.#seq;
    return this.#update(key, undefined);
  }

  /** Stops serving and closes the sockets. */
  async close() {
    clearInterval(this.#heartbeat);
    this.#router?.close();
    this.#publisher?.close();
    await this.#serving;
  }

  /**
   * One update, in this order: change the map, save it, publish. Synchronous, so that updates,
   * snapshots and heartbeats are never interleaved.
   * @param {string} key
   * @param {string | undefined} value undefined deletes
   */
  #update(key, value) {
    const previous = this.#entries.get(key);
    const restore = () => {
      if (previous === undefined) this.#entries.delete(key);
      else this.#entries.set(key, previous);
      this.#seq -= 1;
    };
    if (value === undefined) this.#entries.delete(key);
    else this.#entries.set(key, value);
    this.#seq += 1;
    try {
      this.#save();
    } catch (error) {
      restore();
      throw error;
    }
    this.#publish(encodeUpdate(key, this.#seq, value));
    this.emit("update", { key, seq: this.#seq, value });
    return this.#seq;
  }

  /** Writes the data file (to a temporary file first, so that a crash never leaves half of it). */
  #save() {
    const { dataFile } = this.#options;
    if (dataFile === undefined) return;
    const data = JSON.stringify({ seq: this.#seq, entries: [...this.#entries] });
    fs.writeFileSync(`${dataFile}.tmp`, data);
    fs.renameSync(`${dataFile}.tmp`, dataFile);
  }

  /** @param {string[]} frames */
  #publish(frames) {
    // A PUB socket never waits: this hands the message to libzmq at once, in order.
    this.#publisher?.send(frames).catch((error) => this.emit("error", error));
  }

  async #serve() {
    const router = /** @type {Router} */ (this.#router);
    for await (const frames of router) {
      // [routing id…, "", requestId, COMMAND, …arguments]
      const delimiter = frames.findIndex((frame) => frame.length === 0);
      if (delimiter < 1 || delimiter + 1 >= frames.length) continue; // not a request
      const envelope = frames.slice(0, delimiter + 1);
      const [requestId, command, ...args] = frames.slice(delimiter + 1);
      let reply;
      try {
        reply = this.#handle(String(command ?? ""), args.map(String));
      } catch (error) {
        reply = ["ERROR", error instanceof Error ? error.message : String(error)];
      }
      // A ROUTER drops a reply to a peer that has gone: that client times out and asks again.
      await router.send([...envelope, requestId, ...reply]);
    }
  }

  /**
   * @param {string} command
   * @param {string[]} args
   * @returns {Array<string | number>}
   */
  #handle(command, args) {
    const arity = { SNAPSHOT: 0, SET: 2, DEL: 1, GET: 1, STATUS: 0 }[command];
    if (arity === undefined) throw new Error(`unknown command "${command}"`);
    if (args.length !== arity) throw new Error(`${command} takes ${arity} arguments`);
    switch (command) {
      case "SNAPSHOT":
        return ["SNAPSHOT", this.#epoch, this.#seq, ...[...this.#entries].flat()];
      case "SET":
        return ["OK", this.set(args[0], args[1])];
      case "DEL":
        return ["OK", this.delete(args[0])];
      case "GET": {
        const value = this.#entries.get(args[0]);
        return value === undefined ? ["NOTFOUND", this.#seq] : ["OK", this.#seq, value];
      }
      default:
        return ["STATUS", this.#epoch, this.#seq, this.#entries.size, this.hash()];
    }
  }
}
