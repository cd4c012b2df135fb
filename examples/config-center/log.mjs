// The server's data file (--data): an append-only log of its updates, fsync'ed before a write is
// acknowledged or published, replayed at start, and compacted now and then (rewritten as the
// current entries plus what comes meanwhile) so that it does not grow without bound.
//
// The file: the bytes "CCLOG1\n", then frames, each
//   u32 length (of what follows the checksum)   u32 CRC-32 of it   u8 type   body
// with the types
//   BEGIN    {"seq":n} (JSON): the state starts empty at seq n
//   ENTRIES  records (records.mjs): entries, put as they are (a compaction's, read from the live
//            map: each reflects every update written before it in the file)
//   UPDATES  records: updates, in order, one frame per commit
//   RUN      {"epoch":…,"seq":n} (JSON): a run of the server started at seq n
// Replayed in file order, the frames give the state at the last update (see chunks.mjs for why
// entries read from a live map, followed by the updates after them, are exact).
//
// A crash while appending leaves at most the last frame torn (cut short, or garbage): with no
// valid frame after it, it was never acknowledged, and the file is cut back to before it. A bad
// frame with valid frames after it is corruption: the server refuses to start.
import * as fs from "node:fs";
import * as path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { crc32 } from "node:zlib";

import { MAX_CHUNK_BYTES } from "./chunks.mjs";
import { RecordWriter, forEachRecord } from "./records.mjs";
import { ConfigStore } from "./store.mjs";

const MAGIC = Buffer.from("CCLOG1\n");
const BEGIN = 1;
const ENTRIES = 2;
const UPDATES = 3;
const RUN = 4;
const FRAME_HEADER = 8;
/** Runs remembered in the file (for nodes that come back from an older run to replay). */
const MAX_RUNS = 16;

/** The data file cannot be used; the message says why, in one line. */
export class DataFileError extends Error {}

/**
 * @typedef {object} Replayed
 * @property {ConfigStore} store  the state the file holds
 * @property {Array<{ epoch: string, seq: number }>} runs  earlier runs, oldest first, each with
 *   the last seq of its history that the file holds
 * @property {import("./records.mjs").ChangeRecord[]} recent  the last updates, oldest first
 * @property {number} truncated  bytes of a torn last frame cut off (0: none)
 */

export class DurableLog {
  #path;
  #sync;
  /** @type {number | undefined} */
  #fd;
  #bytes = 0;
  /** The file's size after the last compaction (or at open). */
  #compactedBytes = 0;
  /** @type {Buffer[]} frames waiting for commit() */
  #pending = [];
  #updates = new RecordWriter();
  /** @type {{ fd: number, path: string } | undefined} a compaction under way */
  #compacting;
  /** @type {Array<{ epoch: string, seq: number }>} */
  #runs = [];

  /**
   * @param {string} file
   * @param {{ sync?: boolean }} [options]  sync: fsync every commit (true; false for tests of
   *   anything but durability)
   */
  constructor(file, { sync = true } = {}) {
    this.#path = file;
    this.#sync = sync;
  }

  /** The file's size, bytes. */
  get bytes() {
    return this.#bytes;
  }

  get compacting() {
    return this.#compacting !== undefined;
  }

