// The socket-type table: every socket type zmq-napi has, by its class name (zeromq v6's), with
// what the rest of the code needs to know about it. The classes (sockets.ts, draft.ts), their
// TypeScript types (socket-class.ts), the option table's "readable"/"writable" groups, the
// tests' class lists and the addon's per-type checks (binding/socket_types.h, generated from
// this file by scripts/generate-socket-types.js) all read it: a new socket type is one entry
// here plus its class declaration.
//
// Keep this file to the table and its lookups, importing zmq-constants alone: the generator
// evaluates it outside the package.
import { ZMQ } from "./generated/zmq-constants";

/**
 * What libzmq attaches to a message besides its frames: nothing, the peer's routing id
 * (SERVER, PEER: zmq_msg_routing_id) or a group (RADIO, DISH: zmq_msg_group).
 */
export type MessageMetadata = "none" | "routingId" | "group";

/**
 * The frames of one message: any number ("multipart"), exactly one (the thread-safe draft
 * types refuse ZMQ_SNDMORE), or exactly two, named (a STREAM's [routing id, data]).
 */
export type FrameShape = "multipart" | "single" | readonly [head: string, body: string];

/**
 * What the type does over pgm:// and epgm:// (libzmq takes PUB and XPUB as senders, SUB and
 * XSUB as receivers, and refuses every other type itself).
 */
export type PgmRole = "none" | "sender" | "receiver";

export interface SocketTypeSpec {
  /** The libzmq name: ZMQ_<zmq> in zmq.h, and how messages name the type ("a DEALER socket"). */
  readonly zmq: keyof typeof ZMQ;
  /** Whether the type receives (has receive(), the receive options). */
  readonly readable: boolean;
  /** Whether the type sends (has send(), the send options). */
  readonly writable: boolean;
  /** ZMQ_THREAD_SAFE: such sockets have no ZMQ_FD; the addon polls them through a zmq_poller. */
  readonly threadSafe: boolean;
  readonly metadata: MessageMetadata;
  readonly frames: FrameShape;
  /** Datagram sockets: libzmq's udp:// transport takes these types only. */
  readonly udp: boolean;
  /** Multicast over OpenPGM: the addon checks a pgm endpoint for these types before libzmq. */
  readonly pgm: PgmRole;
  /** Part of libzmq's draft API: exported by `zmq-napi/draft`, not the main entry point. */
  readonly draft: boolean;
}

const classic = {
  threadSafe: false,
  metadata: "none",
  frames: "multipart",
  udp: false,
  pgm: "none",
} as const;
const threadSafeDraft = {
  threadSafe: true,
  frames: "single",
  udp: false,
  pgm: "none",
  draft: true,
} as const;
const both = { readable: true, writable: true } as const;
const sends = { readable: false, writable: true } as const;
const receives = { readable: true, writable: false } as const;

/** Every socket type, by class name. */
export const socketTypes = {
  Pair: { zmq: "PAIR", ...both, ...classic, draft: false },
  Publisher: { zmq: "PUB", ...sends, ...classic, pgm: "sender", draft: false },
  Subscriber: { zmq: "SUB", ...receives, ...classic, pgm: "receiver", draft: false },
  Request: { zmq: "REQ", ...both, ...classic, draft: false },
  Reply: { zmq: "REP", ...both, ...classic, draft: false },
  Dealer: { zmq: "DEALER", ...both, ...classic, draft: false },
  Router: { zmq: "ROUTER", ...both, ...classic, draft: false },
  Pull: { zmq: "PULL", ...receives, ...classic, draft: false },
  Push: { zmq: "PUSH", ...sends, ...classic, draft: false },
  XPublisher: { zmq: "XPUB", ...both, ...classic, pgm: "sender", draft: false },
  XSubscriber: { zmq: "XSUB", ...both, ...classic, pgm: "receiver", draft: false },
  Stream: { zmq: "STREAM", ...both, ...classic, frames: ["routing id", "data"], draft: false },
  Server: { zmq: "SERVER", ...both, ...threadSafeDraft, metadata: "routingId" },
  Client: { zmq: "CLIENT", ...both, ...threadSafeDraft, metadata: "none" },
  Radio: { zmq: "RADIO", ...sends, ...threadSafeDraft, metadata: "group", udp: true },
  Dish: { zmq: "DISH", ...receives, ...threadSafeDraft, metadata: "group", udp: true },
  Gather: { zmq: "GATHER", ...receives, ...threadSafeDraft, metadata: "none" },
  Scatter: { zmq: "SCATTER", ...sends, ...threadSafeDraft, metadata: "none" },
  Datagram: {
    zmq: "DGRAM",
    ...both,
    ...classic,
    frames: ["address", "data"],
    udp: true,
    draft: true,
  },
  Peer: { zmq: "PEER", ...both, ...threadSafeDraft, metadata: "routingId" },
  Channel: { zmq: "CHANNEL", ...both, ...threadSafeDraft, metadata: "none" },
} as const satisfies Record<string, SocketTypeSpec>;

/** The name of a socket class: a key of the table. */
export type SocketClassName = keyof typeof socketTypes;

/** The libzmq type id (ZMQ_PUSH…) of socket class `name`. */
export function typeIdOf(name: SocketClassName): number {
  return ZMQ[socketTypes[name].zmq];
}

/** The table entry of a libzmq type id, or undefined for an id the table does not have. */
export function socketTypeOf(typeId: number): SocketTypeSpec | undefined {
  return byTypeId.get(typeId);
}
const byTypeId = new Map<number, SocketTypeSpec>(
  Object.values(socketTypes).map((spec) => [ZMQ[spec.zmq], spec]),
);
