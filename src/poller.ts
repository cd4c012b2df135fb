// Waiting on many sockets at once (zmq_poll, pyzmq's zmq.Poller), built on each socket's own
// readiness machinery: a poll that finds nothing ready arms a one-shot watcher on every socket
// (poll-watchers.ts), which the socket adds to what it asks of its ZMQ_FD bridge. An idle wait
// is then nothing but descriptors in libuv's poll set: no thread, no timer, no CPU. Readiness is
// always judged by looking at the sockets (ZMQ_EVENTS and their inboxes), never by the wake-up
// alone, so an edge that a pending receive() consumed cannot make a socket look ready.
import { ZmqError, expectInteger, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { abortReason } from "./pending";
import { Socket, pollWatchers } from "./socket";
import { settleSoon } from "./util/fairness";
import type { PollWatcher } from "./poll-watchers";

const POLLIN = ZMQ.POLLIN;
const POLLOUT = ZMQ.POLLOUT;

/** What a poller waits for on a socket: a message to receive, room to send, or either. */
export type PollInterest = "readable" | "writable" | "both";

const maskOf: Readonly<Record<PollInterest, number>> = {
  readable: POLLIN,
  writable: POLLOUT,
  both: POLLIN | POLLOUT,
};

/** A socket that {@link Poller.poll} found ready, and how (only what it was added for). */
export interface ReadySocket<S extends Socket = Socket> {
  /** The socket. */
  readonly socket: S;
  /** A message is waiting: `tryReceive()` returns it, `receive()` resolves at once. */
  readonly readable: boolean;
  /** `trySend()` would take a message now (no send is queued, libzmq has room). */
  readonly writable: boolean;
}

/** Options of {@link Poller.poll}. */
export interface PollOptions {
  /**
   * How long to wait for a socket to become ready, ms: 0 looks once without waiting; -1 (the
   * default) waits without a limit. When it passes, poll() resolves with an empty array.
   */
  timeout?: number;
  /** Aborting it rejects the poll with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
}

/** What one waiting poll() needs of its poller. */
interface PollerState<S extends Socket> {
  readonly entries: Map<S, number>;
  readonly waits: Set<PollWait<S>>;
  scan(): ReadySocket<S>[];
}

/** One poll() that waits: its watchers, its timer and its signal. */
class PollWait<S extends Socket> {
  readonly #armed = new Map<S, PollWatcher>();
  #checkScheduled = false;
  #done = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    private readonly state: PollerState<S>,
    private readonly resolve: (ready: ReadySocket<S>[]) => void,
    private readonly reject: (error: unknown) => void,
    timeout: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    state.waits.add(this);
    for (const [socket, mask] of state.entries) this.arm(socket, mask);
    if (timeout >= 0) this.#timer = setTimeout(() => this.#finish(), timeout);
    if (signal !== undefined) {
      this.#onAbort = () => this.#finish(abortReason(signal));
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Waits for `mask` on `socket` (again, after its watcher was used up). */
  arm(socket: S, mask: number): void {
    if (this.#done || this.#armed.has(socket)) return;
    const watcher: PollWatcher = {
      mask,
      // The socket has dropped the watcher already (one-shot).
      wake: () => {
        if (this.#armed.get(socket) === watcher) this.#armed.delete(socket);
        this.#scheduleCheck();
      },
    };
    this.#armed.set(socket, watcher);
    // Returns at once; what is ready already comes back through wake() in a microtask.
    socket[pollWatchers].add(watcher);
  }

  /** Stops waiting on `socket` (removed from the poller, or its interest changed). */
  disarm(socket: S): void {
    const watcher = this.#armed.get(socket);
    if (watcher === undefined) return;
    this.#armed.delete(socket);
    socket[pollWatchers].delete(watcher);
  }

  /** The poller's sockets changed while waiting: look again (it may be empty now). */
  changed(): void {
    this.#scheduleCheck();
  }

  /** Looks at the sockets once the wake-ups of this turn are in, in a single scan. */
  #scheduleCheck(): void {
    if (this.#checkScheduled || this.#done) return;
    this.#checkScheduled = true;
    queueMicrotask(() => {
      this.#checkScheduled = false;
      if (this.#done) return;
      const ready = this.state.scan();
      if (ready.length > 0 || this.state.entries.size === 0) {
        this.#finish(undefined, ready);
        return;
      }
      // Woken for nothing (a receive() took the message): re-arm the used-up watchers.
      for (const [socket, mask] of this.state.entries) this.arm(socket, mask);
    });
  }

  /** Settles the poll: rejected with `error`, or resolved with `ready` (a last scan if none). */
  #finish(error?: unknown, ready?: ReadySocket<S>[]): void {
    if (this.#done) return;
    this.#done = true;
    this.state.waits.delete(this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.signal!.removeEventListener("abort", this.#onAbort);
    for (const socket of [...this.#armed.keys()]) this.disarm(socket);
    if (error !== undefined) this.reject(error);
    else this.resolve(ready ?? this.state.scan());
  }
}

/**
 * Waits on many sockets at once, for a message to receive (`"readable"`), for room to send
 * (`"writable"`) or for either (`"both"`): ZeroMQ's `zmq_poll`, pyzmq's `zmq.Poller`.
 *
 * ```ts
 * const poller = new Poller();
 * poller.add(frontend, "readable").add(backend, "readable");
 * for (const { socket } of await poller.poll({ timeout: 1000 })) {
 *   const message = socket.tryReceive();
 * }
 * ```
 *
 * `poll()` resolves with every socket that is ready, in the order they were added (all of them,
 * so none starves), or with an empty array when the timeout passes. A socket is reported
 * readable only when a message is left for the program: a `receive()` or `for await` waiting on
 * the same socket is served first and takes it, so poll a socket *or* wait on it, not both.
 * Writable means `trySend()` would take a message now.
 *
 * A wait costs no CPU: it uses each socket's descriptor in the event loop, as a pending
 * `receive()` does, and keeps the process alive as that does. Every socket type can be polled,
 * the thread-safe draft ones (`Server`, `Client`, `Dish`…) included. A socket that is closed
 * leaves the poller; a poll left with no socket resolves with an empty array.
 *
 * @typeParam S the sockets it holds (e.g. `Poller<Router>`), as the results give them back
 */
export class Poller<S extends Socket = Socket> {
  readonly #entries = new Map<S, number>();
  readonly #waits = new Set<PollWait<S>>();
  readonly #state: PollerState<S> = {
    entries: this.#entries,
    waits: this.#waits,
    scan: () => this.#scan(),
  };

  /**
   * Adds a socket, or changes what an added socket is polled for (it keeps its place in the
   * results). A poll that is waiting waits on it from now on.
   *
   * @param interest `"readable"`, `"writable"` or `"both"`; the socket's type must be able to
   * do it (a `Push` cannot be readable)
   */
  add(socket: S, interest: PollInterest): this {
    if (!(socket instanceof Socket)) throw typeError("a Socket", "socket", socket);
    if (typeof interest !== "string" || !Object.hasOwn(maskOf, interest)) {
      throw typeError('"readable", "writable" or "both"', "interest", interest);
    }
    const watchers = socket[pollWatchers];
    const name = socket.constructor.name;
    if (interest !== "writable" && !watchers.canReceive) {
      throw new TypeError(`A ${name} socket never receives: it cannot be polled "${interest}"`);
    }
    if (interest !== "readable" && !watchers.canSend) {
      throw new TypeError(`A ${name} socket never sends: it cannot be polled "${interest}"`);
    }
    if (socket.closed) throw new ZmqError("EBADF", "Socket is closed; cannot poll it");
    const mask = maskOf[interest];
    const previous = this.#entries.get(socket);
    if (previous === mask) return this;
    this.#entries.set(socket, mask);
    for (const wait of this.#waits) {
      if (previous !== undefined) wait.disarm(socket);
      wait.arm(socket, mask);
    }
    return this;
  }

  /** Removes a socket; returns whether it was there. A waiting poll stops waiting on it. */
  remove(socket: S): boolean {
    if (!this.#entries.delete(socket)) return false;
    for (const wait of this.#waits) {
      wait.disarm(socket);
      wait.changed();
    }
    return true;
  }

  /** Whether `socket` is in the poller (a closed socket is not). */
  has(socket: S): boolean {
    this.#dropClosed();
    return this.#entries.has(socket);
  }

  /** How many sockets the poller holds (closed ones leave it). */
  get size(): number {
    this.#dropClosed();
    return this.#entries.size;
  }

  /**
   * Resolves with the sockets that are ready (see {@link ReadySocket}), waiting until at least
   * one is, the timeout passes (an empty array) or the signal aborts (rejects with its reason).
   * Resolves with an empty array at once when the poller holds no socket.
   */
  poll(options?: PollOptions): Promise<ReadySocket<S>[]> {
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw typeError("an object", "options", options);
    }
    const timeout = options?.timeout ?? -1;
    expectInteger(timeout, "timeout", -1, 2 ** 31 - 1);
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw typeError("an AbortSignal", "signal", signal);
    }
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const ready = this.#scan();
    if (ready.length > 0 || timeout === 0 || this.#entries.size === 0) return settleSoon(ready);
    return new Promise((resolve, reject) => {
      new PollWait(this.#state, resolve, reject, timeout, signal);
    });
  }

  /**
   * `for await (const ready of poller)`: polls again and again without a timeout, yielding the
   * ready sockets each time. Ends when the poller holds no socket (all removed or closed).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<ReadySocket<S>[], undefined> {
    for (;;) {
      const ready = await this.poll();
      if (ready.length === 0) return undefined;
      yield ready;
    }
  }

  /** The ready sockets, in the order they were added; closed ones leave the poller. */
  #scan(): ReadySocket<S>[] {
    const ready: ReadySocket<S>[] = [];
    for (const [socket, mask] of this.#entries) {
      if (socket.closed) {
        this.#entries.delete(socket);
        continue;
      }
      const readable = (mask & POLLIN) !== 0 && socket.readable;
      const writable = (mask & POLLOUT) !== 0 && socket.writable;
      if (readable || writable) ready.push({ socket, readable, writable });
    }
    return ready;
  }

  #dropClosed(): void {
    for (const socket of this.#entries.keys()) {
      if (socket.closed) this.#entries.delete(socket);
    }
  }
}
