// What a message is, as the API takes and gives it.

/** A received message frame. */
export type Message = Buffer;

/**
 * What send() accepts for a frame: bytes (Buffer, any TypedArray, DataView, ArrayBuffer,
 * SharedArrayBuffer), a string (sent as UTF-8), a number (sent as its decimal string) or
 * null (an empty frame). Frames are copied into libzmq when it accepts them.
 */
export type MessageLike =
  ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null;

/** Options of a single send() or receive(). */
export interface OperationOptions {
  /** Aborting rejects the pending operation with the signal's reason; it never half-sends. */
  signal?: AbortSignal;
}
