// The Socket base class: endpoints, promise-based send/receive, non-blocking try* variants,
// async iteration, disposal, and the readiness loop that serves waiting operations. What it
// builds on lives beside it: the queues of waiting operations with their timeouts and
// AbortSignals (pending.ts), the inbox of received messages (inbox.ts, filled by
// receive-batch.ts), and option access (socket-options.ts). Concrete socket types live in
// sockets.ts and draft.ts.
//
// The hot paths: send() first offers the message to libzmq without blocking and only queues it
// when libzmq pushes back (HWM); receive() takes from a small inbox that the native layer
// fills with every message ready at once (one crossing per batch). The native poller reports
// readiness only for what is pending, so an idle socket costs nothing and does not keep the
// process alive.
import {
  context as defaultContext,
  nativeContextOf,
  socketDefaultsOf,
  type Context,
} from "./context";
import { rejectingAtCallSite, rejectingInCaller } from "./call-site";
import { ZmqError, closedError, expectString } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { Inbox } from "./inbox";
import { CLOSED_BY_CONTEXT, addon, type NativeSocket } from "./native";
import { normaliseMessage, normaliseMessages } from "./outgoing-message";
import { PendingQueue, abortReason, type Pending, type PendingSend } from "./pending";
import { PollWatchers } from "./poll-watchers";
import type { Message, OperationOptions } from "./message";
import { receiveBatch, shapeFor, type ShapeMessage } from "./receive-batch";
import {
  OptionsById,
  applyConstructorOptions,
  isSealedClass,
  optionHost,
  type OptionHost,
} from "./socket-options";
import { applySocketDefaults } from "./socket-defaults";
import { socketTypeOf } from "./socket-types";
import { settleSoon } from "./util/fairness";
import type { Observer } from "./observer";

export type { Message, MessageLike, OperationOptions } from "./message";

const POLLIN = ZMQ.POLLIN;
const POLLOUT = ZMQ.POLLOUT;
/** Rounds of readiness handling per wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKEUP = 8;

const native = Symbol("zmq-napi.native");
/** See Socket[afterNativeCall]. */
export const afterNativeCall = Symbol("zmq-napi.afterNativeCall");

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

/** @internal Where a socket keeps the readiness pollers wait for (poller.ts). */
export const pollWatchers = Symbol("zmq-napi.pollWatchers");

/** The native socket behind a Socket (for proxy, observer and tests of internals). */
export function nativeSocketOf(socket: Socket): NativeSocket {
  return socket[native];
}

function busyError(): ZmqError {
  return new ZmqError("EBUSY", "Socket is blocked by a bind or unbind operation");
}

/**
 * The base class of every socket type. Use a concrete class (`new Push()`, `new Subscriber()`,
 * …); their constructors take the socket options as an object, plus `context`.
 */
export abstract class Socket extends OptionsById {
  /** The context this socket belongs to. */
  readonly context: Context;
  /** This socket's connection events (an Observer, created on first use; see observer.ts). */
  declare readonly events: Observer;
  /** @internal */
  readonly [native]: NativeSocket;
  /** @internal Endpoints bound or connected, less those unbound or disconnected. */
  [endpointCount] = 0;

  /** @internal What option access needs of this socket (socket-options.ts). */
  readonly [optionHost]: OptionHost;
  /** @internal What pollers wait for on this socket, besides pending operations. */
  readonly [pollWatchers]: PollWatchers;

  #closed = false;
  readonly #inbox = new Inbox<Message[]>((watch) => this.#receiveBatch(watch));
  readonly #receivers = new PendingQueue<Pending<Message[]>>("receive", () => this.#updateWant());
  readonly #senders = new PendingQueue<PendingSend>("send", () => this.#updateWant());
  #want = 0;
  #binding: Promise<void> | null = null;
  #closeWhenIdle = false;
  #checkScheduled = false;
  // The native socket holds this callback weakly (strongly only while something is pending),
  // so the socket object must keep it alive.
  readonly #onReadyCallback = (mask: number): void => this.#onReady(mask);
  // How received messages are shaped (null: as their frames), from the type's table entry.
  readonly #shape: ShapeMessage | null;

