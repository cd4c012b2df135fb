// ZeroCopyFrame: an outgoing frame whose bytes the library owns from the moment it is
// allocated, so that libzmq can send them in place. The program writes through `buffer`; the
// send cuts JavaScript off the bytes (binding/zero_copy_frame.h says how and why that is safe)
// and `released` tells when libzmq has freed them.
import { constants } from "node:buffer";

import { rangeError, typeError } from "./errors";
import { addon, type NativeZeroCopyFrame } from "./native";

const creating = Symbol("zmq-napi.ZeroCopyFrame.create");
// Set by the class's static block: reads the private handle for zeroCopyHandleOf.
let handleOf: (frame: ZeroCopyFrame) => NativeZeroCopyFrame;

/**
 * An outgoing message frame that is sent without a copy: allocate it with
 * {@link ZeroCopyFrame.alloc} or {@link ZeroCopyFrame.allocUnsafe}, write its bytes through
 * {@link ZeroCopyFrame.buffer}, and send it like any frame (`send`, `trySend`, `sendBatch`,
 * alone or as a part of a multipart message). libzmq then reads the bytes where they are.
 *
 * Sending hands the bytes over for good: the frame's `buffer` (and every view of it) is
 * detached, so nothing JavaScript does afterwards can change what is sent, and the frame
 * cannot be sent again. {@link ZeroCopyFrame.released} resolves when libzmq has freed the
 * bytes. A frame whose buffer was detached or transferred before the send is refused with a
 * TypeError, as is a frame sent twice. A send that does not happen (trySend returns false, or
 * the send throws) leaves the frame sendable, its bytes unchanged; `buffer` is then a new
 * Buffer over them.
 *
 * Worth it for large frames (tens of KiB and up), where the copy it saves costs more than
 * the allocation; see the zero-copy guide.
 */
export class ZeroCopyFrame {
  /** The frame's size in bytes, fixed at allocation. */
  readonly byteLength: number;
  readonly #handle: NativeZeroCopyFrame;
  // The addon's current Buffer for the frame, kept while it is whole (a send detaches it).
  #buffer: Buffer;
  #released: Promise<void> | undefined;

  private constructor(token: symbol, byteLength: number, zeroFill: boolean) {
    if (token !== creating) {
      throw new TypeError("Use ZeroCopyFrame.alloc(size) or ZeroCopyFrame.allocUnsafe(size)");
    }
    [this.#handle, this.#buffer] = addon.createZeroCopyFrame(byteLength, zeroFill);
    this.byteLength = byteLength;
  }

  /**
   * A frame of `size` bytes, all zero.
   * @throws RangeError when `size` is not an integer from 0 to buffer.constants.MAX_LENGTH, or
   *   the memory cannot be allocated; an Error with code `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`
   *   where the runtime cannot detach external ArrayBuffers.
   */
  static alloc(size: number): ZeroCopyFrame {
    return new ZeroCopyFrame(creating, checkSize(size), true);
  }

  /**
   * A frame of `size` bytes whose contents are whatever the memory held: fill all of them
   * before sending (as with Buffer.allocUnsafe, old data of this process could leak).
   * @throws as {@link ZeroCopyFrame.alloc}
   */
  static allocUnsafe(size: number): ZeroCopyFrame {
    return new ZeroCopyFrame(creating, checkSize(size), false);
  }

  /**
   * The Buffer to write the frame's bytes through, until it is sent.
   * @throws TypeError (code `ERR_INVALID_STATE`) once the frame was sent: its bytes are
   *   libzmq's.
   */
  get buffer(): Buffer {
    // A detached Buffer is empty: then the addon says what the frame's buffer is now.
    if (this.#buffer.length !== this.byteLength || this.byteLength === 0) {
      this.#buffer = addon.zeroCopyFrameBuffer(this.#handle);
    }
    return this.#buffer;
  }

  /** Whether libzmq has taken the frame (it cannot be written or sent again). */
  get sent(): boolean {
    return addon.zeroCopyFrameSent(this.#handle);
  }

  /**
   * Resolves when the frame's bytes are freed: after libzmq is done with them (delivered, or
   * dropped by a close with linger 0 or by the context's termination), or when an unsent
   * frame is garbage-collected. Never rejects. While it is awaited for a frame that was sent,
   * the process stays alive (close the socket, with linger 0, to give up on the message).
   */
  get released(): Promise<void> {
    this.#released ??= addon.zeroCopyFrameReleased(this.#handle);
    return this.#released;
  }

  static {
    handleOf = (frame) => frame.#handle;
  }
}

/** The native handle that send() passes to the addon for `frame` (outgoing-message.ts). */
export function zeroCopyHandleOf(frame: ZeroCopyFrame): NativeZeroCopyFrame {
  return handleOf(frame);
}

function checkSize(size: unknown): number {
  if (typeof size !== "number") throw typeError("a number", "size", size);
  if (!Number.isInteger(size) || size < 0 || size > constants.MAX_LENGTH) {
    throw rangeError(`an integer from 0 to ${constants.MAX_LENGTH}`, "size", size);
  }
  return size;
}
