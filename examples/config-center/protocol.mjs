// The config-center wire protocol, shared by the server, the nodes and the client (README.md
// describes it in full).
//
// Updates endpoint (server PUB -> node SUB), every message one of:
//   [key, seq, value]   key was set to value by update number seq
//   [key, seq]          key was deleted by update number seq
//   ["", seq, epoch]    heartbeat: the server (run `epoch`) is at seq
//
// Requests endpoint (server ROUTER <- client DEALER or REQ): a request is
// [requestId, COMMAND, ...arguments] after the usual empty delimiter frame (which a REQ socket
// adds itself); the reply carries the same envelope and requestId:
//   ICANHAZ? prefix credit        -> CHUNK…, then KTHXBAI (chunks.mjs): a snapshot
//   REPLAY fromSeq prefix credit  -> CHUNK…, then KTHXBAI, or TOOOLD: the updates after fromSeq
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

/**
 * @typedef {{ type: "update", key: string, seq: number, value: string | undefined }} Update
 *   `value` undefined means the key was deleted.
 * @typedef {{ type: "heartbeat", seq: number, epoch: string }} Heartbeat
 */

/** The frames of an update; a deletion when value is undefined. */
export function encodeUpdate(key, seq, value) {
  return value === undefined ? [key, String(seq)] : [key, String(seq), value];
}

/** The frames of a heartbeat. */
export function encodeHeartbeat(seq, epoch) {
  return ["", String(seq), epoch];
}

/**
 * Decodes a message of the updates endpoint.
 * @param {Buffer[]} frames
 * @returns {Update | Heartbeat}
 */
export function decodePublished(frames) {
  if (frames.length < 2 || frames.length > 3)
    throw new Error(`bad update: ${frames.length} frames`);
  const key = frames[0].toString();
  const seq = parseSeq(frames[1]);
  if (key === "") {
    if (frames.length !== 3) throw new Error("bad heartbeat: no epoch");
    return { type: "heartbeat", seq, epoch: frames[2].toString() };
  }
  return {
    type: "update",
    key,
    seq,
    value: frames.length === 3 ? frames[2].toString() : undefined,
  };
}

/** Parses a sequence number (or a size) frame. */
export function parseSeq(frame) {
  const text = frame === undefined ? "" : frame.toString();
  const seq = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq)) throw new Error(`bad number "${text}"`);
  return seq;
}

/** Checks a key: a non-empty string (the empty key is the heartbeat's). */
export function checkKey(key) {
  if (typeof key !== "string" || key === "") throw new TypeError("a key is a non-empty string");
  return key;
}
