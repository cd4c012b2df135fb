// The map a server or a node holds: key -> value, with each key's version (the sequence number
// of the update that last set it) and, for an ephemeral key, when it expires. It keeps the state
// hash up to date as it changes, and the sequence number and run of the last update applied.

import { StateHash } from "./state-hash.mjs";

/**
 * @typedef {object} Entry
 * @property {string} value
 * @property {number} version  the sequence number of the update that set it
 * @property {number} expires  Date.now() at which it expires (set from its TTL), 0 for never
 */

export class ConfigStore {
  /** @type {Map<string, Entry>} */
  #entries = new Map();
  #hash = new StateHash();
  /** The sequence number of the last update applied. */
  seq = 0;
  /**
   * The run of the server (its epoch) whose history this state is part of: updates of another
   * run never apply to it, whatever their sequence numbers.
   * @type {string | undefined}
   */
  epoch;

  get size() {
    return this.#entries.size;
  }

  /** @param {string} key */
  get(key) {
    return this.#entries.get(key);
  }

  /** The state hash (state-hash.mjs) of the entries. */
  hash() {
    return this.#hash.hex();
  }

  /** The entries, live: a snapshot iterating it sees changes made meanwhile (see README). */
  entries() {
    return this.#entries.entries();
  }

  /** Key -> value, a copy. */
  values() {
    const values = new Map();
    for (const [key, entry] of this.#entries) values.set(key, entry.value);
    return values;
  }

  /**
   * Sets (value defined) or deletes (undefined) a key. Does not move `seq`: apply() does.
   * @param {string} key
   * @param {string | undefined} value
   * @param {number} version
   * @param {number} [ttl]  ms to live from now, 0 or undefined for ever
   */
  put(key, value, version, ttl = 0) {
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#hash.remove(key, previous.value);
    if (value === undefined) {
      if (previous !== undefined) this.#entries.delete(key);
      return;
    }
    const expires = ttl > 0 ? Date.now() + ttl : 0;
    if (previous === undefined) {
      this.#entries.set(key, { value, version, expires });
    } else {
      // In place: no second lookup, and the key keeps its position (a snapshot being read
      // does not see it twice).
      previous.value = value;
      previous.version = version;
      previous.expires = expires;
    }
    this.#hash.add(key, value);
  }

  /**
   * Applies update `record.seq`, which must be the next one.
   * @param {import("./records.mjs").ChangeRecord} record
   */
  apply(record) {
    if (record.seq !== this.seq + 1) {
      throw new Error(`update ${record.seq} applied at seq ${this.seq}`);
    }
    this.put(record.key, record.value, record.seq, record.ttl);
    this.seq = record.seq;
  }

  /** The ms an entry has left to live (at least 1), or 0 for an entry without TTL. */
  static ttlLeft(/** @type {Entry} */ entry, now = Date.now()) {
    return entry.expires === 0 ? 0 : Math.max(1, entry.expires - now);
  }
}
