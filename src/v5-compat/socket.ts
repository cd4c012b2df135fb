// v5's Socket: an EventEmitter with callbacks, made by a plain constructor function so that v5's
// way of subclassing still works — `zmq.Socket.call(this, type)` in a constructor whose
// prototype inherits `zmq.Socket.prototype` (util.inherits, Object.create), as jmp and
// ijavascript do — besides `new zmq.Socket(type)` and `class X extends zmq.Socket`. An ES class
// cannot be called without `new`. Each method hands the work to a zmq-napi socket.
import { EventEmitter } from "node:events";

import type { Message, MessageLike } from "../index";
import {
  callLater,
  deliverHeld,
  emitLater,
  flushOutbox,
  pauseReceiving,
  queueMessage,
  readMessage,
  rethrowLater,
  startReceiving,
} from "./io";
import { startMonitor, stopMonitor } from "./monitor";
import { getSocketOption, options, setSocketOption, type OptionName } from "./socket-options";
import { createSocketOfType, socketTypeName, type SocketType } from "./socket-types";
import { attachState, createState, stateOf, type Callback } from "./state";

/**
 * A v5 socket. Received messages are `'message'` events with one Buffer argument per frame;
 * `'bind'` and `'unbind'` follow the asynchronous calls; after `monitor()`, connection events
 * arrive as `'connect'`, `'listen'`, `'accept'`, `'disconnect'`… with (value, address, error).
 * Errors of sends without a callback are `'error'` events.
 */
export interface Socket extends EventEmitter {
  /** The socket type, by name (`"req"`, `"router"`…). */
  type: SocketType;
  /** Whether close() was called. */
  readonly closed: boolean;

  /** Binds asynchronously; emits `'bind'` with the address, then calls back (with the error if it failed). */
  bind(address: string, callback?: Callback): this;
  /** Binds synchronously; throws on failure. */
  bindSync(address: string): this;
  /** Unbinds asynchronously; emits `'unbind'` with the address, then calls back. */
  unbind(address: string, callback?: Callback): this;
  /** Unbinds synchronously; throws on failure. */
  unbindSync(address: string): this;
  /** Connects to an endpoint; libzmq connects (and reconnects) in the background. */
  connect(address: string): this;
  /** Disconnects from an endpoint connected before. */
  disconnect(address: string): this;

  /**
   * Sends a message: one frame, or an array of frames sent as one multipart message. With
   * `ZMQ_SNDMORE` in `flags`, the frames are the start of a message that a later send()
   * completes. Messages leave in order; while libzmq pushes back (high water mark, no peer
   * yet, or a REQ awaiting its reply) they wait. The callback runs once libzmq took the
   * message, or with the error; without one, errors are `'error'` events. Anything that is not
   * bytes or a string is sent as `String(frame)`. `send(message, callback)` works too.
   */
  send(
    message: MessageLike | MessageLike[],
    flags?: number | null | Callback,
    callback?: Callback,
  ): this;
  /** The next message if one is ready now (while the socket is paused), else null. */
  read(): Message[] | null;
  /** Stops emitting `'message'` events and sending; messages wait in libzmq and in the queue. */
  pause(): this;
  /** Emits the messages that waited, and sends the queued ones, again. */
  resume(): this;
  /**
   * Closes the socket. Messages libzmq has taken still leave within `linger`; those still
   * queued here are dropped and their callbacks are not called, as in v5.
   */
  close(): this;

  /**
   * Emits connection events: `'connect'`, `'connect_delay'`, `'connect_retry'` (value: the
   * interval), `'listen'`, `'bind_error'`, `'accept'`, `'accept_error'`, `'close'`,
   * `'close_error'`, `'disconnect'`, `'handshake_succeeded'` and `'handshake_failed_*'`, with
   * (value, address, error); the value is the errno of an error event. v5's polling interval
   * and event count arguments are accepted and not needed: events arrive as they happen.
   */
  monitor(interval?: number, numOfEvents?: number): this;
  /** Stops the events monitor() started. */
  unmonitor(): this;

