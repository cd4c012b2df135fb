// What send() accepts, made into what the addon takes: every frame bytes, a ZeroCopyFrame's
// handle, a string, a number or null. Other values are sent as String(value), as the `zeromq`
// package does; undefined and symbols are refused. The conversion runs here, before the native
// call, so that no user code (a toString, an array getter) runs while native code holds the
// socket.
import { typeError } from "./errors";
import { ZeroCopyFrame, zeroCopyHandleOf } from "./zero-copy";

const EXPECTED_FRAME =
  "Buffer, TypedArray, DataView, ArrayBuffer, ZeroCopyFrame, string, number, null or a value " +
  "with a string form";

function normaliseFrame(frame: unknown): unknown {
  if (typeof frame === "string" || ArrayBuffer.isView(frame)) return frame;
  if (typeof frame === "number" || frame === null || frame instanceof ArrayBuffer) return frame;
  // The addon takes the frame's native handle (binding/zero_copy_frame.h checks it is sendable).
  if (frame instanceof ZeroCopyFrame) return zeroCopyHandleOf(frame);
  // Node-API has no access to a SharedArrayBuffer's bytes; a view of it has.
  if (typeof SharedArrayBuffer !== "undefined" && frame instanceof SharedArrayBuffer) {
    return new Uint8Array(frame);
  }
  if (frame === undefined || typeof frame === "symbol") {
    throw typeError(EXPECTED_FRAME, "message", frame);
  }
  // "[object Object]" included: the `zeromq` package sends what String() gives.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(frame);
}

/**
 * A message (one frame or an array of frames) ready for the addon. Walks the frames by index
 * and stops at the first bad one, so a sparse array fails at once, however long it claims to
 * be; an array is copied only when a frame had to change.
 */
export function normaliseMessage(message: unknown, batchFrames?: Set<ZeroCopyFrame>): unknown {
  if (!Array.isArray(message)) {
    if (batchFrames !== undefined) noteBatchFrame(message, batchFrames);
    return normaliseFrame(message);
  }
  const length = message.length;
  if (length === 0) throw typeError("at least one frame", "message", message);
  let normalised: unknown[] = message;
  for (let i = 0; i < length; i++) {
    const frame: unknown = message[i];
    if (batchFrames !== undefined) noteBatchFrame(frame, batchFrames);
    const converted = normaliseFrame(frame);
    if (converted !== frame && normalised === message) normalised = message.slice(0, i);
    if (normalised !== message) normalised.push(converted);
  }
  return normalised;
}

/**
 * Normalises each of `messages` (an array), failing at the first bad one, before any is sent:
 * a ZeroCopyFrame in two of them too, since the second send of it would fail after the
 * messages between them had left.
 */
export function normaliseMessages(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) throw typeError("an array", "messages", messages);
  const length = messages.length;
  const normalised: unknown[] = new Array(length);
  const batchFrames = new Set<ZeroCopyFrame>();
  for (let i = 0; i < length; i++) {
    const message: unknown = messages[i];
    if (message === undefined) throw typeError("a message", `messages[${i}]`, message);
    normalised[i] = normaliseMessage(message, batchFrames);
  }
  return normalised;
}

/** Remembers a ZeroCopyFrame of a batch; one seen already is refused (see normaliseMessages). */
function noteBatchFrame(frame: unknown, seen: Set<ZeroCopyFrame>): void {
  if (!(frame instanceof ZeroCopyFrame)) return;
  if (seen.has(frame)) {
    const error = new TypeError(
      "Expected a ZeroCopyFrame that can be sent for message, but it is in this batch twice",
    );
    (error as TypeError & { code: string }).code = "ERR_INVALID_ARG_VALUE";
    throw error;
  }
  seen.add(frame);
}
