// The Socket base class: endpoints, promise-based send/receive with queues, non-blocking
// try* variants, async iteration, AbortSignal and disposal. Concrete socket types live in
// sockets.ts and draft.ts.
//
// The hot paths: send() first offers the message to libzmq without blocking and only queues it
// when libzmq pushes back (HWM); receive() takes from a small inbox that the native layer
// fills with every message ready at once (one crossing per batch). The native poller reports
// readiness only for what is pending, so an idle socket costs nothing and does not keep the
// process alive.
import { context as defaultContext, nativeContextOf, type Context } from "./context";
import { ZmqError, expectString, fromNative, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { CLOSED_BY_CONTEXT, addon, type NativeSocket } from "./native";
import { defineOptionAccessors } from "./option-accessors";
import {
  OptionKind,
  appliesTo,
  socketOptions,
  type OptionSpec,
  type SocketClassName,
} from "./options";
import { normaliseMessage, normaliseMessages } from "./outgoing-message";
import { RECEIVE_BATCH, receiveBatch, shapeFor, type ShapeMessage } from "./receive-batch";
import { socketTypeOf } from "./socket-types";
import { settleSoon } from "./util/fairness";
import { Queue } from "./util/queue";
import type { Observer } from "./observer";

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

const POLLIN = ZMQ.POLLIN;
const POLLOUT = ZMQ.POLLOUT;
/** Rounds of readiness handling per wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKEUP = 8;

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  settled: boolean;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface PendingSend extends Pending<void> {
  message: unknown;
  routingId?: number;
  group?: Buffer | string;
}

const native = Symbol("zmq-napi.native");
/** See Socket[afterNativeCall]. */
export const afterNativeCall = Symbol("zmq-napi.afterNativeCall");
/** See Socket[warnUnlessImmediate]. */
const warnUnlessImmediate = Symbol("zmq-napi.warnUnlessImmediate");

/**
 * Options that take effect on a socket that is already bound or connected (libzmq applies
 * the others at the next bind/connect); zeromq v6 warns when any other is set later.
 */
const IMMEDIATE_OPTIONS: ReadonlySet<number> = new Set([
  ZMQ.SUBSCRIBE,
  ZMQ.UNSUBSCRIBE,
  ZMQ.LINGER,
  ZMQ.ROUTER_MANDATORY,
  ZMQ.PROBE_ROUTER,
  ZMQ.XPUB_VERBOSE,
  ZMQ.REQ_CORRELATE,
  ZMQ.REQ_RELAXED,
  ZMQ.ROUTER_HANDOVER,
  ZMQ.XPUB_VERBOSER,
  ZMQ.SNDHWM,
  ZMQ.RCVHWM,
  // For the next connect, by definition (Router.connect sets it).
  ZMQ.CONNECT_ROUTING_ID,
  // The queues enforce these two themselves.
  ZMQ.SNDTIMEO,
  ZMQ.RCVTIMEO,
]);
const optionNames = new WeakMap<object, Set<string>>();
// The prototypes of zmq-napi's own socket classes: their instances are sealed, as in zeromq v6,
// so a misspelt option (`sock.lnger = 0`) throws in strict mode. Subclasses stay open for
// their own fields.
const sealedPrototypes = new WeakSet<object>();

/** Seals the instances of socket class `prototype` (see sealedPrototypes). */
export function sealInstancesOf(prototype: object): void {
  sealedPrototypes.add(prototype);
}

/** The option names the class of `socket` accepts: its own class's, or the nearest base's. */
function optionNamesOf(socket: object): Set<string> {
  for (let at = Object.getPrototypeOf(socket); at !== null; at = Object.getPrototypeOf(at)) {
    const names = optionNames.get(at);
    if (names !== undefined) return names;
  }
  return new Set();
}

/**
 * What must happen before a socket closes: a running proxy that uses it is terminated first
 * (the native socket then closes when the proxy thread hands it back).
 */
export const beforeClose = new WeakMap<Socket, () => void>();

/** Whether the socket has bound or connected an endpoint it has not left (for proxy). */
export function hasEndpoints(socket: Socket): boolean {
  return socket[endpointCount] > 0;
}
const endpointCount = Symbol("zmq-napi.endpointCount");

/** The native socket behind a Socket (for proxy, observer and tests of internals). */
export function nativeSocketOf(socket: Socket): NativeSocket {
  return socket[native];
}

function closedError(operation: string): ZmqError {
  return new ZmqError("EBADF", `Socket is closed; cannot ${operation}`);
}

function busyError(): ZmqError {
  return new ZmqError("EBUSY", "Socket is blocked by a bind or unbind operation");
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * The base class of every socket type. Use a concrete class (`new Push()`, `new Subscriber()`,
 * …); their constructors take the socket options as an object, plus `context`.
 */
export abstract class Socket {
  /** The context this socket belongs to. */
  readonly context: Context;
  /** This socket's connection events (an Observer, created on first use; see observer.ts). */
  declare readonly events: Observer;
  /** @internal */
  readonly [native]: NativeSocket;
  /** @internal Endpoints bound or connected, less those unbound or disconnected. */
  [endpointCount] = 0;

  #closed = false;
  #inbox: Message[][] = [];
  #inboxHead = 0;
  #receivers = new Queue<Pending<Message[]>>();
  #senders = new Queue<PendingSend>();
  #want = 0;
  #binding: Promise<void> | null = null;
  #closeWhenIdle = false;
  #checkScheduled = false;
  #sendTimeout = -1;
  #receiveTimeout = -1;
  // The native socket holds this callback weakly (strongly only while something is pending),
  // so the socket object must keep it alive.
  readonly #onReadyCallback = (mask: number): void => this.#onReady(mask);
  // How received messages are shaped (null: as their frames), from the type's table entry.
  readonly #shape: ShapeMessage | null;

  protected constructor(type: number, options?: object) {
    // new Socket(type, options) is callable directly, as in v6; its concrete classes pass two.
    if (arguments.length > 2) throw new TypeError("Expected 2 arguments");
    const ctx = (options as { context?: Context } | undefined)?.context ?? defaultContext;
    this.context = ctx;
    try {
      this[native] = new addon.Socket(nativeContextOf(ctx), type, this.#onReadyCallback);
    } catch (error) {
      throw fromNative(error);
    }
    this.#shape = shapeFor(socketTypeOf(type)?.metadata ?? "none");
    if (options !== undefined) this.#applyOptions(options);
    if (sealedPrototypes.has(Object.getPrototypeOf(this))) Object.seal(this);
  }

  #applyOptions(options: object): void {
    if (typeof options !== "object" || options === null)
      throw typeError("an object", "options", options);
    const allowed = optionNamesOf(this);
    for (const [key, value] of Object.entries(options)) {
      if (key === "context") continue;
      if (!allowed.has(key)) {
        this.close();
        throw new TypeError(`Unknown option "${key}" for ${this.constructor.name}`);
      }
      try {
        (this as unknown as Record<string, unknown>)[key] = value;
      } catch (error) {
        this.close();
        throw error;
      }
    }
  }

  // --- state ------------------------------------------------------------------------------

  /** Whether close() was called (or the context closed the socket). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a message can be received now without waiting. */
  get readable(): boolean {
    if (this.#closed) return false;
    if (this.#inboxHead < this.#inbox.length) return true;
    const events = this[native].events;
    this[afterNativeCall]();
    return (events & POLLIN) !== 0;
  }

  /** Whether a message can be sent now without waiting. */
  get writable(): boolean {
    if (this.#closed) return false;
    if (this.#pendingCount(this.#senders) > 0) return false;
    const events = this[native].events;
    this[afterNativeCall]();
    return (events & POLLOUT) !== 0;
  }

  /**
   * @internal Called after any native call on the socket. Reading ZMQ_EVENTS, connecting,
   * setting an option… all make libzmq process the socket's commands, which can consume the
   * ZMQ_FD edge a pending operation waits for: with something pending, look again.
   */
  [afterNativeCall](): void {
    if (this.#want !== 0) this.#scheduleCheck();
  }

  /** @internal Warns, as zeromq v6 does, when an option is set too late to take effect. */
  [warnUnlessImmediate](id: number): void {
    if (IMMEDIATE_OPTIONS.has(id)) return;
    if (this[endpointCount] > 0 || this.#binding !== null) {
      process.emitWarning("Socket option will not take effect until next connect/bind.");
    }
  }

  // --- endpoints --------------------------------------------------------------------------

  /**
   * Binds to an endpoint (`tcp://127.0.0.1:5555`, `tcp://*:*`, `ipc:///tmp/sock`, `inproc://name`,
   * `epgm://…`). Host names are resolved off the event loop thread. Until it settles, other
   * operations wait (send/receive) or fail with EBUSY (try*, connect).
   */
  bind(address: string): Promise<void> {
    return this.#changeBinding("bind", address);
  }

  /** Unbinds from an endpoint bound before (for `tcp://*:*` use the resolved lastEndpoint). */
  unbind(address: string): Promise<void> {
    return this.#changeBinding("unbind", address);
  }

  /** bind()/unbind(): on a worker thread, one at a time, other operations waiting meanwhile. */
  #changeBinding(method: "bind" | "unbind", address: string): Promise<void> {
    expectString(address, "address");
    if (this.#closed) throw closedError(method);
    const binding: Promise<void> = this.#whenIdle(() => this[native][method](address)).then(
      () => {
        this[endpointCount] += method === "bind" ? 1 : -1;
        this.#endBinding(binding);
      },
      (error) => {
        this.#endBinding(binding);
        throw fromNative(error, address);
      },
    );
    this.#binding = binding;
    return binding;
  }

  #whenIdle(start: () => Promise<void>): Promise<void> {
    // The native call throws synchronously for bad input; bind() still only rejects.
    const guarded = () => {
      if (this.#closeWhenIdle || this.#closed) return Promise.reject(closedError("bind or unbind"));
      try {
        return start();
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return this.#binding === null ? guarded() : this.#binding.then(guarded, guarded);
  }

  #endBinding(binding: Promise<void>): void {
    if (this.#binding === binding) this.#binding = null;
    if (this.#binding === null && this.#closeWhenIdle) this.close();
    else this.#updateWant();
  }

  /** Binds synchronously (a host name is resolved on the calling thread, blocking it). */
  bindSync(address: string): void {
    this.#endpoint("bindSync", address);
  }

  /** Unbinds synchronously. */
  unbindSync(address: string): void {
    this.#endpoint("unbindSync", address);
  }

  /** Connects to an endpoint; libzmq connects (and reconnects) in the background. */
  connect(address: string): void {
    this.#endpoint("connect", address);
  }

  /** Disconnects from an endpoint connected before. */
  disconnect(address: string): void {
    this.#endpoint("disconnect", address);
  }

  #endpoint(method: "bindSync" | "unbindSync" | "connect" | "disconnect", address: string): void {
    expectString(address, "address");
    if (this.#closed) throw closedError(method);
    if (this.#binding !== null) throw busyError();
    try {
      this[native][method](address);
      this[endpointCount] += method === "bindSync" || method === "connect" ? 1 : -1;
    } catch (error) {
      throw fromNative(error, address);
    } finally {
      this[afterNativeCall]();
    }
  }

  // --- sending ----------------------------------------------------------------------------

  /**
   * Sends a message: one frame, or an array of frames sent atomically as one multipart message.
   * Resolves when libzmq has accepted it; waits (never drops) while libzmq pushes back at the
   * high water mark, and rejects with EAGAIN after `sendTimeout` ms if that is set. Calls made
   * while an earlier send waits are queued and complete in order.
   */
  protected sendMessage(
    message: unknown,
    options?: OperationOptions,
    routingId?: number,
    group?: Buffer | string,
  ): Promise<void> {
    // Thrown, not rejected, as in zeromq v6: a fire-and-forget send after close must not
    // become an unhandled rejection.
    if (this.#closed) throw closedError("send");
    if (options?.signal?.aborted) return Promise.reject(abortReason(options.signal));
    const normalised = normaliseMessage(message);
    if (this.#pendingCount(this.#senders) === 0 && this.#binding === null) {
      let sent: boolean;
      try {
        sent = this[native].trySend(normalised, routingId, group);
      } catch (error) {
        if (error instanceof TypeError) throw error;
        return Promise.reject(fromNative(error));
      }
      if (sent) {
        if (this.#want !== 0) this.#scheduleCheck();
        return settleSoon(undefined);
      }
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = {
        resolve,
        reject,
        settled: false,
        message: normalised,
        routingId,
        group,
      };
      this.#track(pending, this.#sendTimeout, options?.signal, "send");
      this.#senders.push(pending);
      this.#updateWant();
    });
  }

  /**
   * Sends without waiting: true when libzmq took the message, false when it would have to wait
   * (high water mark reached, no peer). Messages queued by send() go first: while any wait,
   * trySend returns false.
   */
  protected trySendMessage(message: unknown, routingId?: number, group?: Buffer | string): boolean {
    if (this.#closed) throw closedError("send");
    if (this.#binding !== null) throw busyError();
    if (this.#senders.size > 0) return false;
    try {
      const sent = this[native].trySend(normaliseMessage(message), routingId, group);
      if (this.#want !== 0) this.#scheduleCheck();
      return sent;
    } catch (error) {
      throw fromNative(error);
    }
  }

  /**
   * Sends several messages in order with as few native calls as possible; resolves when
   * libzmq has accepted all of them (waiting at the high water mark like send()).
   */
  protected async sendBatchMessages(messages: readonly unknown[]): Promise<void> {
    const list = normaliseMessages(messages);
    if (this.#closed) throw closedError("send");
    let start = 0;
    while (start < list.length) {
      if (this.#senders.size === 0 && this.#binding === null) {
        try {
          start += this[native].trySendMany(list, start);
        } catch (error) {
          throw fromNative(error);
        }
        if (start >= list.length) break;
      }
      // Back-pressure: queue the next one and continue once libzmq took it.
      await this.sendMessage(list[start++]);
    }
    if (this.#want !== 0) this.#scheduleCheck();
  }

  // --- receiving --------------------------------------------------------------------------

  /**
   * Receives the next message as an array of frames. Waits until one arrives; rejects with
   * EAGAIN after `receiveTimeout` ms if that is set, or when the socket is closed meanwhile.
   * Concurrent calls are served in order.
   */
  protected receiveMessage(options?: OperationOptions): Promise<Message[]> {
    if (options?.signal?.aborted) return Promise.reject(abortReason(options.signal));
    if (this.#inboxHead < this.#inbox.length && this.#receivers.size === 0) {
      return settleSoon(this.#takeInbox());
    }
    if (this.#closed) throw closedError("receive");
    let watching = false;
    if (this.#receivers.size === 0 && this.#binding === null) {
      // libzmq's own errors (EFSM on a REQ that has not sent) reject; they never throw.
      try {
        if (this.#fillInbox(true)) return settleSoon(this.#takeInbox());
      } catch (error) {
        return Promise.reject(error);
      }
      // Nothing was ready, and the native side now waits for ZMQ_POLLIN (same call).
      watching = true;
    }
    return new Promise<Message[]>((resolve, reject) => {
      const pending: Pending<Message[]> = { resolve, reject, settled: false };
      this.#track(pending, this.#receiveTimeout, options?.signal, "receive");
      this.#receivers.push(pending);
      if (watching) this.#want |= POLLIN;
      else this.#updateWant();
    });
  }

  /** Receives without waiting: the next message, or null when none is ready. */
  protected tryReceiveMessage(): Message[] | null {
    if (this.#inboxHead < this.#inbox.length && this.#receivers.size === 0)
      return this.#takeInbox();
    if (this.#closed) throw closedError("receive");
    if (this.#binding !== null) throw busyError();
    if (this.#receivers.size > 0) return null;
    const found = this.#fillInbox();
    if (this.#want !== 0) this.#scheduleCheck();
    return found ? this.#takeInbox() : null;
  }

  /**
   * Receives every message that is ready (at least one, waiting for it if needed), up to
   * `max`: one promise and one native call for many messages.
   */
  protected async receiveBatchMessages(max = RECEIVE_BATCH): Promise<Message[][]> {
    const first = await this.receiveMessage();
    const batch = [first];
    while (batch.length < max) {
      const next = this.tryReceiveMessage();
      if (next === null) break;
      batch.push(next);
    }
    return batch;
  }

  /** Takes every message ready now; with `watch`, an empty result also starts the wait. */
  #fillInbox(watch = false): boolean {
    let batch: Message[][] | null;
    try {
      batch = receiveBatch(this[native], watch, this.#shape);
    } catch (error) {
      throw fromNative(error);
    }
    this.#inbox = batch ?? [];
    this.#inboxHead = 0;
    return batch !== null;
  }

  #takeInbox(): Message[] {
    const message = this.#inbox[this.#inboxHead]!;
    this.#inbox[this.#inboxHead++] = undefined as unknown as Message[];
    return message;
  }

  /** Iterates over received messages until the socket is closed (see Readable). */
  protected iterateMessages(): AsyncIterator<Message[], undefined> {
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    return {
      next: (): Promise<IteratorResult<Message[], undefined>> => {
        if (this.#inboxHead < this.#inbox.length && this.#receivers.size === 0) {
          return settleSoon({ done: false, value: this.#takeInbox() });
        }
        if (this.#closed) return Promise.resolve(done);
        return this.receiveMessage().then(
          (value) => ({ done: false, value }),
          (error: unknown) => {
            if (this.#closed && error instanceof ZmqError && error.code === "EAGAIN") return done;
            if (this.#closed && error instanceof ZmqError && error.code === "EBADF") return done;
            throw error;
          },
        );
      },
      return: (): Promise<IteratorResult<Message[], undefined>> => Promise.resolve(done),
    };
  }

  // --- pending operations -----------------------------------------------------------------

  #track(
    pending: Pending<never> | Pending<void> | Pending<Message[]>,
    timeout: number,
    signal: AbortSignal | undefined,
    what: string,
  ): void {
    const entry = pending as Pending<unknown>;
    if (timeout >= 0) {
      entry.timer = setTimeout(() => {
        this.#settle(
          entry,
          new ZmqError("EAGAIN", `Timed out after ${timeout} ms waiting to ${what}`),
        );
      }, timeout);
    }
    if (signal !== undefined) {
      entry.signal = signal;
      entry.onAbort = () => this.#settle(entry, abortReason(signal));
      signal.addEventListener("abort", entry.onAbort, { once: true });
    }
  }

  /** Settles a pending operation with an error (it stays in its queue, marked, until skipped). */
  #settle(entry: Pending<unknown>, error: unknown): void {
    if (entry.settled) return;
    this.#finish(entry);
    entry.reject(error);
    this.#updateWant();
  }

  #finish(entry: Pending<unknown>): void {
    entry.settled = true;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (entry.onAbort !== undefined) entry.signal!.removeEventListener("abort", entry.onAbort);
  }

  #pendingCount<T extends Pending<unknown>>(queue: Queue<T>): number {
    // Drop entries settled by a timeout or an abort from the front.
    while (queue.size > 0 && queue.peek()!.settled) queue.shift();
    return queue.size;
  }

  // --- readiness --------------------------------------------------------------------------

  #onReady(mask: number): void {
    if ((mask & CLOSED_BY_CONTEXT) !== 0) {
      this.#afterClose();
      return;
    }
    for (let round = 0; round < ROUNDS_PER_WAKEUP && mask !== 0; round++) {
      if ((mask & POLLIN) !== 0) this.#serveReceivers();
      // Some sockets report ZMQ_POLLOUT yet refuse the message (a PUB with noDrop at its high
      // water mark): without progress, wait for the next ZMQ_FD edge instead of spinning.
      const stalled = (mask & POLLOUT) !== 0 && !this.#flushSenders();
      if (this.#closed) return;
      mask = this.#updateWant(true);
      // Reading ZMQ_EVENTS may just have processed the "writable again" command (and reset
      // ZMQ_FD): try once more before waiting for an edge that would then never come.
      if (stalled && (mask & POLLOUT) !== 0 && !this.#flushSenders()) mask &= ~POLLOUT;
    }
    // Still ready after a fair share of work: continue after other event-loop work.
    if (mask !== 0) this.#scheduleCheck(true);
  }

  #serveReceivers(): void {
    while (this.#pendingCount(this.#receivers) > 0) {
      if (this.#inboxHead >= this.#inbox.length) {
        let found: boolean;
        try {
          found = this.#fillInbox();
        } catch (error) {
          const receiver = this.#receivers.shift()!;
          this.#finish(receiver);
          receiver.reject(error);
          continue;
        }
        if (!found) return;
      }
      const receiver = this.#receivers.shift()!;
      this.#finish(receiver);
      receiver.resolve(this.#takeInbox());
    }
  }

  /** Sends what is queued until libzmq pushes back; returns whether anything was settled. */
  #flushSenders(): boolean {
    let progress = false;
    while (this.#pendingCount(this.#senders) > 0) {
      const sender = this.#senders.peek()!;
      let sent: boolean;
      try {
        sent = this[native].trySend(sender.message, sender.routingId, sender.group);
      } catch (error) {
        this.#senders.shift();
        this.#finish(sender);
        sender.reject(fromNative(error));
        progress = true;
        continue;
      }
      if (!sent) return progress;
      this.#senders.shift();
      this.#finish(sender);
      sender.resolve();
      progress = true;
    }
    return progress;
  }

  /**
   * Tells the poller what is pending and returns what of it is ready already. ZMQ_FD will not
   * announce that part, so unless the caller handles it (`handled`), a check is scheduled.
   */
  #updateWant(handled = false): number {
    if (this.#closed) return 0;
    const want =
      (this.#pendingCount(this.#receivers) > 0 ? POLLIN : 0) |
      (this.#pendingCount(this.#senders) > 0 ? POLLOUT : 0);
    if (want === 0 && this.#want === 0) return 0;
    this.#want = want;
    if (this.#binding !== null) return 0;
    const ready = this[native].watch(want);
    if (ready !== 0 && !handled) this.#scheduleCheck();
    return ready;
  }

  /**
   * Re-checks readiness soon. ZMQ_FD is edge-triggered and any operation on the socket can
   * consume the edge that would have announced what a waiting operation needs, so after a
   * direct operation, with something pending, we look again rather than wait for an edge.
   */
  #scheduleCheck(macrotask = false): void {
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    const check = () => {
      this.#checkScheduled = false;
      const ready = this.#updateWant(true);
      if (ready !== 0) this.#onReady(ready);
    };
    if (macrotask) setImmediate(check);
    else queueMicrotask(check);
  }

  // --- closing ----------------------------------------------------------------------------

  /**
   * Closes the socket. Idempotent. Pending sends and receives reject with EAGAIN (an async
   * iteration ends); messages libzmq already accepted are still delivered for up to `linger`
   * ms (default: until delivered).
   */
  close(): void {
    if (this.#closed) return;
    // As in zeromq v6, a bind or unbind in progress completes first (its promise reports how
    // it went); the socket closes as soon as it has.
    if (this.#binding !== null) {
      this.#closeWhenIdle = true;
      return;
    }
    beforeClose.get(this)?.();
    this[native].close();
    this.#afterClose();
  }

  #afterClose(): void {
    this.#closed = true;
    this.#want = 0;
    this.#inbox = [];
    this.#inboxHead = 0;
    for (const receiver of this.#receivers.drain()) {
      if (receiver.settled) continue;
      this.#finish(receiver);
      receiver.reject(new ZmqError("EAGAIN", "Socket was closed while a receive was pending"));
    }
    for (const sender of this.#senders.drain()) {
      if (sender.settled) continue;
      this.#finish(sender);
      sender.reject(new ZmqError("EAGAIN", "Socket was closed while a send was pending"));
    }
  }

  /** `using sock = new Push()` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using sock = new Push()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  // --- options used by the base class -----------------------------------------------------

  /** @internal Keeps the send/receive timeouts the queues enforce in step with libzmq's. */
  protected setTimeouts(send: number | undefined, receive: number | undefined): void {
    if (send !== undefined) this.#sendTimeout = send;
    if (receive !== undefined) this.#receiveTimeout = receive;
  }

  // Options by libzmq id, for subclasses that need an option without a property (zeromq v6's
  // protected accessors, kept so that such subclasses run unchanged).

  /** Reads a boolean option by its libzmq id (ZMQ_*). */
  protected getBoolOption(id: number): boolean {
    return this.getRawOption(id, OptionKind.Int32) !== 0;
  }
  /** Sets a boolean option by its libzmq id. */
  protected setBoolOption(id: number, value: boolean): void {
    this.setRawOption(id, OptionKind.Int32, value ? 1 : 0);
  }
  /** Reads a 32-bit integer option by its libzmq id. */
  protected getInt32Option(id: number): number {
    return this.getRawOption(id, OptionKind.Int32) as number;
  }
  /** Sets a 32-bit integer option by its libzmq id. */
  protected setInt32Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Int32, value);
  }
  /** Reads a 64-bit integer option by its libzmq id. */
  protected getInt64Option(id: number): number {
    return this.getRawOption(id, OptionKind.Int64) as number;
  }
  /** Sets a 64-bit integer option by its libzmq id. */
  protected setInt64Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Int64, value);
  }
  /** Reads an unsigned 64-bit integer option by its libzmq id (warns above 2^53 − 1). */
  protected getUint64Option(id: number): number {
    const value = Number(this.getRawOption(id, OptionKind.Uint64) as bigint);
    if (value > Number.MAX_SAFE_INTEGER) {
      process.emitWarning(
        "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.",
      );
    }
    return value;
  }
  /** Sets an unsigned 64-bit integer option by its libzmq id. */
  protected setUint64Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Uint64, value);
  }
  /** Reads a string option by its libzmq id (null when empty). */
  protected getStringOption(id: number): string | null {
    const value = this.getRawOption(id, OptionKind.String) as string;
    return value === "" ? null : value;
  }
  /** Sets a string option by its libzmq id (a string, Buffer or null). */
  protected setStringOption(id: number, value: string | Buffer | null): void {
    this.setRawOption(id, OptionKind.String, value);
  }

  /** @internal Raw option access for subclasses (subscribe, verbosity, connect ids). */
  protected getRawOption(id: number, kind: number): unknown {
    if (this.#closed) throw closedError("read an option");
    try {
      return this[native].getOption(id, kind);
    } catch (error) {
      throw fromNative(error);
    } finally {
      this[afterNativeCall]();
    }
  }

  /** @internal Raw option access for subclasses (subscribe, verbosity, connect ids). */
  protected setRawOption(id: number, kind: number, value: unknown): void {
    if (this.#closed) throw closedError("set an option");
    this[warnUnlessImmediate](id);
    try {
      this[native].setOption(id, kind, value);
    } catch (error) {
      throw fromNative(error);
    } finally {
      this[afterNativeCall]();
    }
  }
}

/**
 * Installs the option accessors of socket class `name` on its prototype (from the option
 * table) and records which option names its constructor accepts.
 */
export function defineSocketOptions(prototype: object, name: SocketClassName): void {
  const own: Record<string, OptionSpec> = {};
  for (const [key, spec] of Object.entries(socketOptions)) {
    if (appliesTo(spec, name)) own[key] = spec;
  }
  defineOptionAccessors(prototype, own, (self) => {
    const socket = self as Socket;
    return {
      getOption: (spec) => {
        if (socket.closed) throw closedError("read an option");
        try {
          return socket[native].getOption(spec.id, spec.kind);
        } finally {
          socket[afterNativeCall]();
        }
      },
      setOption: (spec, value) => {
        if (socket.closed) throw closedError("set an option");
        socket[warnUnlessImmediate](spec.id);
        try {
          socket[native].setOption(spec.id, spec.kind, value);
        } finally {
          socket[afterNativeCall]();
        }
        if (spec.id === ZMQ.SNDTIMEO || spec.id === ZMQ.RCVTIMEO) {
          const timeouts = socket as unknown as {
            setTimeouts(send?: number, receive?: number): void;
          };
          timeouts.setTimeouts(
            spec.id === ZMQ.SNDTIMEO ? (value as number) : undefined,
            spec.id === ZMQ.RCVTIMEO ? (value as number) : undefined,
          );
        }
      },
    };
  });
  optionNames.set(prototype, new Set(Object.keys(own)));
}
