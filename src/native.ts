// The only module that knows the addon's shape: it loads the binary and declares what it
// exports. Everything else imports the typed API built on top of it.
import * as fs from "node:fs";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";

/** Flags for `zmq_has()` capabilities, as the addon reports them. */
export interface NativeCapability {
  /** The ipc:// transport (Unix domain sockets). */
  ipc: boolean;
  /** The pgm:// and epgm:// multicast transports (OpenPGM). */
  pgm: boolean;
  /** The tipc:// transport (Linux TIPC). */
  tipc: boolean;
  /** The norm:// transport (NACK-Oriented Reliable Multicast); not in this build. */
  norm: boolean;
  /** The CURVE security mechanism (libsodium). */
  curve: boolean;
  /** The GSSAPI security mechanism (Kerberos); not in this build. */
  gssapi: boolean;
  /** The draft API: the sockets of `zmq-napi/draft` and the draft options. */
  draft: boolean;
  /** The ws:// transport (WebSocket; libzmq's "WS" capability). */
  websockets: boolean;
}

/** A libzmq context (binding/context.cc). */
export interface NativeContext {
  readonly closed: boolean;
  getOption(id: number): number;
  setOption(id: number, value: number): void;
  close(): void;
}

/** The layout of a receive batch's description array (binding/receive_layout.h). */
export interface NativeReceiveLayout {
  readonly countSlot: number;
  readonly firstMessageSlot: number;
  readonly partsField: number;
  readonly routingIdField: number;
  readonly groupOffsetField: number;
  readonly groupLengthField: number;
  readonly headerSlots: number;
  readonly frameOffsetField: number;
  readonly frameLengthField: number;
  readonly frameSlots: number;
  readonly inExtra: number;
  readonly wholeInExtra: number;
  readonly noGroup: number;
  readonly maxMessages: number;
  readonly metaLength: number;
}

/** A libzmq socket and its non-blocking primitives (binding/socket.cc). */
export interface NativeSocket {
  readonly closed: boolean;
  /** ZMQ_EVENTS: ZMQ_POLLIN | ZMQ_POLLOUT as ready now. */
  readonly events: number;
  bind(address: string): Promise<void>;
  unbind(address: string): Promise<void>;
  bindSync(address: string): void;
  unbindSync(address: string): void;
  connect(address: string): void;
  disconnect(address: string): void;
  close(): void;
  /** Sends without blocking: true when libzmq took the message, false on back-pressure. */
  trySend(message: unknown, routingId?: number, group?: Buffer | string): boolean;
  /** Sends messages[start…] until back-pressure; returns how many were sent. */
  trySendMany(messages: unknown[], start?: number): number;
  /**
   * The one receive path (binding/receive_batch.cc): up to `max` whole messages that are ready
   * now (bounded in bytes too), described in `meta` (see NativeReceiveLayout); null when
   * nothing was ready, else the slab holding the small frames, or the slab and the Buffers
   * that are not in it. With `watchIfEmpty`, an empty result also makes the poller wait for
   * ZMQ_POLLIN.
   */
  receiveBatch(
    meta: Int32Array,
    max: number,
    watchIfEmpty?: boolean,
  ): ArrayBuffer | [ArrayBuffer, Array<Buffer | Buffer[]>] | null;
  /**
   * One message with its connection's metadata (binding/socket_metadata.cc): null when none
   * is ready, else its frames, zmq_msg_gets of each name (null: not there), and the routing
   * id (SERVER, PEER; else 0) and group (DISH; else null) of the message.
   */
  receiveWithMetadata(
    names: readonly string[],
  ): [Buffer[], Array<string | null>, number, Buffer | null] | null;
  join(group: Buffer | string): void;
  leave(group: Buffer | string): void;
  /**
   * Sets which readiness (ZMQ_POLLIN | ZMQ_POLLOUT) the onReady callback wants, and returns
   * what of it is ready already: ZMQ_FD is edge-triggered, so that part is the caller's.
   */
  watch(mask: number): number;
  getOption(id: number, kind: number): unknown;
  setOption(id: number, kind: number, value: unknown): void;
  /** zmq_socket_monitor: publish `events` on an inproc endpoint (null stops monitoring). */
  monitor(endpoint: string | null, events?: number): void;
  /** zmq_socket_monitor_versioned, version 2: `events` (ZMQ_EVENT_* mask) with both endpoints. */
  monitorVersioned(endpoint: string, events: number): void;
}

