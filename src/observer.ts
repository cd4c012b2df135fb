// Socket monitoring as zeromq v6 does it: libzmq reports connection events
// (zmq_socket_monitor, version 1) as messages on an inproc PAIR socket; the Observer reads them
// and turns them into typed events. Nothing is monitored until an Observer is created
// (socket.events creates one on first use). PeerObserver (peer-observer.ts) is the filtered,
// versioned kind.
import { ZmqError, typeError } from "./errors";
import { EventStream } from "./event-stream";
import { ZMQ } from "./generated/zmq-constants";
import { decodeEvent, monitorEndpoint, type Event } from "./observer-events";
import { Socket, nativeSocketOf } from "./socket";
import { withoutSocketDefaults } from "./socket-defaults";
import { Pair } from "./sockets";

export { EventStream, type EventListener } from "./event-stream";
export { PeerObserver, type PeerObserverOptions } from "./peer-observer";
export {
  type AuthError,
  type Event,
  type EventError,
  type EventOfType,
  type EventType,
  type PeerEndpoints,
  type PeerEvent,
  type PeerEventOfType,
  type ProtoError,
} from "./observer-events";

/**
 * Reports a socket's connection events: as an async iterator (`for await (const event of
 * observer)`), by `receive()`, or EventEmitter-style with `on(type, listener)`. It ends (an
 * "end" event) when the socket closes. This is zeromq v6's Observer: every event, with one
 * `address`; {@link PeerObserver} monitors only the events asked for, and reports both ends
 * of each connection.
 *
 * Events are recorded from the Observer's creation (`socket.events` creates it on first use),
 * but nothing is read, and nothing holds the socket or keeps the process alive, until someone
 * listens: the first `on()`, `receive()` or iteration.
 *
 * Until someone listens, events wait in a pipe without a high water mark (libzmq never blocks
 * on a monitor here: deps/patches/libzmq-monitor-never-blocks.patch); from then on the
 * Observer reads them as they come and keeps the latest 10,000 for receive().
 *
 * A socket has one monitor in libzmq: creating an Observer or a PeerObserver of a socket
 * that is already observed ends the earlier one (its "end" event).
 */
export class Observer extends EventStream<Event> {
  readonly #socket: Socket;
  readonly #pair: Pair;
  #started = false;

  constructor(socket: Socket) {
    super();
    if (!(socket instanceof Socket)) throw typeError("a Socket", "socket", socket);
    if (socket.closed) throw new ZmqError("EBADF", "Socket is closed; cannot observe it");
    const endpoint = monitorEndpoint();
    this.#socket = socket;
    // No receive high water mark: no event is dropped before someone reads.
    this.#pair = new Pair(
      withoutSocketDefaults({ context: socket.context, linger: 0, receiveHighWaterMark: 0 }),
    );
    try {
      // libzmq's monitor socket binds the endpoint; ours connects to it.
      nativeSocketOf(socket).monitor(endpoint, ZMQ.EVENT_ALL);
      this.#pair.connect(endpoint);
    } catch (error) {
      this.#pair.close();
      throw error;
    }
  }

  /** Starts reading events, once: the first listener, receive() or iteration calls it. */
  protected demandChanged(): void {
    if (this.#started || this.closed) return;
    this.#started = true;
    void this.#pump(this.#pair);
  }

  async #pump(pair: Pair): Promise<void> {
    try {
      for await (const frames of pair) {
        const event = decodeEvent(frames);
        this.deliver(event);
        if (event.type === "end") break;
      }
    } finally {
      this.end();
    }
  }

  protected override end(): boolean {
    if (!super.end()) return false;
    this.#pair.close();
    return true;
  }

  /** Stops observing (the socket stops publishing events). */
  close(): void {
    if (this.closed) return;
    // Stop the monitor first: libzmq would otherwise block on events nobody receives.
    if (!this.#socket.closed) {
      try {
        nativeSocketOf(this.#socket).monitor(null);
      } catch {
        // The socket is closing or lent to a proxy; its monitor stops when it closes.
      }
    }
    this.end();
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
