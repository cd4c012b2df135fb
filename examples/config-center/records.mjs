// Records: entries and updates packed into one frame, so that a snapshot, a replay or a batch
// of writes travels as a few bounded messages instead of one frame per key (a message of a
// million frames is both slow and beyond what some peers accept).
//
// A frame holds records back to back, each:
//   u8   kind      0 set (the entry has a value), 1 deleted, 2 deleted because its TTL ran out
//   f64  seq       the update's sequence number; for an entry of a snapshot, its version
//   u32  ttl       ms the key has left to live (0: no TTL)
//   u32  key length, then the key (UTF-8)
//   u32  value length, then the value (UTF-8) — kind 0 only
// Numbers are big-endian.

export const SET = 0;
export const DELETED = 1;
export const EXPIRED = 2;

const HEADER = 1 + 8 + 4 + 4;

/**
 * @typedef {object} ChangeRecord
 * @property {string} key
 * @property {number} seq  the update's sequence number (an entry's version in a snapshot)
 * @property {string | undefined} value  undefined: the key was deleted
 * @property {number} ttl  ms left to live, 0 for none
 * @property {boolean} [expired]  deleted because its TTL ran out
 */

/** The bytes a record takes (for bounding a chunk before encoding it). */
export function recordSize(key, value) {
  return HEADER + Buffer.byteLength(key) + (value === undefined ? 0 : 4 + Buffer.byteLength(value));
}

/**
 * Collects records into frames of at most `maxBytes` each (a record bigger than that gets a
 * frame of its own).
 */
export class RecordWriter {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #bytes = 0;
  #count = 0;

  get bytes() {
    return this.#bytes;
  }

  get count() {
    return this.#count;
  }

  /** @param {ChangeRecord} record */
  add({ key, seq, value, ttl, expired }) {
    const keyLength = Buffer.byteLength(key);
    const valueLength = value === undefined ? 0 : Buffer.byteLength(value);
    this.#reserve(HEADER + keyLength + (value === undefined ? 0 : 4 + valueLength));
    const buffer = this.#buffer;
    let offset = this.#bytes;
    buffer.writeUInt8(value !== undefined ? SET : expired ? EXPIRED : DELETED, offset);
    buffer.writeDoubleBE(seq, offset + 1);
    buffer.writeUInt32BE(Math.max(0, Math.min(Math.round(ttl), 0xffffffff)), offset + 9);
    buffer.writeUInt32BE(keyLength, offset + 13);
    offset += HEADER;
    offset += buffer.write(key, offset);
    if (value !== undefined) {
      buffer.writeUInt32BE(valueLength, offset);
      offset += 4;
      offset += buffer.write(value, offset);
    }
    this.#bytes = offset;
    this.#count += 1;
  }

  /** The records added so far as one frame; the writer starts empty again. */
  take() {
    const frame = Buffer.from(this.#buffer.subarray(0, this.#bytes));
    this.#bytes = 0;
    this.#count = 0;
    if (this.#buffer.length > 4 * 1024 * 1024) this.#buffer = Buffer.allocUnsafe(64 * 1024);
    return frame;
  }

  #reserve(size) {
    if (this.#bytes + size <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#bytes + size));
    this.#buffer.copy(grown, 0, 0, this.#bytes);
    this.#buffer = grown;
  }
}

/**
 * Calls `each` with the records of a frame, in order (a callback rather than a generator: this
 * runs for every key of a snapshot).
 * @param {Buffer} frame
 * @param {(record: ChangeRecord) => void} each
 */
export function forEachRecord(frame, each) {
  let offset = 0;
  while (offset < frame.length) {
    if (offset + HEADER > frame.length) throw new Error("truncated record");
    const kind = frame[offset];
    const seq = frame.readDoubleBE(offset + 1);
    const ttl = frame.readUInt32BE(offset + 9);
    const keyLength = frame.readUInt32BE(offset + 13);
    offset += HEADER;
    if (kind > EXPIRED || !Number.isSafeInteger(seq) || seq < 0) throw new Error("bad record");
    if (keyLength === 0 || offset + keyLength > frame.length) throw new Error("bad record key");
    const key = frame.toString("utf8", offset, offset + keyLength);
    offset += keyLength;
    let value;
    if (kind === SET) {
      if (offset + 4 > frame.length) throw new Error("truncated record");
      const valueLength = frame.readUInt32BE(offset);
      offset += 4;
      if (offset + valueLength > frame.length) throw new Error("truncated record value");
      value = frame.toString("utf8", offset, offset + valueLength);
      offset += valueLength;
    }
    each({ key, seq, value, ttl, expired: kind === EXPIRED });
  }
}

/**
 * The records of a frame, in order.
 * @param {Buffer} frame
 * @returns {import("./records.mjs").ChangeRecord[]}
 */
export function readRecords(frame) {
  /** @type {ChangeRecord[]} */
  const records = [];
  forEachRecord(frame, (record) => records.push(record));
  return records;
}