  /**
   * Reads the file (creating it if missing), cuts off a torn last frame, and leaves it open for
   * appending.
   * @param {{ keepRecent?: number }} [options]  how many of the last updates to return
   * @returns {Replayed}
   */
  open({ keepRecent = 100_000 } = {}) {
    fs.rmSync(`${this.#path}.compact`, { force: true }); // a compaction the last run left
    let data;
    try {
      data = fs.existsSync(this.#path) ? fs.readFileSync(this.#path) : Buffer.alloc(0);
    } catch (error) {
      throw new DataFileError(`cannot read ${this.#path}: ${messageOf(error)}`);
    }
    const replayed = this.#replay(data, keepRecent);
    const kept = data.length - replayed.truncated;
    try {
      if (kept < MAGIC.length || replayed.legacy) {
        // A new file (or one cut short before its first frame), or one in the old JSON format:
        // written afresh in this format.
        this.#rewrite(replayed.store);
      } else {
        this.#fd = fs.openSync(this.#path, "a");
        if (replayed.truncated > 0) {
          fs.ftruncateSync(this.#fd, kept);
          if (this.#sync) fs.fsyncSync(this.#fd);
        }
        this.#bytes = kept;
      }
    } catch (error) {
      throw new DataFileError(`cannot write ${this.#path}: ${messageOf(error)}`);
    }
    this.#compactedBytes = this.#bytes;
    this.#runs = replayed.runs;
    return replayed;
  }

  /** Notes that a run starts at `seq` (written with the next commit). */
  run(epoch, seq) {
    this.#runs.push({ epoch, seq });
    if (this.#runs.length > MAX_RUNS) this.#runs.shift();
    this.#pending.push(frame(RUN, Buffer.from(JSON.stringify({ epoch, seq }))));
  }

  /** Adds an update to the next commit. @param {import("./records.mjs").ChangeRecord} record */
  append(record) {
    this.#updates.add(record);
  }

  /** Whether anything waits for commit(). */
  get dirty() {
    return this.#updates.count > 0 || this.#pending.length > 0;
  }

  /**
   * Writes what was appended since the last commit, as one frame, and fsyncs: when it returns,
   * it survives a crash. Throws DataFileError when it cannot (the caller must not acknowledge).
   */
  commit() {
    if (this.#updates.count > 0) this.#pending.push(frame(UPDATES, this.#updates.take()));
    if (this.#pending.length === 0) return;
    const bytes = Buffer.concat(this.#pending);
    this.#pending = [];
    try {
      writeAll(/** @type {number} */ (this.#fd), bytes);
      if (this.#sync) fs.fsyncSync(/** @type {number} */ (this.#fd));
      // A compaction under way gets the same frames (it is fsync'ed once, before it replaces
      // the file).
      if (this.#compacting !== undefined) writeAll(this.#compacting.fd, bytes);
    } catch (error) {
      throw new DataFileError(`cannot write ${this.#path}: ${messageOf(error)}`);
    }
    this.#bytes += bytes.length;
  }

  /** Whether the file has grown enough to be worth compacting. */
  shouldCompact(minBytes = 16 * 1024 * 1024) {
    return !this.compacting && this.#bytes > Math.max(minBytes, 2 * this.#compactedBytes);
  }

  /**
   * Rewrites the file as the entries of `source.store` (read from the live map, a chunk per turn
   * of the event loop) plus every commit made meanwhile, then puts it in place of the old one.
   * @param {{ store: ConfigStore }} source  read again each turn (the state may be replaced)
   * @returns {Promise<{ before: number, after: number }>}
   */
  async compact(source) {
    if (this.#compacting !== undefined) throw new Error("a compaction is under way");
    const before = this.#bytes;
    const store = source.store;
    const target = `${this.#path}.compact`;
    const fd = fs.openSync(target, "w");
    this.#compacting = { fd, path: target };
    let written = 0;
    try {
      const head = this.#head(store.seq);
      writeAll(fd, head);
      written += head.length;
      const entries = store.entries();
      const writer = new RecordWriter();
      for (let done = false; !done;) {
        if (source.store !== store || this.#compacting?.fd !== fd) {
          throw new Error("the state was replaced; compaction dropped");
        }
        for (;;) {
          const next = entries.next();
          if (next.done) {
            done = true;
            break;
          }
          const [key, entry] = next.value;
          writer.add({ key, seq: entry.version, value: entry.value, ttl: ttlOf(entry) });
          if (writer.bytes >= MAX_CHUNK_BYTES) break;
        }
        if (writer.count > 0) {
          const chunk = frame(ENTRIES, writer.take());
          writeAll(fd, chunk);
          written += chunk.length;
        }
        if (!done) await nextTurn(); // commits go on meanwhile, into both files
      }
      // Everything committed since the head is in this file too (commit() wrote it there).
      if (this.#sync) fs.fsyncSync(fd);
      fs.renameSync(target, this.#path);
      syncDirectory(this.#path, this.#sync);
    } catch (error) {
      if (this.#compacting?.fd === fd) {
        // (Else reset() or close() dropped this compaction and its file already.)
        fs.closeSync(fd);
        fs.rmSync(target, { force: true });
        this.#compacting = undefined;
      }
      throw error instanceof DataFileError
        ? error
        : new DataFileError(`compaction of ${this.#path} failed: ${messageOf(error)}`);
    }
    // The new file is in place: go on appending to it.
    const after = written + (this.#bytes - before);
    fs.closeSync(/** @type {number} */ (this.#fd));
    this.#fd = fd;
    this.#compacting = undefined;
    this.#bytes = this.#compactedBytes = after;
    return { before, after };
  }

  /**
   * Replaces the whole file with `store` (a backup that took a snapshot of the active server:
   * its own history is gone, and so are the runs it remembered).
   * @param {ConfigStore} store
   */
  reset(store) {
    this.#pending = [];
    this.#updates.take();
    this.#runs = [];
    if (this.#compacting !== undefined) {
      fs.closeSync(this.#compacting.fd);
      fs.rmSync(this.#compacting.path, { force: true });
      this.#compacting = undefined;
    }
    try {
      this.#rewrite(store);
    } catch (error) {
      throw new DataFileError(`cannot write ${this.#path}: ${messageOf(error)}`);
    }
    this.#compactedBytes = this.#bytes;
  }

  close() {
    if (this.#compacting !== undefined) {
      fs.closeSync(this.#compacting.fd);
      fs.rmSync(this.#compacting.path, { force: true });
      this.#compacting = undefined;
    }
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** The start of a file holding the state at `seq`: magic, BEGIN, the runs it remembers. */
  #head(seq) {
    const frames = [MAGIC, frame(BEGIN, Buffer.from(JSON.stringify({ seq })))];
    for (const run of this.#runs) frames.push(frame(RUN, Buffer.from(JSON.stringify(run))));
    return Buffer.concat(frames);
  }

  /** Writes `store` as a new file, synchronously (a new or converted file). */
  #rewrite(/** @type {ConfigStore} */ store) {
    const target = `${this.#path}.compact`;
    const fd = fs.openSync(target, "w");
    const frames = [this.#head(store.seq)];
    const writer = new RecordWriter();
    for (const [key, entry] of store.entries()) {
      writer.add({ key, seq: entry.version, value: entry.value, ttl: ttlOf(entry) });
      if (writer.bytes >= MAX_CHUNK_BYTES) frames.push(frame(ENTRIES, writer.take()));
    }
    if (writer.count > 0) frames.push(frame(ENTRIES, writer.take()));
    const bytes = Buffer.concat(frames);
    writeAll(fd, bytes);
    if (this.#sync) fs.fsyncSync(fd);
    fs.renameSync(target, this.#path);
    syncDirectory(this.#path, this.#sync);
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = fd;
    this.#bytes = bytes.length;
  }

  /**
   * @param {Buffer} data
   * @param {number} keepRecent
   * @returns {Replayed & { legacy: boolean }}
   */
  #replay(data, keepRecent) {
    const store = new ConfigStore();
    /** @type {import("./records.mjs").ChangeRecord[]} */
    let recent = [];
    /** @type {Array<{ epoch: string, seq: number }>} */
    const runs = [];
    const result = { store, runs, recent, truncated: 0, legacy: false };
    if (data.length === 0) return result;
    if (data[0] === 0x7b) return { ...result, store: legacyStore(data, this.#path), legacy: true };
    if (data.length < MAGIC.length && MAGIC.subarray(0, data.length).equals(data)) {
      return { ...result, truncated: data.length }; // created, then cut short at once
    }
    if (!data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new DataFileError(`${this.#path} is not a config-center data file`);
    }
    let offset = MAGIC.length;
    while (offset < data.length) {
      const found = readFrame(data, offset);
      if (found === undefined) {
        if (anyFrameAfter(data, offset + 1)) {
          throw new DataFileError(
            `${this.#path} is corrupt at byte ${offset} (valid data follows): ` +
              "restore it from a backup, or move it away to start empty",
          );
        }
        result.truncated = data.length - offset;
        break;
      }
      const { type, body } = found;
      if (type === BEGIN) {
        store.seq = JSON.parse(body.toString()).seq;
      } else if (type === RUN) {
        runs.push(JSON.parse(body.toString()));
        if (runs.length > MAX_RUNS) runs.shift();
      } else if (type === ENTRIES) {
        forEachRecord(body, (record) =>
          store.put(record.key, record.value, record.seq, record.ttl),
        );
      } else {
        forEachRecord(body, (record) => {
          store.put(record.key, record.value, record.seq, record.ttl);
          store.seq = record.seq;
          recent.push(record);
        });
        if (recent.length > 2 * keepRecent) recent = recent.slice(-keepRecent);
      }
      offset = found.end;
    }
    result.recent = recent.slice(-keepRecent);
    // Each earlier run wrote a prefix of this file's history: it is continued up to its end.
    result.runs = runs.map(({ epoch }) => ({ epoch, seq: store.seq }));
    return result;
  }
}

/** The ms an entry has left to live (0: no TTL). */
function ttlOf(/** @type {import("./store.mjs").Entry} */ entry) {
  return ConfigStore.ttlLeft(entry);
}

/** One frame: length, CRC-32, type, body. */
function frame(type, /** @type {Buffer} */ body) {
  const payload = Buffer.allocUnsafe(1 + body.length);
  payload[0] = type;
  body.copy(payload, 1);
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** The frame at `offset` if it is whole and intact, else undefined. */
function readFrame(/** @type {Buffer} */ data, offset) {
  if (offset + FRAME_HEADER > data.length) return undefined;
  const length = data.readUInt32BE(offset);
  const end = offset + FRAME_HEADER + length;
  if (length < 1 || end > data.length) return undefined;
  const payload = data.subarray(offset + FRAME_HEADER, end);
  if (crc32(payload) !== data.readUInt32BE(offset + 4)) return undefined;
  const type = payload[0];
  if (type < BEGIN || type > RUN) return undefined;
  return { type, body: payload.subarray(1), end };
}

/** Whether a valid frame starts anywhere at or after `from` (then what is before it is not a
 * torn end but corruption). */
function anyFrameAfter(/** @type {Buffer} */ data, from) {
  for (let offset = from; offset + FRAME_HEADER < data.length; offset++) {
    if (readFrame(data, offset) !== undefined) return true;
  }
  return false;
}

/** The old format: the whole map as JSON, {seq, entries: [[key, value], …]}. */
function legacyStore(/** @type {Buffer} */ data, file) {
  let saved;
  try {
    saved = JSON.parse(data.toString());
  } catch (error) {
    throw new DataFileError(`${file} is neither a config-center log nor readable JSON`, {
      cause: error,
    });
  }
  const store = new ConfigStore();
  for (const [key, value] of saved.entries ?? []) store.put(key, value, saved.seq);
  store.seq = saved.seq ?? 0;
  return store;
}

function writeAll(fd, /** @type {Buffer} */ bytes) {
  for (let written = 0; written < bytes.length;) {
    written += fs.writeSync(fd, bytes, written, bytes.length - written);
  }
}

/** fsyncs the directory of `file`, so that a rename or a new file survives a crash. */
function syncDirectory(file, sync) {
  if (!sync) return;
  const fd = fs.openSync(path.dirname(path.resolve(file)), "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function messageOf(error) {
  return error instanceof Error ? error.message.replace(/^[A-Z]+: /, "") : String(error);
}
