// What a server streams, one bounded chunk at a time (the guide's Clone pattern sends a
// snapshot as one message per key ended by KTHXBAI; here keys are packed by records.mjs):
//
//   snapshot:  CHUNK epoch startSeq index records   (records: entries, each with its version)
//              …
//              KTHXBAI epoch startSeq endSeq count
//   replay:    the same, the records being the updates startSeq+1 … endSeq;
//              or TOOOLD epoch oldestSeq when they are no longer all kept, or are not this
//              run's (the server's reply to the request then)
//
// A snapshot is read from the live map across many turns of the event loop (the server goes on
// with writes and other requests in between), so its entries are a mix of the states between
// startSeq and endSeq: applying the updates startSeq+1 … endSeq on top of it in order gives
// exactly the state at endSeq (each key ends with the value of the last update to it, and a key
// no update touched was the same all along). The client does that with a replay.
import { ConfigStore } from "./store.mjs";
import { RecordWriter } from "./records.mjs";

/** The bytes of records a chunk holds at most (one bigger record gets a chunk of its own). */
export const MAX_CHUNK_BYTES = 256 * 1024;
/** Keys looked at per chunk at most, so that one chunk of a narrow prefix stays quick to make. */
const MAX_SCAN = 100_000;

/**
 * @typedef {object} StreamSource
 * @property {ConfigStore} store
 * @property {import("./history.mjs").History} history
 * @property {string} epoch
 */

/**
 * The snapshot of the keys starting with `prefix`.
 * @param {StreamSource} source
 * @param {string} prefix
 */
export function* snapshotChunks(source, prefix, maxBytes = MAX_CHUNK_BYTES) {
  const { store, epoch } = source;
  const startSeq = store.seq;
  const entries = store.entries();
  const writer = new RecordWriter();
  let index = 0;
  let count = 0;
  for (;;) {
    if (source.store !== store) {
      yield ["ERROR", "the server's state was replaced during the snapshot; ask again"];
      return;
    }
    const now = Date.now();
    let done = false;
    for (let scanned = 0; writer.bytes < maxBytes && scanned < MAX_SCAN; scanned++) {
      const next = entries.next();
      if (next.done) {
        done = true;
        break;
      }
      const [key, entry] = next.value;
      if (!key.startsWith(prefix)) continue;
      const ttl = ConfigStore.ttlLeft(entry, now);
      writer.add({ key, seq: entry.version, value: entry.value, ttl });
    }
    count += writer.count;
    if (writer.count > 0 || !done) yield ["CHUNK", epoch, startSeq, index++, writer.take()];
    if (done) {
      yield ["KTHXBAI", epoch, startSeq, store.seq, count];
      return;
    }
  }
}

/**
 * The updates after `fromSeq` to keys starting with `prefix`, up to the newest.
 * @param {StreamSource} source
 * @param {number} fromSeq
 * @param {string} prefix
 */
export function* replayChunks(source, fromSeq, prefix, maxBytes = MAX_CHUNK_BYTES) {
  const { store, history, epoch } = source;
  const writer = new RecordWriter();
  let next = fromSeq + 1;
  let index = 0;
  let count = 0;
  for (;;) {
    if (source.store !== store) {
      yield ["ERROR", "the server's state was replaced during the replay; ask again"];
      return;
    }
    for (let scanned = 0; writer.bytes < maxBytes && next <= store.seq; scanned++) {
      const record = history.at(next);
      if (record === undefined) {
        yield ["TOOOLD", epoch, Math.min(history.oldest, store.seq + 1)];
        return;
      }
      if (record.key.startsWith(prefix)) writer.add(record);
      next += 1;
      if (scanned >= MAX_SCAN) break;
    }
    count += writer.count;
    const done = next > store.seq;
    if (writer.count > 0 || !done) yield ["CHUNK", epoch, fromSeq, index++, writer.take()];
    if (done) {
      yield ["KTHXBAI", epoch, fromSeq, next - 1, count];
      return;
    }
  }
}
