// The server's recent updates, so that a node that lost a few can ask for just those (REPLAY)
// instead of a whole snapshot. Bounded by count and by bytes: the oldest go first, and a node
// that fell further behind than what is kept takes a snapshot.

import { recordSize } from "./records.mjs";

export class History {
  /** @type {import("./records.mjs").ChangeRecord[]} */
  #records = [];
  #head = 0; // index of the oldest record kept
  #bytes = 0;
  #maxCount;
  #maxBytes;

  /** @param {{ maxCount?: number, maxBytes?: number }} [limits] */
  constructor({ maxCount = 100_000, maxBytes = 64 * 1024 * 1024 } = {}) {
    this.#maxCount = maxCount;
    this.#maxBytes = maxBytes;
  }

  /** The sequence number of the oldest update kept (the newest + 1 when none is kept). */
  get oldest() {
    return this.#head < this.#records.length ? this.#records[this.#head].seq : Infinity;
  }

  /** @param {import("./records.mjs").ChangeRecord} record  the next update, in order */
  push(record) {
    this.#records.push(record);
    this.#bytes += recordSize(record.key, record.value);
    while (
      this.#records.length - this.#head > this.#maxCount ||
      (this.#bytes > this.#maxBytes && this.#records.length - this.#head > 1)
    ) {
      const dropped = this.#records[this.#head++];
      this.#bytes -= recordSize(dropped.key, dropped.value);
    }
    if (this.#head > 4096 && this.#head * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Update `seq` if it is still kept, else undefined. */
  at(seq) {
    if (this.#head >= this.#records.length) return undefined;
    const index = this.#head + (seq - this.#records[this.#head].seq);
    if (index < this.#head || index >= this.#records.length) return undefined;
    return this.#records[index];
  }

  /** Forgets everything (the server's history starts again, e.g. from a new snapshot). */
  clear() {
    this.#records = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
