// The draft-API entry point (`zmq-napi/draft`): socket types libzmq 4.3.4 marks as draft.
// Their API may change with libzmq; they are built in (capability.draft is true).
import { ZmqError, expectInteger, fromNative, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import type { SocketOptionProperties } from "./options";
import {
  Socket,
  nativeSocketOf,
  type Message,
  type MessageLike,
  type OperationOptions,
} from "./socket";
import "./observer"; // socket.events
import {
  defineSocketClass,
  internals,
  type Readable,
  type SocketOptions,
  type Writable,
} from "./sockets";

export type { SocketOptions, Readable, Writable } from "./sockets";

/** The routing id of a SERVER's peer, as received and as needed to reply. */
export interface ServerRoutingOptions extends OperationOptions {
  /** The peer's routing id: a non-zero 32-bit integer libzmq assigns to each connection. */
  routingId: number;
}

/** The group of a RADIO message. */
export interface RadioGroupOptions extends OperationOptions {
  /** The group to publish to (UTF-8; see Dish.join for the length limits). */
  group: Buffer | string;
}

/** The group a DISH message was sent to. */
export interface DishGroupOptions {
  /** The group, as bytes. */
  group: Buffer;
}

function routingIdOf(options: unknown): number {
  if (typeof options !== "object" || options === null)
    throw typeError("an object with routingId", "options", options);
  const { routingId } = options as { routingId: unknown };
  expectInteger(routingId, "routingId", 1, 2 ** 32 - 1);
  return routingId;
}

/** A group's bytes: groups are bytes (a string is its UTF-8), never decoded. */
function groupOf(options: unknown): Buffer | string {
  if (typeof options !== "object" || options === null)
    throw typeError("an object with group", "options", options);
  const { group } = options as { group: unknown };
  if (typeof group === "string" || Buffer.isBuffer(group)) return group;
  throw typeError("a string or Buffer", "group", group);
}

/** Routing-id addressed send methods (SERVER, PEER). */
const routedSend = {
  send(this: Socket, message: unknown, options: ServerRoutingOptions): Promise<void> {
    return internals(this).sendMessage(message, options, routingIdOf(options));
  },
  trySend(this: Socket, message: unknown, options: ServerRoutingOptions): boolean {
    return internals(this).trySendMessage(message, routingIdOf(options));
  },
};

/** SERVER: replies to CLIENT peers by routing id; single-frame messages. Thread-safe in libzmq. */
export class Server extends Socket {
  constructor(options?: SocketOptions<"Server">) {
    super(ZMQ.SERVER, options);
  }

  protected override shapeMessage(frames: Message[], routingId: number): Message[] {
    return [frames[0]!, { routingId } as unknown as Message];
  }
}
export interface Server
  extends
    Readable<[Message, ServerRoutingOptions]>,
    Writable<MessageLike, [ServerRoutingOptions]>,
    SocketOptionProperties<"Server"> {}
defineSocketClass(Server, "Server", { readable: true, writable: true }, routedSend);

/** CLIENT: talks to a SERVER; single-frame messages. */
export class Client extends Socket {
  constructor(options?: SocketOptions<"Client">) {
    super(ZMQ.CLIENT, options);
  }
}
export interface Client
  extends Readable<[Message]>, Writable<MessageLike>, SocketOptionProperties<"Client"> {}
defineSocketClass(Client, "Client", { readable: true, writable: true });

/** RADIO: publishes to groups; DISH sockets that joined a group receive its messages. */
export class Radio extends Socket {
  constructor(options?: SocketOptions<"Radio">) {
    super(ZMQ.RADIO, options);
  }
}
export interface Radio
  extends Writable<MessageLike, [RadioGroupOptions]>, SocketOptionProperties<"Radio"> {}
defineSocketClass(
  Radio,
  "Radio",
  { readable: false, writable: true },
  {
    send(this: Socket, message: unknown, options: RadioGroupOptions): Promise<void> {
      return internals(this).sendMessage(message, options, undefined, groupOf(options));
    },
    trySend(this: Socket, message: unknown, options: RadioGroupOptions): boolean {
      return internals(this).trySendMessage(message, undefined, groupOf(options));
    },
  },
);

/** DISH: receives the messages of the groups it joined. */
export class Dish extends Socket {
  constructor(options?: SocketOptions<"Dish">) {
    super(ZMQ.DISH, options);
  }

  /**
   * Joins groups: messages a RADIO sends to one of them are received here. A group is at most
   * 255 bytes (EINVAL beyond); joining a group twice fails with EINVAL. Over udp:// keep
   * groups under 128 bytes: libzmq 4.3.4 reads the group length of a datagram as a signed
   * byte, and a receiving DISH aborts the process on a longer one.
   */
  join(...groups: Array<Buffer | string>): void {
    for (const group of groups) this.#group("join", group);
  }

  /** Leaves groups joined before. */
  leave(...groups: Array<Buffer | string>): void {
    for (const group of groups) this.#group("leave", group);
  }

  #group(operation: "join" | "leave", group: unknown): void {
    const name = groupOf({ group });
    if (this.closed) throw new ZmqError("EBADF", `Socket is closed; cannot ${operation}`);
    try {
      nativeSocketOf(this)[operation](name);
    } catch (error) {
      throw fromNative(error);
    }
  }

  protected override shapeMessage(
    frames: Message[],
    _routingId: number,
    group: Buffer | undefined,
  ): Message[] {
    return [frames[0]!, { group } as unknown as Message];
  }
}
export interface Dish
  extends Readable<[Message, DishGroupOptions]>, SocketOptionProperties<"Dish"> {}