declare const zeroCopyFrameBrand: unique symbol;
/** A ZeroCopyFrame's native block (binding/zero_copy_frame.cc): an opaque, tagged handle. */
export interface NativeZeroCopyFrame {
  readonly [zeroCopyFrameBrand]: true;
}

export interface NativeAddon {
  readonly version: string;
  readonly capability: Readonly<NativeCapability>;
  readonly errno: Readonly<Record<string, number>>;
  readonly receiveLayout: NativeReceiveLayout;
  useAsyncTeardown(): void;
  useThreadPoller(): void;
  /** The class native errors are made with: new errorClass(code, message, address?). */
  setErrorClass(errorClass: new (code: string, message: string, address?: string) => Error): void;
  /** Closes every socket and terminates every context, honouring linger (process exit). */
  closeAllAtExit(): void;
  /** How long exit waits for lingering messages, ms (-1: until delivered). */
  setExitTimeout(milliseconds: number): void;
  /** The main thread's "exit" event, with the process's exit code. */
  noteProcessExit(code: number): void;
  readonly Context: new (shared?: boolean) => NativeContext;
  curveKeyPair(): { publicKey: string; secretKey: string };
  curvePublic(secretKey: string): string;
  z85Encode(data: Buffer): string;
  z85Decode(text: string): Buffer;
  /** A block of `byteLength` bytes (zeroed with `zeroFill`) and the Buffer to write it through. */
  createZeroCopyFrame(byteLength: number, zeroFill: boolean): [NativeZeroCopyFrame, Buffer];
  /** The frame's Buffer (a new one after a send that did not happen); throws once sent. */
  zeroCopyFrameBuffer(frame: NativeZeroCopyFrame): Buffer;
  zeroCopyFrameSent(frame: NativeZeroCopyFrame): boolean;
  /** Resolves when the bytes are freed; one call per frame. */
  zeroCopyFrameReleased(frame: NativeZeroCopyFrame): Promise<void>;
  readonly Socket: new (
    context: NativeContext,
    type: number,
    onReady: (readyMask: number) => void,
  ) => NativeSocket;
}

/** Passed to onReady when the socket's context closed it. Matches Socket::kClosedByContext. */
export const CLOSED_BY_CONTEXT = 0x100;

const packageRoot = path.join(__dirname, "..");

const PT_INTERP = 3;

/**
 * The C library this process runs on, read from its executable's ELF interpreter
 * (/lib/ld-musl-x86_64.so.1 on musl, /lib64/ld-linux-x86-64.so.2 on glibc): undefined where
 * that cannot be read (not a 64-bit little-endian ELF, or no interpreter). node-gyp-build asks
 * only whether /etc/alpine-release exists, which misses musl elsewhere (Void, a musl runtime
 * on a glibc distribution) and glibc runtimes on Alpine.
 */
