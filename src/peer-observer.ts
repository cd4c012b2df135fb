// A socket monitor that asks libzmq only for the events someone wants, and reports both ends
// of each connection: libzmq's versioned monitor (zmq_socket_monitor_versioned, version 2,
// binding/monitor.cc) with an event mask that follows the demand. Each change of the mask
// starts a new monitor pipe; libzmq ends the previous one with MONITOR_STOPPED, which the pump
// reads up to before it moves on, so no event is lost or reordered across a change.
import { ZmqError, typeError } from "./errors";
import { EventStream } from "./event-stream";
import { ZMQ } from "./generated/zmq-constants";
import {
  EVENT_BITS,
  decodePeerEvent,
  monitorEndpoint,
  type EventType,
  type PeerEvent,
} from "./observer-events";
import { Socket, nativeSocketOf } from "./socket";
import { withoutSocketDefaults } from "./socket-defaults";
import { Pair } from "./sockets";

/** Options of a {@link PeerObserver}. */
export interface PeerObserverOptions {
  /**
   * The event types to monitor (default: all). libzmq then sends no other event at all.
   * `"end"` is always reported: it says the socket closed.
   */
  events?: readonly Exclude<EventType, "unknown">[];
}

const EVERY_EVENT = Object.values(EVENT_BITS).reduce((mask, bit) => mask | bit, 0);

function filterMask(events: unknown): number {
  if (events === undefined) return EVERY_EVENT;
  if (!Array.isArray(events)) throw typeError("an array of event types", "events", events);
  let mask = 0;
  events.forEach((type: unknown, index) => {
    if (typeof type !== "string" || !Object.hasOwn(EVENT_BITS, type)) {
      const expected = `an event type (${Object.keys(EVENT_BITS).join(", ")})`;
      throw typeError(expected, `events[${index}]`, type);
    }
    mask |= EVENT_BITS[type as keyof typeof EVENT_BITS];
  });
  return mask;
}

/**
 * Reports a socket's connection events with both endpoints of each connection (`local` and
 * `remote`, from libzmq's versioned monitor), so that a ROUTER or SERVER can keep the list of
 * its peers. Read it like an {@link Observer}: `for await`, `receive()` or `on(type, listener)`.
 *
 * ```ts
 * const peers = new Set<string>();
 * new PeerObserver(router, { events: ["accept", "disconnect"] })
 *   .on("accept", (event) => peers.add(event.remote))
 *   .on("disconnect", (event) => peers.delete(event.remote));
 * ```
 *
 * libzmq monitors only what is wanted: with listeners (`on()`), the types listened to (within
 * `events`); while it is read by `receive()` or iterated, every type in `events`; and nothing at
 * all before the first listener or read, after the last listener is removed with `off()`, or
 * when the last `for await` over it ends (unless `receive()` was called, which reads until
 * close()). Events that happen while nothing is monitored are never reported.
 *
 * Which events carry which fields: every event but `"end"` has `local` and `remote` (see
 * {@link PeerEndpoints}); `"connect:retry"` has `interval`; the `":error"` events have `error`
 * (`.code`, and `.status` for `"handshake:error:auth"`). On the accepting side, `accept`,
 * `handshake`, `handshake:error:*` and `disconnect` name the peer in `remote`; on the
 * connecting side, `remote` is the endpoint connected to and `local` the socket's own address.
 *
 * A socket has one monitor in libzmq: an Observer (such as `socket.events`) started on the same
 * socket ends this one (its "end" event), and the other way round.
 */
export class PeerObserver extends EventStream<PeerEvent> {
  readonly #socket: Socket;
  readonly #filter: number;
  /** The monitor pipes, oldest first: the pump reads the first until its MONITOR_STOPPED. */
  readonly #pipes: Pair[] = [];
  /** The ZMQ_EVENT_* mask libzmq monitors now; 0 when it monitors nothing for us. */
  #mask = 0;
  /** MONITOR_STOPPED events that come from our own mask changes, not from the socket's close. */
  #ownStops = 0;
  #pumping = false;

