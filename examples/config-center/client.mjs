// The config-center client: requests to the server's requests endpoint over a DEALER socket,
// several at a time, each matched to its reply by a request id and given up after a timeout.
// Nodes use it for snapshots; programs and the CLI for SET/DEL/GET/STATUS.
//
//   const client = new ConfigClient({ requests: "tcp://localhost:5571" });
//   const seq = await client.set("db/url", "postgres://…");
//   client.close();
import { Dealer } from "zmq-napi";

import { DEFAULT_CONNECT, checkKey, parseSeq } from "./protocol.mjs";

/**
 * @typedef {object} ClientOptions
 * @property {string} [requests]  the server's requests endpoint (default tcp://localhost:5571)
 * @property {number} [timeout]   ms to wait for a reply (default 5000)
 */

export class ConfigClient {
  #dealer;
  #timeout;
  #nextId = 0;
  /** @type {Map<string, { resolve(reply: string[]): void, reject(error: Error): void }>} */
  #pending = new Map();

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    this.#timeout = options.timeout ?? 5000;
    // linger 0: requests still queued when the client closes are thrown away, not sent later.
    this.#dealer = new Dealer({ linger: 0 });
    this.#dealer.connect(options.requests ?? DEFAULT_CONNECT.requests);
    void this.#receiveReplies();
  }

  /**
   * Sends a request and resolves with the reply's frames after the request id ([status, …]).
   * Rejects on timeout, on an ERROR reply and when the client is closed. A request that timed
   * out may still have been carried out (its reply was late or lost).
   * @param {string} command
   * @param {Array<string | number>} args
   * @param {{ timeout?: number }} [options]
   * @returns {Promise<string[]>}
   */
  request(command, args = [], options = {}) {
    const id = String(++this.#nextId);
    const timeout = options.timeout ?? this.#timeout;
    const aborted = new AbortController();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        aborted.abort(); // a send still waiting (no server, queue full) is withdrawn
        reject(new Error(`${command}: no reply within ${timeout} ms`));
      }, timeout);
      const settle = (/** @type {() => void} */ action) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        action();
      };
      this.#pending.set(id, {
        resolve: (reply) =>
          settle(() => {
            if (reply[0] === "ERROR") reject(new Error(`${command}: ${reply[1]}`));
            else resolve(reply);
          }),
        reject: (error) => settle(() => reject(error)),
      });
      // The empty frame is the delimiter a REQ socket would add: the server accepts both.
      this.#dealer.send(["", id, command, ...args], { signal: aborted.signal }).catch((error) => {
        if (!aborted.signal.aborted) this.#pending.get(id)?.reject(error);
      });
    });
  }

  /** Sets key to value; resolves with the sequence number of the update. */
  async set(key, value) {
    const [, seq] = await this.request("SET", [checkKey(key), value]);
    return parseSeq(seq);
  }

  /** Deletes key; resolves with the sequence number of the deletion. */
  async delete(key) {
    const [, seq] = await this.request("DEL", [checkKey(key)]);
    return parseSeq(seq);
  }

  /** The value of key (undefined if it has none) and the sequence number it was read at. */
  async get(key) {
    const [status, seq, value] = await this.request("GET", [checkKey(key)]);
    return { seq: parseSeq(seq), value: status === "OK" ? value : undefined };
  }

  /** The server's run (epoch), sequence number, number of keys and state hash. */
  async status() {
    const [, epoch, seq, size, hash] = await this.request("STATUS");
    return { epoch, seq: parseSeq(seq), size: parseSeq(size), hash };
  }

  /**
   * The whole map and the sequence number it is at.
   * @param {{ timeout?: number }} [options]
   * @returns {Promise<{ epoch: string, seq: number, entries: Map<string, string> }>}
   */
  async snapshot(options) {
    const [, epoch, seq, ...flat] = await this.request("SNAPSHOT", [], options);
    const entries = new Map();
    for (let i = 0; i + 1 < flat.length; i += 2) entries.set(flat[i], flat[i + 1]);
    return { epoch, seq: parseSeq(seq), entries };
  }

  /** Closes the socket; pending requests reject. */
  close() {
    this.#dealer.close();
    for (const pending of [...this.#pending.values()]) pending.reject(new Error("client closed"));
  }

  async #receiveReplies() {
    try {
      for await (const [, id, ...reply] of this.#dealer) {
        // A reply to a request that timed out has no taker any more: it is dropped.
        this.#pending.get(String(id))?.resolve(reply.map(String));
      }
    } catch (error) {
      for (const pending of [...this.#pending.values()])
        pending.reject(/** @type {Error} */ (error));
    }
  }
}
