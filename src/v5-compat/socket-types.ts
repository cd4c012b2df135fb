// The socket types of v5's zmq.socket(type): their names, their numbers, and the zmq-napi class
// that does the work for each.
import { ZMQ } from "../generated/zmq-constants";
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
  type Readable,
  type Socket as V6Socket,
  type Writable,
} from "../index";

/** The socket type names v5's socket() accepts (`xreq` and `xrep` are old names of DEALER and ROUTER). */
export type SocketType =
  | "pair"
  | "pub"
  | "sub"
  | "req"
  | "rep"
  | "dealer"
  | "xreq"
  | "router"
  | "xrep"
  | "pull"
  | "push"
  | "xpub"
  | "xsub"
  | "stream";

/** Each socket type's number (ZMQ_PUB…), by name: v5's `zmq.types`. */
export const types: Readonly<Record<SocketType, number>> = Object.freeze({
  pair: ZMQ.PAIR,
  pub: ZMQ.PUB,
  sub: ZMQ.SUB,
  req: ZMQ.REQ,
  rep: ZMQ.REP,
  dealer: ZMQ.DEALER,
  xreq: ZMQ.XREQ,
  router: ZMQ.ROUTER,
  xrep: ZMQ.XREP,
  pull: ZMQ.PULL,
  push: ZMQ.PUSH,
  xpub: ZMQ.XPUB,
  xsub: ZMQ.XSUB,
  stream: ZMQ.STREAM,
});

/** A zmq-napi socket of any type, with what only some types have. */
export type AnySocket = V6Socket &
  Partial<Readable> &
  Partial<Writable> & {
    subscribe?(...prefixes: Array<Buffer | string>): void;
    unsubscribe?(...prefixes: Array<Buffer | string>): void;
  };

const classes: Readonly<Record<SocketType, new () => V6Socket>> = {
  pair: Pair,
  pub: Publisher,
  sub: Subscriber,
  req: Request,
  rep: Reply,
  dealer: Dealer,
  xreq: Dealer,
  router: Router,
  xrep: Router,
  pull: Pull,
  push: Push,
  xpub: XPublisher,
  xsub: XSubscriber,
  stream: Stream,
};

function isSocketType(type: unknown): type is SocketType {
  return typeof type === "string" && Object.hasOwn(classes, type);
}

/** The name of a socket type given by name or by number (v5 documented both). */
export function socketTypeName(type: unknown): SocketType {
  if (isSocketType(type)) return type;
  if (typeof type === "number") {
    // The first name with that number: "dealer" and "router" rather than the old aliases.
    const name = Object.keys(types).find((key) => types[key as SocketType] === type);
    if (name !== undefined) return name as SocketType;
  }
  throw new TypeError(
    `Expected a socket type (${Object.keys(types).join(", ")} or its ZMQ_ number) ` +
      `but received ${typeof type === "string" ? `"${type}"` : String(type)}`,
  );
}

/** A new zmq-napi socket of the given type, in the shared context. */
export function createSocketOfType(type: SocketType): AnySocket {
  return new classes[type]();
}
