// The config-center wire protocol, shared by the server, the nodes and the client (README.md
// describes it in full).
//
// Updates endpoint (server PUB -> node SUB), every message one of:
//   [key, epoch, seq, value]   key was set to value by update number seq of run `epoch`
//   [key, epoch, seq]          key was deleted by update number seq of run `epoch`
//   ["$HUGZ", epoch, seq, ms]  heartbeat: the server, run `epoch`, is at seq; the next one
//                              comes in `ms` ms
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
//   MSET records     -> [id, "OK", seq, changed]   (records.mjs; a record without value deletes)
//   GET key          -> [id, "OK", seq, value] or [id, "NOTFOUND", seq]
//   STATUS           -> [id, "STATUS", epoch, seq, size, hash]
//   anything else    -> [id, "ERROR", message]; a stream the server cannot take now -> BUSY ms
// Sequence numbers and sizes travel as decimal strings; keys and values as UTF-8.
/** Where a server binds by default. */
export const DEFAULT_BIND = { updates: "tcp://*:5570", requests: "tcp://*:5571" };
/** Where nodes and clients connect by default. */
export const DEFAULT_CONNECT = {
  updates: "tcp://localhost:5570",
  requests: "tcp://localhost:5571",
};

/** The topic of heartbeats (a key cannot start with "$"). */
export const HEARTBEAT = "$HUGZ";

/**
 * @typedef {{ type: "update", key: string, epoch: string, seq: number, value: string | undefined }} Update
 *   `value` undefined means the key was deleted.
 * @typedef {{ type: "heartbeat", epoch: string, seq: number, interval: number }} Heartbeat
 */

/** The frames of an update of run `epoch`; a deletion when value is undefined. */
export function encodeUpdate(key, epoch, seq, value) {
  return value === undefined ? [key, epoch, String(seq)] : [key, epoch, String(seq), value];
}

/** The frames of a heartbeat; `interval`: ms until the next one. */
export function encodeHeartbeat(epoch, seq, interval) {
  return [HEARTBEAT, epoch, String(seq), String(interval)];
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
    return { type: "heartbeat", epoch: frames[1].toString(), seq: parseSeq(frames[2]), interval };
  }
  if (key === "" || key.startsWith("$") || frames.length < 3 || frames.length > 4) {
    throw new Error(`bad update: ${frames.length} frames, key "${key}"`);
  }
  return {
    type: "update",
    key,
    epoch: frames[1].toString(),
    seq: parseSeq(frames[2]),
    value: frames.length === 4 ? frames[3].toString() : undefined,
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
