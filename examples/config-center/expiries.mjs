// When keys with a TTL expire: a min-heap of (deadline, key, version). A key set again gets a
// new entry; its old one is found stale when due (the key is at another version) and skipped.

export class Expiries {
  /** @type {Array<{ at: number, key: string, version: number }>} */
  #heap = [];

  get size() {
    return this.#heap.length;
  }

  add(/** @type {string} */ key, /** @type {number} */ version, /** @type {number} */ at) {
    const heap = this.#heap;
    heap.push({ at, key, version });
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= heap[i].at) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  /** Takes out the entries due at `now`, soonest first. */
  *due(now = Date.now()) {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0].at <= now) {
      const top = heap[0];
      const last = /** @type {typeof top} */ (heap.pop());
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const [left, right] = [2 * i + 1, 2 * i + 2];
          let smallest = i;
          if (left < heap.length && heap[left].at < heap[smallest].at) smallest = left;
          if (right < heap.length && heap[right].at < heap[smallest].at) smallest = right;
          if (smallest === i) break;
          [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
          i = smallest;
        }
      }
      yield top;
    }
  }

  /** Starts again from the entries of a store (a server that takes over another's state). */
  rebuild(/** @type {import("./store.mjs").ConfigStore} */ store) {
    this.#heap = [];
    for (const [key, entry] of store.entries()) {
      if (entry.expires > 0) this.add(key, entry.version, entry.expires);
    }
  }
}