  /** A SUB socket subscribes to messages starting with `filter` (`""`: all). */
  subscribe(filter: string | Buffer): this;
  /** A SUB socket removes a subscription. */
  unsubscribe(filter: string | Buffer): this;
  /** Sets an option by number (`zmq.ZMQ_LINGER`) or name (`"linger"`, `"ZMQ_LINGER"`). */
  setsockopt(option: OptionName, value: unknown): this;
  /** Reads an option; booleans read as 1 or 0, as libzmq's integers did. */
  getsockopt(option: OptionName): unknown;

  /** ZMQ_AFFINITY. */
  affinity: number;
  /** ZMQ_BACKLOG. */
  backlog: number;
  /** ZMQ_IDENTITY (a string, or UTF-8 bytes). */
  identity: string | Buffer | null;
  /** ZMQ_LINGER, ms. */
  linger: number;
  /** ZMQ_RATE. */
  rate: number;
  /** ZMQ_RCVBUF. */
  rcvbuf: number;
  /** ZMQ_LAST_ENDPOINT. */
  readonly last_endpoint: string | null;
  /** ZMQ_RECONNECT_IVL, ms. */
  reconnect_ivl: number;
  /** ZMQ_RECOVERY_IVL, ms. */
  recovery_ivl: number;
  /** ZMQ_SNDBUF. */
  sndbuf: number;
  /** ZMQ_MECHANISM: 0 null, 1 PLAIN, 2 CURVE, 3 GSSAPI. */
  readonly mechanism: number;
  /** ZMQ_PLAIN_SERVER (1 or 0). */
  plain_server: number | boolean;
  /** ZMQ_PLAIN_USERNAME. */
  plain_username: string | Buffer | null;
  /** ZMQ_PLAIN_PASSWORD. */
  plain_password: string | Buffer | null;
  /** ZMQ_CURVE_SERVER (1 or 0). */
  curve_server: number | boolean;
  /** ZMQ_CURVE_PUBLICKEY (Z85 string or 32 bytes). */
  curve_publickey: string | Buffer | null;
  /** ZMQ_CURVE_SECRETKEY (Z85 string or 32 bytes). */
  curve_secretkey: string | Buffer | null;
  /** ZMQ_CURVE_SERVERKEY (Z85 string or 32 bytes). */
  curve_serverkey: string | Buffer | null;
  /** ZMQ_ZAP_DOMAIN. */
  zap_domain: string | Buffer | null;
  /** ZMQ_HEARTBEAT_IVL, ms. */
  heartbeat_ivl: number;
  /** ZMQ_HEARTBEAT_TTL, ms. */
  heartbeat_ttl: number;
  /** ZMQ_HEARTBEAT_TIMEOUT, ms. */
  heartbeat_timeout: number;
  /** ZMQ_CONNECT_TIMEOUT, ms. */
  connect_timeout: number;
  /** ZMQ_FD: reading it throws (zmq-napi watches the socket itself). */
  readonly _fd: number;
  /** ZMQ_EVENTS: ZMQ_POLLIN and ZMQ_POLLOUT as far as they hold now. */
  readonly _ioevents: number;
  /** ZMQ_RCVMORE: always 0, messages arrive whole. */
  readonly _receiveMore: number;
  /** Setting it subscribes (ZMQ_SUBSCRIBE). */
  _subscribe: string | Buffer;
  /** Setting it unsubscribes (ZMQ_UNSUBSCRIBE). */
  _unsubscribe: string | Buffer;
}

/**
 * The Socket constructor. `new Socket("req")` makes a socket; so does `Socket.call(obj, "req")`
 * when `obj` inherits `Socket.prototype` (v5's subclassing by prototype), making `obj` the socket.
 * A plain call `Socket("req")` returns a new socket.
 */
export interface SocketConstructor {
  /** A socket of `type` (a name, or its ZMQ_ number). */
  new (type: SocketType | number): Socket;
  /** Makes `this` (an object that inherits Socket.prototype) a socket of `type` and returns it. */
  (type: SocketType | number): Socket;
  /** What every socket inherits: the methods above, and through them EventEmitter.prototype. */
  readonly prototype: Socket;
}

// The methods, written as a class for their types; the class itself is never constructed: its
// prototype becomes the constructor function's.
class SocketMethods extends EventEmitter {
  declare type: SocketType;

  get closed(): boolean {
    return stateOf(this).socket.closed;
  }

  bind(address: string, callback?: Callback): this {
    changeBinding(this, "bind", address, callback);
    return this;
  }

