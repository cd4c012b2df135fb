// Socket monitoring: libzmq reports connection events (zmq_socket_monitor) as messages on an
// inproc PAIR socket; the Observer reads them and turns them into typed events. Nothing is
// monitored until an Observer is created (socket.events creates one on first use).
import { EventEmitter } from "node:events";

import { ZmqError, fromNative, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { addon } from "./native";
import { Socket, nativeSocketOf } from "./socket";
import { Pair } from "./sockets";

/** An error in an event: errno-coded, like every zmq-napi error. */
export type EventError = ZmqError;

/** A ZMTP or ZAP protocol violation during a handshake; `.code` is e.g. "ERR_ZMTP_MECHANISM_MISMATCH". */
export interface ProtoError extends Error {
  /**
   * `"ERR_"` and the name of libzmq's ZMQ_PROTOCOL_ERROR_* constant: `"ERR_ZMTP_MECHANISM_MISMATCH"`
   * (client and server use different mechanisms), `"ERR_ZMTP_CRYPTOGRAPHIC"` (wrong CURVE key),
   * `"ERR_ZAP_MALFORMED_REPLY"`…
   */
  code: string;
}

/** A ZAP authentication failure; `.status` is the ZAP status code (300, 400 or 500). */
export interface AuthError extends Error {
  /** The ZAP status code: 300 temporary failure, 400 refused, 500 internal error of the handler. */
  status: number;
}

/** @inline */
interface EventAddress {
  /** The endpoint the event concerns (`tcp://127.0.0.1:5555`). */
  address: string;
}

/** Every event an Observer reports, with its payload. */
export type Event =
  | ({
      /** A connection from a peer was accepted on a bound endpoint (ZMQ_EVENT_ACCEPTED). */
      type: "accept";
    } & EventAddress)
  | ({
      /** Accepting a connection failed (ZMQ_EVENT_ACCEPT_FAILED). */
      type: "accept:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** The socket is listening on the endpoint (ZMQ_EVENT_LISTENING). */
      type: "bind";
    } & EventAddress)
  | ({
      /** Binding failed (ZMQ_EVENT_BIND_FAILED). */
      type: "bind:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** A connection to the endpoint was made (ZMQ_EVENT_CONNECTED); the handshake follows. */
      type: "connect";
    } & EventAddress)
  | ({
      /** A connect is in progress, asynchronously (ZMQ_EVENT_CONNECT_DELAYED). */
      type: "connect:delay";
    } & EventAddress)
  | ({
      /** A reconnect is scheduled (ZMQ_EVENT_CONNECT_RETRIED). */
      type: "connect:retry";
      /** The reconnect interval, ms. */
      interval: number;
    } & EventAddress)
  | ({
      /** A connection or listener was closed (ZMQ_EVENT_CLOSED). */
      type: "close";
    } & EventAddress)
  | ({
      /** Closing failed (ZMQ_EVENT_CLOSE_FAILED). */
      type: "close:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** A peer disconnected, or the connection broke (ZMQ_EVENT_DISCONNECTED). */
      type: "disconnect";
    } & EventAddress)
  | {
      /** Monitoring stopped because the socket closed (ZMQ_EVENT_MONITOR_STOPPED): the last event. */
      type: "end";
    }
  | ({
      /** The security handshake with a peer succeeded (ZMQ_EVENT_HANDSHAKE_SUCCEEDED). */
      type: "handshake";
    } & EventAddress)
  | ({
      /** The handshake failed on a ZMTP or ZAP protocol error (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL). */
      type: "handshake:error:protocol";
      /** Which violation: `.code` names it. */
      error: ProtoError;
    } & EventAddress)
  | ({
      /** The ZAP handler refused the peer (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH). */
      type: "handshake:error:auth";
      /** `.status` is the ZAP status code. */
      error: AuthError;
    } & EventAddress)
  | ({
      /** The handshake failed otherwise (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL), e.g. EPIPE. */
      type: "handshake:error:other";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** An event this version does not know. */
      type: "unknown";
      /** libzmq's event number (ZMQ_EVENT_*). */
      event: number;
      /** The event's value, as libzmq sent it. */
      value: number;
    } & EventAddress);

/** The `type` of every {@link Event}: `"accept"`, `"connect"`, `"handshake:error:auth"`… */
export type EventType = Event["type"];
/** The {@link Event} whose `type` is `T`, e.g. `EventOfType<"connect:retry">` has `interval`. */
export type EventOfType<T extends EventType> = Extract<
  Event,
  {
    /** The type to select. */
    type: T;
  }
>;

const errnoNames = new Map(Object.entries(addon.errno).map(([name, number]) => [number, name]));
const protocolNames = new Map<number, string>(
  Object.entries(ZMQ)
    .filter(([name]) => name.startsWith("PROTOCOL_ERROR_"))
    .map(([name, value]) => [value, `ERR_${name.slice("PROTOCOL_ERROR_".length)}`]),
);

function errnoError(errno: number, address: string): ZmqError {
  const code = errnoNames.get(errno) ?? "EUNKNOWN";
  const error = new ZmqError(code, `${code} (${errno}) on ${address}`, address);
  error.errno = errno;
  return error;
}

/** Decodes one monitor message: [uint16 event + uint32 value, endpoint]. */
export function decodeEvent(frames: Buffer[]): Event {
  const header = frames[0]!;
  const id = header.readUInt16LE(0);
  const value = header.readUInt32LE(2);
  const address = frames[1]?.toString() ?? "";
  switch (id) {
    case ZMQ.EVENT_CONNECTED:
      return { type: "connect", address };
    case ZMQ.EVENT_CONNECT_DELAYED:
      return { type: "connect:delay", address };
    case ZMQ.EVENT_CONNECT_RETRIED:
      return { type: "connect:retry", interval: value, address };
    case ZMQ.EVENT_LISTENING:
      return { type: "bind", address };
    case ZMQ.EVENT_BIND_FAILED:
      return { type: "bind:error", error: errnoError(value, address), address };
    case ZMQ.EVENT_ACCEPTED:
      return { type: "accept", address };
    case ZMQ.EVENT_ACCEPT_FAILED:
      return { type: "accept:error", error: errnoError(value, address), address };
    case ZMQ.EVENT_CLOSED:
      return { type: "close", address };
    case ZMQ.EVENT_CLOSE_FAILED:
      return { type: "close:error", error: errnoError(value, address), address };
    case ZMQ.EVENT_DISCONNECTED:
      return { type: "disconnect", address };
    case ZMQ.EVENT_MONITOR_STOPPED:
      return { type: "end" };
    case ZMQ.EVENT_HANDSHAKE_SUCCEEDED:
      return { type: "handshake", address };
    case ZMQ.EVENT_HANDSHAKE_FAILED_NO_DETAIL:
      return { type: "handshake:error:other", error: errnoError(value, address), address };
    case ZMQ.EVENT_HANDSHAKE_FAILED_PROTOCOL: {
      const code = protocolNames.get(value) ?? "ERR_ZMTP_UNSPECIFIED";
      const error = Object.assign(new Error(`Protocol error ${code} on ${address}`), { code });
      return { type: "handshake:error:protocol", error, address };
    }
    case ZMQ.EVENT_HANDSHAKE_FAILED_AUTH: {
      const error = Object.assign(
        new Error(`Authentication failed (ZAP status ${value}) on ${address}`),
        {
          status: value,
        },
      );
      return { type: "handshake:error:auth", error, address };
    }
    default:
      return { type: "unknown", event: id, value, address };
  }
}

let monitorCounter = 0;
/** Events kept for a reader that is not reading; older ones are dropped beyond this. */
const MAX_BUFFERED_EVENTS = 10_000;

/**
 * Reports a socket's connection events: as an async iterator (`for await (const event of
 * observer)`), by `receive()`, or EventEmitter-style with `on(type, listener)`. It ends (an
 * "end" event) when the socket closes.
 *
 * Events are recorded from the Observer's creation (`socket.events` creates it on first use),
 * but nothing is read, and nothing holds the socket or keeps the process alive, until someone
 * listens: the first `on()`, `receive()` or iteration.
 *
 * Until someone listens, events wait in a pipe without a high water mark (libzmq never blocks
 * on a monitor here: deps/patches/libzmq-monitor-never-blocks.patch); from then on the
 * Observer reads them as they come and keeps the latest 10,000 for receive().
 */
export class Observer {
  readonly #socket: Socket;
  readonly #pair: Pair;
  readonly #buffered: Event[] = [];
  readonly #waiting: { resolve(event: Event): void; reject(error: unknown): void }[] = [];
  #emitter: EventEmitter | undefined;
  #started = false;
  #ended = false;

  constructor(socket: Socket) {
    if (!(socket instanceof Socket)) throw typeError("a Socket", "socket", socket);
    if (socket.closed) throw new ZmqError("EBADF", "Socket is closed; cannot observe it");
    const endpoint = `inproc://zmq-napi-monitor-${process.pid}-${++monitorCounter}`;
    this.#socket = socket;
    // No receive high water mark: no event is dropped before someone reads.
    this.#pair = new Pair({ context: socket.context, linger: 0, receiveHighWaterMark: 0 });
    try {
      // libzmq's monitor socket binds the endpoint; ours connects to it.
      nativeSocketOf(socket).monitor(endpoint, ZMQ.EVENT_ALL);
      this.#pair.connect(endpoint);
    } catch (error) {
      this.#pair.close();
      throw fromNative(error);
    }
  }

  /** Starts reading events, once: the first listener, receive() or iteration calls it. */
  #start(): void {
    if (this.#started || this.#ended) return;
    this.#started = true;
    void this.#pump(this.#pair);
  }

  async #pump(pair: Pair): Promise<void> {
    try {
      for await (const frames of pair) {
        const event = decodeEvent(frames);
        this.#deliver(event);
        if (event.type === "end") break;
      }
    } finally {
      this.#end();
    }
  }

  #deliver(event: Event): void {
    // The observer is closed from its last event on, before anyone sees it.
    if (event.type === "end") this.#end();
    if (this.#emitter !== undefined) {
      this.#emitter.emit(event.type, event);
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve(event);
      return;
    }
    this.#buffered.push(event);
    if (this.#buffered.length > MAX_BUFFERED_EVENTS) this.#buffered.shift();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#pair.close();
    // Waiters are served in order: an "end" being delivered goes to the first one.
    queueMicrotask(() => {
      for (const waiter of this.#waiting.splice(0)) {
        waiter.reject(new ZmqError("EBADF", "Observer is closed"));
      }
    });
  }

  /** Whether the observer has stopped (closed, or its socket closed). */
  get closed(): boolean {
    return this.#ended;
  }

  /** Stops observing (the socket stops publishing events). */
  close(): void {
    if (this.#ended) return;
    // Stop the monitor first: libzmq would otherwise block on events nobody receives.
    if (!this.#socket.closed) {
      try {
        nativeSocketOf(this.#socket).monitor(null);
      } catch {
        // The socket is closing or lent to a proxy; its monitor stops when it closes.
      }
    }
    this.#end();
  }

  /** The next event; rejects with EBADF once the observer has ended and no events remain. */
  receive(): Promise<Event> {
    if (this.#emitter !== undefined) {
      throw new Error("Observer is in event emitter mode: use on()/off(), not receive()");
    }
    this.#start();
    const event = this.#buffered.shift();
    if (event !== undefined) return Promise.resolve(event);
    if (this.#ended) return Promise.reject(new ZmqError("EBADF", "Observer is closed"));
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /**
   * `for await (const event of socket.events)`: every event, in order, until the "end" event
   * (which is yielded too) or until the observer is closed.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Event, undefined> {
    for (;;) {
      let event: Event;
      try {
        event = await this.receive();
      } catch (error) {
        if (this.#ended) return undefined;
        throw error;
      }
      yield event;
      if (event.type === "end") return undefined;
    }
  }

  /** Calls `listener` for every event of `type` (switches the observer to emitter mode). */
  on<T extends EventType>(type: T, listener: (event: EventOfType<T>) => void): this {
    this.#emitterStarted().on(type, listener as (event: Event) => void);
    this.#start();
    return this;
  }

  /** Removes a listener added with on(). */
  off<T extends EventType>(type: T, listener: (event: EventOfType<T>) => void): this {
    this.#emitter?.off(type, listener as (event: Event) => void);
    return this;
  }

  #emitterStarted(): EventEmitter {
    if (this.#emitter !== undefined) return this.#emitter;
    const emitter = (this.#emitter = new EventEmitter());
    // Events that arrived before the first listener are delivered to it, in order.
    const earlier = this.#buffered.splice(0);
    queueMicrotask(() => {
      for (const event of earlier) emitter.emit(event.type, event);
    });
    return emitter;
  }
}

const observers = new WeakMap<Socket, Observer>();

// socket.events: the socket's Observer, created on first use (zeromq v6 API).
Object.defineProperty(Socket.prototype, "events", {
  configurable: true,
  enumerable: false,
  get(this: Socket): Observer {
    let observer = observers.get(this);
    // A socket that is still open gets a new Observer after close() of its last one.
    if (observer === undefined || (observer.closed && !this.closed)) {
      observer = new Observer(this);
      observers.set(this, observer);
    }
    return observer;
  },
});
