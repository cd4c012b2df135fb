// The socket types of libzmq's stable API, with the options and methods each one has.
import { typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import {
  OptionKind,
  type SocketClassName,
  type SocketOptionProperties,
  type SocketOptionValues,
} from "./options";
import {
  Socket,
  defineSocketOptions,
  sealInstancesOf,
  type Message,
  type MessageLike,
  type OperationOptions,
} from "./socket";
import type { Context } from "./context";

/** Constructor options of socket class C: its writable options, and `context`. */
export type SocketOptions<C extends SocketClassName> = SocketOptionValues<C> & {
  /** The context to create the socket in (default: the shared {@link context}). */
  context?: Context;
};

/** Sockets that send. `M` is what a message may be, `O` the extra arguments of send(). */
export interface Writable<
  M = MessageLike | MessageLike[],
  O extends unknown[] = [OperationOptions?],
> {
  /**
   * Sends a message (a frame, or an array of frames sent atomically). Resolves once libzmq has
   * accepted it; waits at the high water mark; rejects with EAGAIN after `sendTimeout`.
   */
  send(message: M, ...options: O): Promise<void>;
  /** Sends without waiting: false when libzmq would have to wait (ZMQ_DONTWAIT / EAGAIN). */
  trySend(message: M, ...options: O): boolean;
  /** Sends many messages in order with as few native calls as possible. */
  sendBatch(messages: readonly M[]): Promise<void>;
}

/** Sockets that receive. `M` is the shape of a received message. */
export interface Readable<M extends object[] = Message[]> {
  /** Resolves with the next message; rejects with EAGAIN after `receiveTimeout` or on close. */
  receive(options?: OperationOptions): Promise<M>;
  /** The next message if one is ready now, else null (ZMQ_DONTWAIT). */
  tryReceive(): M | null;
  /** Every message ready now (waiting for at least one), up to `max`. */
  receiveBatch(max?: number): Promise<M[]>;
  /** `for await (const [msg] of socket)`; ends when the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>;
}

/** The protected Socket methods the mixins (here and in draft.ts) call. */
type Internals = {
  sendMessage(
    message: unknown,
    options?: OperationOptions,
    routingId?: number,
    group?: Buffer | string,
  ): Promise<void>;
  trySendMessage(message: unknown, routingId?: number, group?: Buffer | string): boolean;
  sendBatchMessages(messages: readonly unknown[]): Promise<void>;
  receiveMessage(options?: OperationOptions): Promise<Message[]>;
  tryReceiveMessage(): Message[] | null;
  receiveBatchMessages(max?: number): Promise<Message[][]>;
  iterateMessages(): AsyncIterator<Message[], undefined>;
  setRawOption(id: number, kind: number, value: unknown): void;
};
/** @internal */
export const internals = (socket: Socket) => socket as unknown as Internals;

/** The send/trySend/sendBatch methods, mixed into every sending socket class. */
export const writableMethods = {
  send(this: Socket, message: unknown, options?: OperationOptions): Promise<void> {
    return internals(this).sendMessage(message, options);
  },
  trySend(this: Socket, message: unknown): boolean {
    return internals(this).trySendMessage(message);
  },
  sendBatch(this: Socket, messages: readonly unknown[]): Promise<void> {
    return internals(this).sendBatchMessages(messages);
  },
};

/** The receive/tryReceive/receiveBatch methods and async iteration of receiving sockets. */
export const readableMethods = {
  receive(this: Socket, options?: OperationOptions): Promise<Message[]> {
    return internals(this).receiveMessage(options);
  },
  tryReceive(this: Socket): Message[] | null {
    return internals(this).tryReceiveMessage();
  },
  receiveBatch(this: Socket, max?: number): Promise<Message[][]> {
    return internals(this).receiveBatchMessages(max);
  },
  [Symbol.asyncIterator](this: Socket): AsyncIterator<Message[], undefined> {
    return internals(this).iterateMessages();
  },
};

/** Declares a socket class's options and mixes in what it can do. */
export function defineSocketClass(
  constructor: { prototype: object },
  name: SocketClassName,
  capabilities: { readable: boolean; writable: boolean },
  overrides: object = {},
): void {
  defineSocketOptions(constructor.prototype, name);
  sealInstancesOf(constructor.prototype);
  const methods = {
    ...(capabilities.writable ? writableMethods : {}),
    ...(capabilities.readable ? readableMethods : {}),
    ...overrides,
  };
  for (const key of Reflect.ownKeys(methods)) {
    Object.defineProperty(constructor.prototype, key, {
      value: (methods as Record<PropertyKey, unknown>)[key],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

function bytesArgument(value: unknown, name: string): string | Buffer {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw typeError("a string or Buffer", name, value);
}

/** Options of Router.connect() and Stream.connect(). */
export interface RouterConnectOptions {
  /** The routing id this socket gives the peer it connects to (ZMQ_CONNECT_ROUTING_ID). */
  routingId?: string | Buffer;
}
/** Options of Stream.connect(): the routing id the new connection will have. */
export type StreamConnectOptions = RouterConnectOptions;

function connectWithRoutingId(
  socket: Socket,
  address: string,
  options?: RouterConnectOptions,
): void {
  if (options !== undefined && options.routingId !== undefined) {
    internals(socket).setRawOption(
      ZMQ.CONNECT_ROUTING_ID,
      OptionKind.Binary,
      bytesArgument(options.routingId, "routingId"),
    );
  }
  Socket.prototype.connect.call(socket, address);
}

// --- the classes ------------------------------------------------------------------------------

/** PAIR: exclusive pair of sockets (inproc:// mainly); sends block while the peer is absent. */
export class Pair extends Socket {
  constructor(options?: SocketOptions<"Pair">) {
    super(ZMQ.PAIR, options);
  }
}
export interface Pair extends Writable, Readable, SocketOptionProperties<"Pair"> {}
defineSocketClass(Pair, "Pair", { readable: true, writable: true });

/** PUB: distributes messages to all subscribers whose subscription prefixes match; never blocks (drops at HWM). */
export class Publisher extends Socket {
  constructor(options?: SocketOptions<"Publisher">) {
    super(ZMQ.PUB, options);
  }
}
export interface Publisher extends Writable, SocketOptionProperties<"Publisher"> {}
defineSocketClass(Publisher, "Publisher", { readable: false, writable: true });

/** SUB: receives the messages of publishers that match its subscriptions. */
export class Subscriber extends Socket {
  constructor(options?: SocketOptions<"Subscriber">) {
    super(ZMQ.SUB, options);
  }

  /** Subscribes to messages whose first frame starts with a prefix; no prefix means all. */
  subscribe(...prefixes: Array<Buffer | string>): void {
    for (const prefix of prefixes.length === 0 ? [""] : prefixes) {
      internals(this).setRawOption(
        ZMQ.SUBSCRIBE,
        OptionKind.Binary,
        bytesArgument(prefix, "prefix"),
      );
    }
  }

  /** Removes subscriptions made with subscribe(); no prefix removes the catch-all one. */
  unsubscribe(...prefixes: Array<Buffer | string>): void {
    for (const prefix of prefixes.length === 0 ? [""] : prefixes) {
      internals(this).setRawOption(
        ZMQ.UNSUBSCRIBE,
        OptionKind.Binary,
        bytesArgument(prefix, "prefix"),
      );
    }
  }
}
export interface Subscriber extends Readable, SocketOptionProperties<"Subscriber"> {}
defineSocketClass(Subscriber, "Subscriber", { readable: true, writable: false });

/** REQ: sends a request, then receives its reply, strictly alternating (EFSM otherwise). */
export class Request extends Socket {
  constructor(options?: SocketOptions<"Request">) {
    super(ZMQ.REQ, options);
  }
}
export interface Request extends Readable, Writable, SocketOptionProperties<"Request"> {}
defineSocketClass(Request, "Request", { readable: true, writable: true });

/** REP: receives a request, then sends its reply, strictly alternating. */
export class Reply extends Socket {
  constructor(options?: SocketOptions<"Reply">) {
    super(ZMQ.REP, options);
  }
}
export interface Reply extends Readable, Writable, SocketOptionProperties<"Reply"> {}
defineSocketClass(Reply, "Reply", { readable: true, writable: true });

/** DEALER: asynchronous request/reply; round-robins sends, fair-queues receives. */
export class Dealer extends Socket {
  constructor(options?: SocketOptions<"Dealer">) {
    super(ZMQ.DEALER, options);
  }
}
export interface Dealer extends Readable, Writable, SocketOptionProperties<"Dealer"> {}
defineSocketClass(Dealer, "Dealer", { readable: true, writable: true });

/** ROUTER: addresses peers by routing id (the first frame of every message). */
export class Router extends Socket {
  constructor(options?: SocketOptions<"Router">) {
    super(ZMQ.ROUTER, options);
  }

  /** Connects, optionally naming the routing id the peer will have here. */
  override connect(address: string, options?: RouterConnectOptions): void {
    connectWithRoutingId(this, address, options);
  }
}
export interface Router extends Readable, Writable, SocketOptionProperties<"Router"> {}
defineSocketClass(Router, "Router", { readable: true, writable: true });

/** PULL: fair-queues messages from PUSH peers. */
export class Pull extends Socket {
  constructor(options?: SocketOptions<"Pull">) {
    super(ZMQ.PULL, options);
  }
}
export interface Pull extends Readable, SocketOptionProperties<"Pull"> {}
defineSocketClass(Pull, "Pull", { readable: true, writable: false });

/** PUSH: load-balances messages over PULL peers; waits at the high water mark. */
export class Push extends Socket {
  constructor(options?: SocketOptions<"Push">) {
    super(ZMQ.PUSH, options);
  }
}
export interface Push extends Writable, SocketOptionProperties<"Push"> {}
defineSocketClass(Push, "Push", { readable: false, writable: true });

/** XPUB: a publisher that receives its subscribers' (un)subscriptions as messages. */
export class XPublisher extends Socket {
  constructor(options?: SocketOptions<"XPublisher">) {
    super(ZMQ.XPUB, options);
  }

  /**
   * Which subscription messages reach the application: null (new subscriptions only, the
   * default), "allSubs" (ZMQ_XPUB_VERBOSE) or "allSubsUnsubs" (ZMQ_XPUB_VERBOSER).
   */
  set verbosity(value: null | "allSubs" | "allSubsUnsubs") {
    if (value !== null && value !== "allSubs" && value !== "allSubsUnsubs") {
      throw typeError('null, "allSubs" or "allSubsUnsubs"', "verbosity", value);
    }
    // In libzmq setting VERBOSE clears "unsubs" and setting VERBOSER sets both: one call each.
    const raw = internals(this);
    if (value === "allSubsUnsubs") raw.setRawOption(ZMQ.XPUB_VERBOSER, OptionKind.Int32, 1);
    else raw.setRawOption(ZMQ.XPUB_VERBOSE, OptionKind.Int32, value === "allSubs" ? 1 : 0);
  }
}
export interface XPublisher extends Readable, Writable, SocketOptionProperties<"XPublisher"> {}
defineSocketClass(XPublisher, "XPublisher", { readable: true, writable: true });

/** XSUB: a subscriber that sends subscriptions as messages (`\x01prefix`, `\x00prefix`). */
export class XSubscriber extends Socket {
  constructor(options?: SocketOptions<"XSubscriber">) {
    super(ZMQ.XSUB, options);
  }
}
export interface XSubscriber extends Readable, Writable, SocketOptionProperties<"XSubscriber"> {}
defineSocketClass(XSubscriber, "XSubscriber", { readable: true, writable: true });

/** STREAM: raw tcp; every message is [routing id, data]. */
export class Stream extends Socket {
  constructor(options?: SocketOptions<"Stream">) {
    super(ZMQ.STREAM, options);
  }

  /** Connects, optionally naming the routing id the connection will have. */
  override connect(address: string, options?: StreamConnectOptions): void {
    connectWithRoutingId(this, address, options);
  }
}
export interface Stream
  extends
    Readable<[Message, Message]>,
    Writable<[MessageLike, MessageLike]>,
    SocketOptionProperties<"Stream"> {}
defineSocketClass(Stream, "Stream", { readable: true, writable: true });

/** The socket classes of the stable API, by name. */
export const stableSocketClasses = {
  Pair,
  Publisher,
  Subscriber,
  Request,
  Reply,
  Dealer,
  Router,
  Pull,
  Push,
  XPublisher,
  XSubscriber,
  Stream,
} as const;
