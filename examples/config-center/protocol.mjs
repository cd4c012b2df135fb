// The config-center wire protocol, shared by the server, the nodes and the client (README.md
// describes it in full).
//
// Updates endpoint (server PUB -> node SUB), every message one of:
//   [key, epoch, seq, value]   key was set to value by update number seq of run `epoch`
//   [key, epoch, seq, value, ttl]   the same, for a key that expires in `ttl` ms unless set again
//   [key, epoch, seq]          key was deleted by update number seq of run `epoch`
//   ["$HUGZ", epoch, seq, ms, state, role]
//                              heartbeat: the server, run `epoch`, is at seq; the next one
//                              comes in `ms` ms; state "active", "passive" (a backup following
//                              run `epoch`) or "starting"; role "primary" or "backup"
// Keys starting with "$" are reserved for such control messages.
//
// Requests endpoint (server ROUTER <- client DEALER or REQ): a request is
// [requestId, COMMAND, ...arguments] after the usual empty delimiter frame (which a REQ socket
// adds itself); the reply carries the same envelope and requestId:
//   ICANHAZ? prefix credit        -> CHUNK…, then KTHXBAI (chunks.mjs): a snapshot
//   REPLAY epoch fromSeq prefix credit -> CHUNK…, then KTHXBAI, or TOOOLD: the updates after
//                                    fromSeq of run `epoch` (TOOOLD when not kept, or another run)
//   MORE n / CANCEL               -> (no reply) credit for, or the end of, the stream requestId
//   SET key value    -> [id, "OK", seq]
//   DEL key          -> [id, "OK", seq]
//   MSET records     -> [id, "OK", seq, changed]   (records.mjs, at most MSET_RECORDS; a record
//                                                   without value deletes)
//   GET key          -> [id, "OK", seq, value] or [id, "NOTFOUND", seq]
//   STATUS           -> [id, "STATUS", epoch, seq, size, hash]
//   anything else    -> [id, "ERROR", message]; a stream the server cannot take now -> BUSY ms
// Sequence numbers and sizes travel as decimal strings; keys and values as UTF-8.
import { randomBytes } from "node:crypto";

/** Where a server binds by default. */
export const DEFAULT_BIND = { updates: "tcp://*:5570", requests: "tcp://*:5571" };
/** Where nodes and clients connect by default. */
export const DEFAULT_CONNECT = {
  updates: "tcp://localhost:5570",
  requests: "tcp://localhost:5571",
};

/** The most records one MSET request may carry (the server refuses more: its work per request
 * stays bounded, and so the time between its heartbeats). */
export const MSET_RECORDS = 5000;

/** The topic of heartbeats (a key cannot start with "$"). */
export const HEARTBEAT = "$HUGZ";

/**
 * @typedef {{ type: "update", key: string, epoch: string, seq: number, value: string | undefined,
 *             ttl: number }} Update
 *   `value` undefined means the key was deleted (or expired); `ttl` 0 means it does not expire.
 * @typedef {{ type: "heartbeat", epoch: string, seq: number, interval: number,
 *             state: string, role: string }} Heartbeat
 */

/** The frames of an update of run `epoch`; a deletion when value is undefined. */
export function encodeUpdate(key, epoch, seq, value, ttl = 0) {
  if (value === undefined) return [key, epoch, String(seq)];
  return ttl > 0 ? [key, epoch, String(seq), value, String(ttl)] : [key, epoch, String(seq), value];
}

/**
 * The frames of a heartbeat; `interval`: ms until the next one.
 * @param {string} epoch  the run the server is (active), follows (passive) or last was
 * @param {number} seq
 * @param {number} interval
 * @param {string} [state]  "active" (the default), "passive" or "starting"
 * @param {string} [role]  "primary" (the default) or "backup"
 */
export function encodeHeartbeat(epoch, seq, interval, state = "active", role = "primary") {
  return [HEARTBEAT, epoch, String(seq), String(interval), state, role];
}

/**
 * A new run id: `<term>_<random>`. Terms order runs: a server that becomes active takes a term
 * above every one it knows of (and at least the time, in ms, so that a restart without data
 * still gets a later term), and a node leaves a run only for a later one (or when its server
 * has been lost).
 * @param {number} [after]  the highest term known
 */
export function newEpoch(after = 0) {
  return `${Math.max(Date.now(), after + 1)}_${randomBytes(4).toString("hex")}`;
}

/** The term of a run id (0 for none, or one without a term). */
export function termOf(/** @type {string | undefined} */ epoch) {
  const term = Number(epoch?.split("_")[0]);
  return Number.isSafeInteger(term) ? term : 0;
}

/**
 * Decodes a message of the updates endpoint.
 * @param {Buffer[]} frames
 * @returns {Update | Heartbeat}
 */
export function decodePublished(frames) {
  const key = frames[0]?.toString() ?? "";
  if (key === HEARTBEAT) {
    if (frames.length < 4) throw new Error(`bad heartbeat: ${frames.length} frames`);
    const interval = parseSeq(frames[3]);
    const state = frames[4]?.toString() ?? "active";
    const role = frames[5]?.toString() ?? "primary";
    const epoch = frames[1].toString();
    return { type: "heartbeat", epoch, seq: parseSeq(frames[2]), interval, state, role };
  }
  if (key === "" || key.startsWith("$") || frames.length < 3 || frames.length > 5) {
    throw new Error(`bad update: ${frames.length} frames, key "${key}"`);
  }
  return {
    type: "update",
    key,
    epoch: frames[1].toString(),
    seq: parseSeq(frames[2]),
    value: frames.length >= 4 ? frames[3].toString() : undefined,
    ttl: frames.length === 5 ? parseSeq(frames[4]) : 0,
  };
}

/** Parses a sequence number (or a size) frame. */
export function parseSeq(frame) {
  const text = frame === undefined ? "" : frame.toString();
  const seq = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq)) throw new Error(`bad number "${text}"`);
  return seq;
}

/** Checks a key: a non-empty string that does not start with "$" (reserved for heartbeats). */
export function checkKey(key) {
  if (typeof key !== "string" || key === "") throw new TypeError("a key is a non-empty string");
  if (key.startsWith("$")) throw new TypeError(`a key cannot start with "$" (${key})`);
  return key;
}