  protected constructor(type: number, options?: object) {
    super();
    // new Socket(type, options) is callable directly, as in v6; its concrete classes pass two.
    if (arguments.length > 2) throw new TypeError("Expected 2 arguments");
    const ctx = (options as { context?: Context } | undefined)?.context ?? defaultContext;
    this.context = ctx;
    this[native] = new addon.Socket(nativeContextOf(ctx), type, this.#onReadyCallback);
    const spec = socketTypeOf(type);
    this.#shape = shapeFor(spec?.metadata ?? "none");
    this[pollWatchers] = new PollWatchers(spec?.readable ?? true, spec?.writable ?? true, () =>
      this.#updateWant(),
    );
    this[optionHost] = this.#optionHost();
    try {
      // The context's defaults first: the constructor's options override them.
      applySocketDefaults(this, socketDefaultsOf(ctx), options);
      if (options !== undefined) applyConstructorOptions(this, options);
    } catch (error) {
      this.close();
      throw error;
    }
    if (isSealedClass(this)) Object.seal(this);
  }

  #optionHost(): OptionHost {
    return {
      isClosed: () => this.#closed,
      isConnected: () => this[endpointCount] > 0 || this.#binding !== null,
      native: this[native],
      afterNativeCall: () => this[afterNativeCall](),
      senders: this.#senders,
      receivers: this.#receivers,
    };
  }

  // --- state ------------------------------------------------------------------------------