function runtimeLibc(): "musl" | "glibc" | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(process.execPath, "r");
    const read = (length: number, position: number): Buffer => {
      const buffer = Buffer.alloc(length);
      fs.readSync(fd as number, buffer, 0, length, position);
      return buffer;
    };
    const header = read(64, 0);
    const elf64LittleEndian =
      header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1;
    if (!elf64LittleEndian) return undefined;
    const entrySize = header.readUInt16LE(0x36);
    const table = read(entrySize * header.readUInt16LE(0x38), Number(header.readBigUInt64LE(0x20)));
    for (let entry = 0; entry + entrySize <= table.length; entry += entrySize) {
      if (table.readUInt32LE(entry) !== PT_INTERP) continue;
      const interpreter = read(
        Number(table.readBigUInt64LE(entry + 32)),
        Number(table.readBigUInt64LE(entry + 8)),
      );
      return interpreter.includes("/ld-musl-") ? "musl" : "glibc";
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function loadAddon(): NativeAddon {
  // node-gyp-build picks build/Release when there is one (a build from source), else prebuilds/:
  // on linux the .glibc.node or .musl.node file of the libc that LIBC names when it is first
  // required. So LIBC says what this process runs on (see runtimeLibc) unless the user set it.
  const libc = process.platform === "linux" && !process.env.LIBC ? runtimeLibc() : undefined;
  if (libc) process.env.LIBC = libc;
  let nodeGypBuild: (dir: string) => unknown;
  try {
    nodeGypBuild = require("node-gyp-build") as (dir: string) => unknown;
  } finally {
    if (libc) delete process.env.LIBC;
  }
  try {
    return nodeGypBuild(packageRoot) as NativeAddon;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `zmq-napi: could not load its native addon for ${process.platform}-${process.arch} ` +
        `(Node-API 8, ${process.release.name} ${process.version}).\n` +
        `  ${message.split("\n")[0]}\n` +
        "Possible solutions:\n" +
        "  - Reinstall (npm install zmq-napi): releases ship prebuilt binaries for common platforms.\n" +
        "  - Build from source: install cmake, a C++ compiler, python3, tar, xz and patch, then\n" +
        "    run `npm rebuild zmq-napi` (set ZMQ_NAPI_BUILD_FROM_SOURCE=1 to skip prebuilds).",
      { cause },
    );
  }
}

export const addon: NativeAddon = loadAddon();

// Node unloads a worker's addons as soon as its environment is gone, so teardown must wait
// for the poll handles to finish closing: Node's async cleanup hook does that. Deno
// double-frees those hooks' handles, so it (and any runtime but Node) keeps the synchronous one.
const isBun = "bun" in process.versions;
const isNode = process.release?.name === "node" && !("deno" in process.versions) && !isBun;
if (isNode) addon.useAsyncTeardown();

// Bun implements Node-API but not uv_poll, and Deno's emulation of uv_poll loses wake-ups
// (a pending receive can stall with a message ready): both use the Node-API-only bridge (a
// poll(2) thread and a thread-safe function). ZMQ_NAPI_POLLER=thread|uv overrides the choice,
// e.g. to test or measure the bridge under Node.
const defaultPoller = isNode ? "uv" : "thread";
export const pollerKind: "uv" | "thread" =
  process.env.ZMQ_NAPI_POLLER === "thread" || process.env.ZMQ_NAPI_POLLER === "uv"
    ? process.env.ZMQ_NAPI_POLLER
    : defaultPoller;
if (pollerKind === "thread") addon.useThreadPoller();

// process.exit() skips environment teardown; the addon's atexit handler then lets lingering
// messages leave. Bun's process.exit() skips atexit handlers too, so there the same work runs
// from the "exit" event (Bun has no libuv handles to leave open by doing so). So it does on
// Windows: a DLL's atexit handlers run after ExitProcess has ended every other thread, and
// libzmq's context termination would wait forever for its I/O threads.
if (isBun || (process.platform === "win32" && isMainThread)) {
  process.on("exit", () => addon.closeAllAtExit());
}

// An exit whose wait for lingering messages runs out ends the process itself, with this code
// (binding/termination.h). ZMQ_NAPI_EXIT_TIMEOUT sets that wait without a code change.
if (isMainThread) process.on("exit", (code) => addon.noteProcessExit(code));
const exitTimeout = process.env.ZMQ_NAPI_EXIT_TIMEOUT;
if (exitTimeout !== undefined && exitTimeout !== "") {
  const milliseconds = Number(exitTimeout);
  if (Number.isInteger(milliseconds) && milliseconds >= -1 && milliseconds <= 2 ** 31 - 1) {
    addon.setExitTimeout(milliseconds);
  } else {
    process.emitWarning(
      `ZMQ_NAPI_EXIT_TIMEOUT must be an integer number of ms from -1 (no limit) up; ignoring "${exitTimeout}"`,
    );
  }
}