  constructor(socket: Socket, options: PeerObserverOptions = {}) {
    super();
    if (!(socket instanceof Socket)) throw typeError("a Socket", "socket", socket);
    if (typeof options !== "object" || options === null) {
      throw typeError("an object", "options", options);
    }
    this.#filter = filterMask(options.events);
    if (socket.closed) throw new ZmqError("EBADF", "Socket is closed; cannot observe it");
    this.#socket = socket;
  }

  /** The mask the current listeners and readers want; MONITOR_STOPPED rides along with any. */
  #wantedMask(): number {
    let mask = 0;
    if (this.pulling) {
      mask = this.#filter;
    } else {
      for (const type of this.listenedTypes) {
        mask |= EVENT_BITS[type as keyof typeof EVENT_BITS] ?? 0;
      }
      mask &= this.#filter;
    }
    return mask === 0 ? 0 : mask | ZMQ.EVENT_MONITOR_STOPPED;
  }

  protected demandChanged(): void {
    if (super.closed) return;
    const mask = this.#wantedMask();
    if (mask === this.#mask) return;
    if (this.#socket.closed) {
      // A running monitor's pipe still brings the last events and "end"; without one,
      // nothing will: end now.
      if (this.#mask === 0) this.end();
      return;
    }
    if (mask === 0) {
      this.#monitor(null, 0);
      return;
    }
    const endpoint = monitorEndpoint();
    // No receive high water mark: no event is dropped before someone reads. Connected before
    // libzmq binds the endpoint, so that its first event already finds the pipe.
    const pipe = new Pair(
      withoutSocketDefaults({ context: this.#socket.context, linger: 0, receiveHighWaterMark: 0 }),
    );
    pipe.connect(endpoint);
    try {
      this.#monitor(endpoint, mask);
    } catch (error) {
      // An inproc connect nobody ever binds is never freed (libzmq 4.3.4): bind it, then close.
      const settle = new Pair(withoutSocketDefaults({ context: this.#socket.context, linger: 0 }));
      try {
        settle.bindSync(endpoint);
      } catch {
        // The context is terminating: it frees the pipe itself.
      }
      settle.close();
      pipe.close();
      throw error;
    }
    this.#pipes.push(pipe);
    if (!this.#pumping) void this.#pump();
  }

  /** Changes what libzmq monitors: `endpoint` null stops it. */
  #monitor(endpoint: string | null, mask: number): void {
    if (endpoint === null) nativeSocketOf(this.#socket).monitor(null);
    else nativeSocketOf(this.#socket).monitorVersioned(endpoint, mask);
    // libzmq ends the previous monitor with MONITOR_STOPPED, which was in its mask.
    if (this.#mask !== 0) this.#ownStops++;
    this.#mask = mask;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      for (let pipe = this.#pipes[0]; pipe !== undefined; pipe = this.#pipes[0]) {
        for await (const frames of pipe) {
          const event = decodePeerEvent(frames);
          if (event.type === "end" && this.#ownStops > 0) {
            this.#ownStops--;
            break;
          }
          this.deliver(event);
          if (event.type === "end") return;
        }
        // Closed, or ended by a change of ours: the next pipe (if any) continues the stream.
        pipe.close();
        if (this.#pipes[0] === pipe) this.#pipes.shift();
        // Ended by close(); a closed socket's last events are still in the next pipes.
        if (super.closed) return;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Whether the observer has stopped (closed, or its socket closed). */
  override get closed(): boolean {
    return super.closed || this.#socket.closed;
  }

  protected override end(): boolean {
    if (!super.end()) return false;
    for (const pipe of this.#pipes.splice(0)) pipe.close();
    this.#mask = 0;
    return true;
  }

  /** Stops observing: libzmq stops monitoring the socket for it. */
  close(): void {
    if (super.closed) return;
    if (this.#mask !== 0 && !this.#socket.closed) {
      try {
        nativeSocketOf(this.#socket).monitor(null);
      } catch {
        // The socket is closing or lent to a proxy; its monitor stops when it closes.
      }
    }
    this.end();
  }
}