defineSocketClass(Dish, "Dish", { readable: true, writable: false });

/** GATHER: fair-queues single-frame messages from SCATTER peers. */
export class Gather extends Socket {
  constructor(options?: SocketOptions<"Gather">) {
    super(ZMQ.GATHER, options);
  }
}
export interface Gather extends Readable<[Message]>, SocketOptionProperties<"Gather"> {}
defineSocketClass(Gather, "Gather", { readable: true, writable: false });

/** SCATTER: load-balances single-frame messages over GATHER peers. */
export class Scatter extends Socket {
  constructor(options?: SocketOptions<"Scatter">) {
    super(ZMQ.SCATTER, options);
  }
}
export interface Scatter extends Writable<MessageLike>, SocketOptionProperties<"Scatter"> {}
defineSocketClass(Scatter, "Scatter", { readable: false, writable: true });

/** DGRAM: udp:// datagrams; every message is [address ("ip:port"), data]. */
export class Datagram extends Socket {
  constructor(options?: SocketOptions<"Datagram">) {
    super(ZMQ.DGRAM, options);
  }
}
export interface Datagram
  extends
    Readable<[Message, Message]>,
    Writable<[MessageLike, MessageLike]>,
    SocketOptionProperties<"Datagram"> {}
defineSocketClass(Datagram, "Datagram", { readable: true, writable: true });

/** PEER: like SERVER, but connects too; every peer is addressed by routing id. */
export class Peer extends Socket {
  constructor(options?: SocketOptions<"Peer">) {
    super(ZMQ.PEER, options);
  }

  protected override shapeMessage(frames: Message[], routingId: number): Message[] {
    return [frames[0]!, { routingId } as unknown as Message];
  }
}
export interface Peer
  extends
    Readable<[Message, ServerRoutingOptions]>,
    Writable<MessageLike, [ServerRoutingOptions]>,
    SocketOptionProperties<"Peer"> {}
defineSocketClass(Peer, "Peer", { readable: true, writable: true }, routedSend);

/** CHANNEL: a thread-safe PAIR. */
export class Channel extends Socket {
  constructor(options?: SocketOptions<"Channel">) {
    super(ZMQ.CHANNEL, options);
  }
}
export interface Channel
  extends Readable<[Message]>, Writable<MessageLike>, SocketOptionProperties<"Channel"> {}
defineSocketClass(Channel, "Channel", { readable: true, writable: true });
