// The socket types of libzmq's stable API, with the methods each one has beyond its table
// entry (socket-types.ts). Everything this module exports is public: index.ts re-exports it.
import { typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { OptionKind } from "./options";
import { Socket } from "./socket";
import {
  bytesArgument,
  defineSocketClass,
  internals,
  type SocketApi,
  type SocketOptions,
} from "./socket-class";
import { typeIdOf } from "./socket-types";

export type { Readable, Writable, SocketOptions } from "./socket-class";

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
    super(typeIdOf("Pair"), options);
  }
}
export interface Pair extends SocketApi<"Pair"> {}
defineSocketClass(Pair, "Pair");

/** PUB: distributes messages to all subscribers whose subscription prefixes match; never blocks (drops at HWM). */
export class Publisher extends Socket {
  constructor(options?: SocketOptions<"Publisher">) {
    super(typeIdOf("Publisher"), options);
  }
}
export interface Publisher extends SocketApi<"Publisher"> {}
defineSocketClass(Publisher, "Publisher");

/** SUB: receives the messages of publishers that match its subscriptions. */
export class Subscriber extends Socket {
  constructor(options?: SocketOptions<"Subscriber">) {
    super(typeIdOf("Subscriber"), options);
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
export interface Subscriber extends SocketApi<"Subscriber"> {}
defineSocketClass(Subscriber, "Subscriber");

/** REQ: sends a request, then receives its reply, strictly alternating (EFSM otherwise). */
export class Request extends Socket {
  constructor(options?: SocketOptions<"Request">) {
    super(typeIdOf("Request"), options);
  }
}
export interface Request extends SocketApi<"Request"> {}
defineSocketClass(Request, "Request");

/** REP: receives a request, then sends its reply, strictly alternating. */
export class Reply extends Socket {
  constructor(options?: SocketOptions<"Reply">) {
    super(typeIdOf("Reply"), options);
  }
}
export interface Reply extends SocketApi<"Reply"> {}
defineSocketClass(Reply, "Reply");

/** DEALER: asynchronous request/reply; round-robins sends, fair-queues receives. */
export class Dealer extends Socket {
  constructor(options?: SocketOptions<"Dealer">) {
    super(typeIdOf("Dealer"), options);
  }
}
export interface Dealer extends SocketApi<"Dealer"> {}
defineSocketClass(Dealer, "Dealer");

/** ROUTER: addresses peers by routing id (the first frame of every message). */
export class Router extends Socket {
  constructor(options?: SocketOptions<"Router">) {
    super(typeIdOf("Router"), options);
  }

  /** Connects, optionally naming the routing id the peer will have here. */
  override connect(address: string, options?: RouterConnectOptions): void {
    connectWithRoutingId(this, address, options);
  }
}
export interface Router extends SocketApi<"Router"> {}
defineSocketClass(Router, "Router");

/** PULL: fair-queues messages from PUSH peers. */
export class Pull extends Socket {
  constructor(options?: SocketOptions<"Pull">) {
    super(typeIdOf("Pull"), options);
  }
}
export interface Pull extends SocketApi<"Pull"> {}
defineSocketClass(Pull, "Pull");

/** PUSH: load-balances messages over PULL peers; waits at the high water mark. */
export class Push extends Socket {
  constructor(options?: SocketOptions<"Push">) {
    super(typeIdOf("Push"), options);
  }
}
export interface Push extends SocketApi<"Push"> {}
defineSocketClass(Push, "Push");

/** XPUB: a publisher that receives its subscribers' (un)subscriptions as messages. */
export class XPublisher extends Socket {
  constructor(options?: SocketOptions<"XPublisher">) {
    super(typeIdOf("XPublisher"), options);
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
export interface XPublisher extends SocketApi<"XPublisher"> {}
defineSocketClass(XPublisher, "XPublisher");

/** XSUB: a subscriber that sends subscriptions as messages (`\x01prefix`, `\x00prefix`). */
export class XSubscriber extends Socket {
  constructor(options?: SocketOptions<"XSubscriber">) {
    super(typeIdOf("XSubscriber"), options);
  }
}
export interface XSubscriber extends SocketApi<"XSubscriber"> {}
defineSocketClass(XSubscriber, "XSubscriber");

/** STREAM: raw tcp; every message is [routing id, data]. */
export class Stream extends Socket {
  constructor(options?: SocketOptions<"Stream">) {
    super(typeIdOf("Stream"), options);
  }

  /** Connects, optionally naming the routing id the connection will have. */
  override connect(address: string, options?: StreamConnectOptions): void {
    connectWithRoutingId(this, address, options);
  }
}
export interface Stream extends SocketApi<"Stream"> {}
defineSocketClass(Stream, "Stream");