  unbind(address: string, callback?: Callback): this {
    changeBinding(this, "unbind", address, callback);
    return this;
  }

  bindSync(address: string): this {
    stateOf(this).socket.bindSync(address);
    return this;
  }

  unbindSync(address: string): this {
    stateOf(this).socket.unbindSync(address);
    return this;
  }

  connect(address: string): this {
    stateOf(this).socket.connect(address);
    return this;
  }

  disconnect(address: string): this {
    stateOf(this).socket.disconnect(address);
    return this;
  }

  send(
    message: MessageLike | MessageLike[],
    flags?: number | null | Callback,
    callback?: Callback,
  ): this {
    queueMessage(this, stateOf(this), message, flags, callback);
    return this;
  }

  read(): Message[] | null {
    return readMessage(stateOf(this));
  }

  pause(): this {
    pauseReceiving(stateOf(this));
    return this;
  }

  resume(): this {
    const state = stateOf(this);
    state.paused = false;
    deliverHeld(this, state);
    startReceiving(this, state);
    flushOutbox(this, state);
    return this;
  }

  close(): this {
    const state = stateOf(this);
    if (state.socket.closed) return this;
    stopMonitor(state);
    state.outbox.length = 0;
    state.held.length = 0;
    state.parts = [];
    state.partCallbacks = [];
    state.socket.close();
    return this;
  }

  monitor(_interval?: number, _numOfEvents?: number): this {
    startMonitor(this, stateOf(this));
    return this;
  }

  unmonitor(): this {
    stopMonitor(stateOf(this));
    return this;
  }

  subscribe(filter: string | Buffer): this {
    return this.setsockopt(options._subscribe, filter);
  }

  unsubscribe(filter: string | Buffer): this {
    return this.setsockopt(options._unsubscribe, filter);
  }

  setsockopt(option: OptionName, value: unknown): this {
    setSocketOption(stateOf(this), option, value);
    return this;
  }

  getsockopt(option: OptionName): unknown {
    return getSocketOption(stateOf(this), option);
  }
}

/** bind()/unbind(): 'bind'/'unbind', then the callback; what they throw is rethrown, as in v5. */
function changeBinding(
  owner: SocketMethods,
  operation: "bind" | "unbind",
  address: string,
  callback: Callback | undefined,
): void {
  stateOf(owner)
    .socket[operation](address)
    .then(
      () => {
        try {
          owner.emit(operation, address);
          callback?.call(owner);
        } catch (error) {
          rethrowLater(error);
        }
      },
      (error: unknown) => {
        // v5 gave the error to the callback only; 'error' listeners hear of it too here.
        if (typeof callback === "function") callLater(owner, callback, error);
        else if (owner.listenerCount("error") > 0) emitLater(owner, "error", error);
      },
    );
}

// v5's option properties: `sock.linger = 0` is `sock.setsockopt("linger", 0)`.
for (const name of Object.keys(options)) {
  Object.defineProperty(SocketMethods.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: SocketMethods) {
      return this.getsockopt(name);
    },
    set(this: SocketMethods, value: unknown) {
      this.setsockopt(name, value);
    },
  });
}

function initialise(owner: SocketMethods, type: unknown): void {
  const name = socketTypeName(type);
  EventEmitter.call(owner);
  const state = createState(name, createSocketOfType(name));
  attachState(owner, state);
  owner.type = name;
  startReceiving(owner, state);
}

function makeConstructor(): SocketConstructor {
  // Named Socket, for `socket.constructor.name` and stack traces.
  function Socket(this: unknown, type: SocketType | number): Socket {
    // `this` is a fresh object for `new`, the subclass instance for `Socket.call(this, type)`;
    // anything else (a plain call, `zmq.Socket(type)`) gets a new socket.
    if (!(this instanceof Socket)) {
      return new (Socket as unknown as SocketConstructor)(type);
    }
    initialise(this, type);
    return this as Socket;
  }
  Socket.prototype = SocketMethods.prototype;
  Object.defineProperty(SocketMethods.prototype, "constructor", {
    value: Socket,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return Socket as unknown as SocketConstructor;
}

/** The v5 Socket constructor: see {@link SocketConstructor}. */
export const Socket: SocketConstructor = makeConstructor();
