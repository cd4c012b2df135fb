// The draft-API entry point (`zmq-napi/draft`): socket types libzmq 4.3.4 marks as draft.
// Their API may change with libzmq; they are built in (capability.draft is true). What they
// send and receive (routing ids, groups, single frames) comes from their table entries
// (socket-types.ts).
import { closedError } from "./errors";
import { Socket, nativeSocketOf } from "./socket";
import "./observer"; // socket.events
import { defineSocketClass, groupOf, type SocketApi, type SocketOptions } from "./socket-class";
import { typeIdOf } from "./socket-types";

export type {
  SocketOptions,
  Readable,
  Writable,
  ServerRoutingOptions,
  RadioGroupOptions,
  DishGroupOptions,
} from "./socket-class";

/** SERVER: replies to CLIENT peers by routing id; single-frame messages. Thread-safe in libzmq. */
export class Server extends Socket {
  constructor(options?: SocketOptions<"Server">) {
    super(typeIdOf("Server"), options);
  }
}
export interface Server extends SocketApi<"Server"> {}
defineSocketClass(Server, "Server");

/** CLIENT: talks to a SERVER; single-frame messages. */
export class Client extends Socket {
  constructor(options?: SocketOptions<"Client">) {
    super(typeIdOf("Client"), options);
  }
}
export interface Client extends SocketApi<"Client"> {}
defineSocketClass(Client, "Client");

/** RADIO: publishes to groups; DISH sockets that joined a group receive its messages. */
export class Radio extends Socket {
  constructor(options?: SocketOptions<"Radio">) {
    super(typeIdOf("Radio"), options);
  }
}
export interface Radio extends SocketApi<"Radio"> {}
defineSocketClass(Radio, "Radio");

/** DISH: receives the messages of the groups it joined. */
export class Dish extends Socket {
  constructor(options?: SocketOptions<"Dish">) {
    super(typeIdOf("Dish"), options);
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
    if (this.closed) throw closedError(operation);
    nativeSocketOf(this)[operation](name);
  }
}
export interface Dish extends SocketApi<"Dish"> {}
defineSocketClass(Dish, "Dish");

/** GATHER: fair-queues single-frame messages from SCATTER peers. */
export class Gather extends Socket {
  constructor(options?: SocketOptions<"Gather">) {
    super(typeIdOf("Gather"), options);
  }
}
export interface Gather extends SocketApi<"Gather"> {}
defineSocketClass(Gather, "Gather");

/** SCATTER: load-balances single-frame messages over GATHER peers. */
export class Scatter extends Socket {
  constructor(options?: SocketOptions<"Scatter">) {
    super(typeIdOf("Scatter"), options);
  }
}
export interface Scatter extends SocketApi<"Scatter"> {}
defineSocketClass(Scatter, "Scatter");

/** DGRAM: udp:// datagrams; every message is [address ("ip:port"), data]. */
export class Datagram extends Socket {
  constructor(options?: SocketOptions<"Datagram">) {
    super(typeIdOf("Datagram"), options);
  }
}
export interface Datagram extends SocketApi<"Datagram"> {}
defineSocketClass(Datagram, "Datagram");

/** PEER: like SERVER, but connects too; every peer is addressed by routing id. */
export class Peer extends Socket {
  constructor(options?: SocketOptions<"Peer">) {
    super(typeIdOf("Peer"), options);
  }
}
export interface Peer extends SocketApi<"Peer"> {}
defineSocketClass(Peer, "Peer");

/** CHANNEL: a thread-safe PAIR. */
export class Channel extends Socket {
  constructor(options?: SocketOptions<"Channel">) {
    super(typeIdOf("Channel"), options);
  }
}
export interface Channel extends SocketApi<"Channel"> {}
defineSocketClass(Channel, "Channel");
