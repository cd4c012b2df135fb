// The bytes of planned messages, derived from the message and frame index alone, and the check
// that a received frame is exactly those bytes. Every frame starts with a header naming its
// message, frame and size, so a reordered, truncated or foreign frame says what it was.

/** The largest frame a plan may ask for. */
export const MAX_FRAME_BYTES = 1 << 20;

const HEADER_BYTES = 12;
// Frame bodies are windows into this pool at offsets that depend on (message, frame), so
// neighbouring frames differ everywhere and a swapped one is seen in its first bytes.
const OFFSETS = 1 << 16;
const pool = seededBytes(MAX_FRAME_BYTES + OFFSETS, 0x5eed1234);

function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    // xorshift32: cheap and the same on every run.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes.writeUInt32LE(state >>> 0, i);
  }
  return bytes;
}

function bodyOffset(salt: number, message: number, frame: number): number {
  const mixed = Math.imul(message + 1, 0x9e3779b1) ^ Math.imul(frame + salt, 0x85ebca6b);
  return (mixed >>> 0) % OFFSETS;
}

function header(message: number, frame: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(HEADER_BYTES);
  bytes.writeUInt32LE(message, 0);
  bytes.writeUInt32LE(frame, 4);
  bytes.writeUInt32LE(size, 8);
  return bytes;
}

/** The content of one plan's messages (`salt` varies the bodies from plan to plan). */
export class MessageContent {
  constructor(readonly salt: number) {}

  /** A fresh Buffer with the bytes of frame `frame` of message `message`. */
  frame(message: number, frame: number, size: number): Buffer {
    if (size < HEADER_BYTES) return header(message, frame, size).subarray(0, size);
    const bytes = Buffer.allocUnsafe(size);
    bytes.writeUInt32LE(message, 0);
    bytes.writeUInt32LE(frame, 4);
    bytes.writeUInt32LE(size, 8);
    if (size > HEADER_BYTES) {
      const offset = bodyOffset(this.salt, message, frame);
      pool.copy(bytes, HEADER_BYTES, offset, offset + size - HEADER_BYTES);
    }
    return bytes;
  }

  /** Why `got` is not frame `frame` of message `message`, or null when it is, byte for byte. */
  mismatch(got: unknown, message: number, frame: number, size: number): string | null {
    if (!Buffer.isBuffer(got)) return `expected a Buffer of ${size} B, got ${describe(got)}`;
    if (got.length !== size) return `expected ${size} B, got ${got.length} B${origin(got)}`;
    if (!headerMatches(got, message, frame, size)) return `wrong header bytes${origin(got)}`;
    if (size > HEADER_BYTES) {
      const offset = bodyOffset(this.salt, message, frame);
      const end = offset + size - HEADER_BYTES;
      if (got.compare(pool, offset, end, HEADER_BYTES, size) !== 0) {
        return `body differs from byte ${firstDifference(got, offset)} on`;
      }
    }
    return null;
  }
}

function headerMatches(got: Buffer, message: number, frame: number, size: number): boolean {
  if (size >= HEADER_BYTES) {
    // The common case without allocating: a frame costs microseconds in all.
    return (
      got.readUInt32LE(0) === message &&
      got.readUInt32LE(4) === frame &&
      got.readUInt32LE(8) === size
    );
  }
  return got.equals(header(message, frame, size).subarray(0, size));
}

/** What a wrong frame's header claims it is. */
function origin(got: Buffer): string {
  if (got.length < HEADER_BYTES) return ` (first bytes ${got.subarray(0, 8).toString("hex")})`;
  const [message, frame, size] = [0, 4, 8].map((at) => got.readUInt32LE(at));
  return ` (its header says: message ${message}, frame ${frame}, ${size} B)`;
}

function firstDifference(got: Buffer, offset: number): number {
  for (let i = HEADER_BYTES; i < got.length; i++) {
    if (got[i] !== pool[offset + i - HEADER_BYTES]) return i;
  }
  return -1;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  if (typeof value === "function") return `function ${value.name}`;
  if (typeof value === "string") return `string ${value.slice(0, 40)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${value}`;
  }
  return typeof value;
}
