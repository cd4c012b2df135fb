// What a message is, as the API takes and gives it.
import type { ZeroCopyFrame } from "./zero-copy";

/** A received message frame. */
export type Message = Buffer;

/**
 * What send() accepts for a frame: bytes (Buffer, any TypedArray, DataView, ArrayBuffer,
 * SharedArrayBuffer), a string (sent as UTF-8), a number (sent as its decimal string), null
 * (an empty frame) or a {@link ZeroCopyFrame}. Frames are copied into libzmq when it accepts
 * them, but for a ZeroCopyFrame, whose bytes libzmq takes as they are.
 */
export type MessageLike =
  ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null | ZeroCopyFrame;

/** Options of a single send() or receive(). */
export interface OperationOptions {
  /** Aborting rejects the pending operation with the signal's reason; it never half-sends. */
  signal?: AbortSignal;
}