  /** Whether close() was called (or the context closed the socket). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a message can be received now without waiting. */
  get readable(): boolean {
    if (this.#closed) return false;
    if (this.#inbox.hasMessages) return true;
    const events = this[native].events;
    this[afterNativeCall]();
    return (events & POLLIN) !== 0;
  }

  /** Whether a message can be sent now without waiting. */
  get writable(): boolean {
    if (this.#closed) return false;
    if (this.#senders.pending > 0) return false;
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

  /** bind()/unbind(): one at a time, other operations waiting meanwhile. */
  #changeBinding(method: "bind" | "unbind", address: string): Promise<void> {
    expectString(address, "address");
    if (this.#closed) throw closedError(method);
    const binding: Promise<void> = this.#whenIdle(() => this[native][method](address)).then(
      () => {
        this[endpointCount] += method === "bind" ? 1 : -1;
        this.#endBinding(binding);
      },
      (error: unknown) => {
        this.#endBinding(binding);
        throw error;
      },
    );
    this.#binding = binding;
    // It may settle after a host name is resolved on the thread pool: give its error the stack
    // of this call.
    return rejectingAtCallSite(binding, this.#changeBinding);
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
    if (this.#senders.pending === 0 && this.#binding === null) {
      let sent: boolean;
      try {
        sent = this.#offer(normalised, routingId, group);
      } catch (error) {
        if (error instanceof TypeError) throw error;
        return Promise.reject(error);
      }
      if (sent) {
        if (this.#want !== 0) this.#scheduleCheck();
        return settleSoon(undefined);
      }
    }
    // It settles later: a rejection gets the stack of the async functions awaiting it.
    const waiting = new Promise<void>((resolve, reject) => {
      const pending: PendingSend = {
        resolve,
        reject,
        settled: false,
        message: normalised,
        routingId,
        group,
      };
      this.#senders.add(pending, options?.signal);
      this.#updateWant();
    });
    return rejectingInCaller(waiting);
  }

  /**
   * Sends without waiting: true when libzmq took the message, false when it would have to wait
   * (high water mark reached, no peer). Messages queued by send() go first: while any wait,
   * trySend returns false.
   */
  protected trySendMessage(message: unknown, routingId?: number, group?: Buffer | string): boolean {
    if (this.#closed) throw closedError("send");
    if (this.#binding !== null) throw busyError();
    // Checked first: a bad message is a TypeError whether or not sends are waiting.
    const normalised = normaliseMessage(message);
    if (this.#senders.size > 0) return false;
    const sent = this.#offer(normalised, routingId, group);
    if (this.#want !== 0) this.#scheduleCheck();
    return sent;
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
        start += this[native].trySendMany(list, start);
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
    if (this.#inbox.hasMessages && this.#receivers.size === 0) {
      return settleSoon(this.#inbox.take());
    }
    if (this.#closed) throw closedError("receive");
    let watching = false;
    if (this.#receivers.size === 0 && this.#binding === null) {
      // libzmq's own errors (EFSM on a REQ that has not sent) reject; they never throw.
      try {
        if (this.#inbox.fill(true)) {
          // The receive may have consumed an edge a pending send or a poller waits for.
          if (this.#want !== 0) this.#scheduleCheck();
          return settleSoon(this.#inbox.take());
        }
      } catch (error) {
        return Promise.reject(error);
      }
      // Nothing was ready, and the native side now waits for ZMQ_POLLIN (same call).
      watching = true;
    }
    const waiting = new Promise<Message[]>((resolve, reject) => {
      const pending: Pending<Message[]> = { resolve, reject, settled: false };
      this.#receivers.add(pending, options?.signal);
      if (watching) this.#want |= POLLIN;
      else this.#updateWant();
    });
    // It settles later: a rejection gets the stack of the async functions awaiting it.
    return rejectingInCaller(waiting);
  }

  /** Receives without waiting: the next message, or null when none is ready. */
  protected tryReceiveMessage(): Message[] | null {
    if (this.#inbox.hasMessages && this.#receivers.size === 0) return this.#inbox.take();
    if (this.#closed) throw closedError("receive");
    if (this.#binding !== null) throw busyError();
    if (this.#receivers.size > 0) return null;
    const found = this.#inbox.fill();
    if (this.#want !== 0) this.#scheduleCheck();
    return found ? this.#inbox.take() : null;
  }

  /** One native receive batch (see Inbox); with `watch`, an empty result starts the wait. */
  #receiveBatch(watch: boolean): Message[][] | null {
    return receiveBatch(this[native], watch, this.#shape);
  }

  /** @internal A message received already and not asked for, if no receive waits; else null. */
  protected takeWaitingMessage(): Message[] | null {
    return this.#inbox.hasMessages && this.#receivers.size === 0 ? this.#inbox.take() : null;
  }

  // --- readiness --------------------------------------------------------------------------

  #onReady(mask: number): void {
    if ((mask & CLOSED_BY_CONTEXT) !== 0) {
      this.#afterClose();
      return;
    }
    // Pollers only look: their watchers are dropped here, and they take the messages later.
    this[pollWatchers].readinessArrived(mask);
    for (let round = 0; round < ROUNDS_PER_WAKEUP && mask !== 0; round++) {
      if ((mask & POLLIN) !== 0) this.#inbox.serve(this.#receivers);
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

  /**
   * One native send attempt. Without a routing id or group the addon is given the message
   * alone: checking two undefined arguments costs it two napi_typeof calls per message.
   */
  #offer(message: unknown, routingId?: number, group?: Buffer | string): boolean {
    return routingId === undefined && group === undefined
      ? this[native].trySend(message)
      : this[native].trySend(message, routingId, group);
  }

  /** Sends what is queued until libzmq pushes back; returns whether anything was settled. */
  #flushSenders(): boolean {
    return this.#senders.flush((sender) =>
      this.#offer(sender.message, sender.routingId, sender.group),
    );
  }

  /**
   * Tells the poller what is pending and returns what of it is ready already. ZMQ_FD will not
   * announce that part, so unless the caller handles it (`handled`), a check is scheduled.
   */
  #updateWant(handled = false): number {
    if (this.#closed) return 0;
    const want =
      (this.#receivers.pending > 0 ? POLLIN : 0) |
      (this.#senders.pending > 0 ? POLLOUT : 0) |
      this[pollWatchers].mask;
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
      // Messages a direct receive took from libzmq and left in the inbox: ZMQ_EVENTS no
      // longer shows them, but a poller waiting for POLLIN must hear of them.
      if (this.#inbox.hasMessages) this[pollWatchers].readinessArrived(POLLIN);
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
    this.#inbox.clear();
    this.#receivers.rejectAll(
      () => new ZmqError("EAGAIN", "Socket was closed while a receive was pending"),
    );
    this.#senders.rejectAll(
      () => new ZmqError("EAGAIN", "Socket was closed while a send was pending"),
    );
    this[pollWatchers].socketClosed();
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
}
