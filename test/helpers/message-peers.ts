// Connected socket pairs for the message-path tests, behind one shape: how a planned message is
// sent, and what of a received message is its payload once the envelope (a ROUTER's identity
// frame, a SERVER's routingId, a DISH's group) has been checked. High water marks are 0
// (unbounded) everywhere, so that no pattern drops or refuses a queued message.
import { Client, Dish, Radio, Server } from "../../src/draft";
import { Dealer, Pair, Publisher, Pull, Push, Router, Subscriber } from "../../src/index";
import { bindFresh, type Transport } from "./endpoints";
import { sleep, within } from "./lifecycle";

export type PeerKind =
  | "PUSH/PULL"
  | "PAIR"
  | "DEALER/ROUTER"
  | "PUB/SUB"
  | "CLIENT/SERVER"
  | "SERVER/CLIENT"
  | "RADIO/DISH";

/** Kinds whose messages are one frame (the draft thread-safe sockets). */
export const singleFrameKinds: readonly PeerKind[] = [
  "CLIENT/SERVER",
  "SERVER/CLIENT",
  "RADIO/DISH",
];
/** Kinds whose sender has no sendBatch that can address a message (routingId, group). */
export const unbatchedKinds: readonly PeerKind[] = ["SERVER/CLIENT", "RADIO/DISH"];

/** What every receiving socket has, whatever the shape of its messages. */
export interface Receiver {
  receive(): Promise<unknown[]>;
  tryReceive(): unknown[] | null;
  receiveBatch(max?: number): Promise<unknown[][]>;
  [Symbol.asyncIterator](): AsyncIterator<unknown[], undefined>;
  readonly readable: boolean;
}

export interface Peers {
  send(frames: Buffer[], message: number): Promise<void>;
  trySend(frames: Buffer[], message: number): boolean;
  /** Absent where the sender cannot address a batch (see unbatchedKinds). */
  sendBatch?: (messages: Buffer[][]) => Promise<void>;
  receiver: Receiver;
  /** The payload frames of received message `message`; throws if its envelope is wrong. */
  payload(received: unknown[], message: number): unknown[];
  close(): void;
}

export interface PeerOptions {
  /** DEALER/ROUTER: the dealer's routing id, which the router must see first. */
  identity: string;
  /** RADIO/DISH: the groups joined; message m goes to groups[m % groups.length]. */
  groups: readonly string[];
}

const unbounded = { linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 };
const sending = { linger: 0, sendHighWaterMark: 0 };
const receiving = { linger: 0, receiveHighWaterMark: 0 };

/** A connected pair of `kind` over `transport`, ready to carry planned messages. */
export async function openPeers(
  kind: PeerKind,
  transport: Transport,
  options: PeerOptions,
): Promise<Peers> {
  const sockets: Array<{ close(): void }> = [];
  const own = <T extends { close(): void }>(socket: T): T => {
    sockets.push(socket);
    return socket;
  };
  const close = () => {
    for (const socket of sockets.reverse()) socket.close();
  };
  try {
    return { ...(await connect(kind, transport, options, own)), close };
  } catch (error) {
    close();
    throw error;
  }
}

type Own = <T extends { close(): void }>(socket: T) => T;

async function connect(
  kind: PeerKind,
  transport: Transport,
  options: PeerOptions,
  own: Own,
): Promise<Omit<Peers, "close">> {
  const plain = (frames: Buffer[]) => frames;
  switch (kind) {
    case "PUSH/PULL": {
      const pull = own(new Pull(receiving));
      const push = own(new Push(sending));
      push.connect(await bindFresh(pull, transport));
      return {
        send: (frames) => push.send(frames),
        trySend: (frames) => push.trySend(frames),
        sendBatch: (messages) => push.sendBatch(messages),
        receiver: pull,
        payload: plain,
      };
    }
    case "PAIR": {
      const receiver = own(new Pair(unbounded));
      const sender = own(new Pair(unbounded));
      sender.connect(await bindFresh(receiver, transport));
      return {
        send: (frames) => sender.send(frames),
        trySend: (frames) => sender.trySend(frames),
        sendBatch: (messages) => sender.sendBatch(messages),
        receiver,
        payload: plain,
      };
    }
    case "DEALER/ROUTER": {
      const router = own(new Router(unbounded));
      const dealer = own(new Dealer({ ...unbounded, routingId: options.identity }));
      dealer.connect(await bindFresh(router, transport));
      const identity = Buffer.from(options.identity);
      return {
        send: (frames) => dealer.send(frames),
        trySend: (frames) => dealer.trySend(frames),
        sendBatch: (messages) => dealer.sendBatch(messages),
        receiver: router,
        payload: (received) => {
          const [first, ...frames] = received;
          if (!Buffer.isBuffer(first) || !first.equals(identity)) {
            throw new Error(`the identity frame is ${String(first)}, not ${options.identity}`);
          }
          return frames;
        },
      };
    }
    case "PUB/SUB": {
      const sub = own(new Subscriber(receiving));
      const pub = own(new Publisher(sending));
      pub.connect(await bindFresh(sub, transport));
      sub.subscribe();
      await subscribed(sub, (probe) => pub.send(probe));
      return {
        send: (frames) => pub.send(frames),
        trySend: (frames) => pub.trySend(frames),
        sendBatch: (messages) => pub.sendBatch(messages),
        receiver: sub,
        payload: plain,
      };
    }
    case "CLIENT/SERVER": {
      const server = own(new Server(unbounded));
      const client = own(new Client(unbounded));
      client.connect(await bindFresh(server, transport));
      let routingId: number | undefined;
      return {
        send: (frames) => client.send(only(frames)),
        trySend: (frames) => client.trySend(only(frames)),
        sendBatch: (messages) => client.sendBatch(messages.map(only)),
        receiver: server as unknown as Receiver,
        payload: (received) => {
          const [frame, meta] = received as [unknown, { routingId?: unknown }];
          const id = meta?.routingId;
          if (typeof id !== "number" || !Number.isInteger(id) || id <= 0) {
            throw new Error(`routingId ${String(id)} is not a positive integer`);
          }
          routingId ??= id;
          if (id !== routingId) throw new Error(`routingId changed from ${routingId} to ${id}`);
          return [frame];
        },
      };
    }
    case "SERVER/CLIENT": {
      const server = own(new Server(unbounded));
      const client = own(new Client(unbounded));
      client.connect(await bindFresh(server, transport));
      // The server learns the client's routing id from a first message.
      await client.send("hello");
      const [, { routingId }] = await within(server.receive(), 10_000, "the client's hello");
      return {
        send: (frames) => server.send(only(frames), { routingId }),
        trySend: (frames) => server.trySend(only(frames), { routingId }),
        receiver: client,
        payload: plain,
      };
    }
    case "RADIO/DISH": {
      const radio = own(new Radio(sending));
      const dish = own(new Dish(receiving));
      dish.connect(await bindFresh(radio, transport));
      dish.join(...options.groups);
      // Joins reach the radio in order: once the last group's probe arrives, all are in effect.
      const last = options.groups[options.groups.length - 1];
      await subscribed(dish, (probe) => radio.send(only(probe), { group: last }));
      const groupOf = (message: number) => options.groups[message % options.groups.length];
      return {
        send: (frames, message) => radio.send(only(frames), { group: groupOf(message) }),
        trySend: (frames, message) => radio.trySend(only(frames), { group: groupOf(message) }),
        receiver: dish as unknown as Receiver,
        payload: (received, message) => {
          const [frame, meta] = received as [unknown, { group?: unknown }];
          const group = meta?.group;
          if (!Buffer.isBuffer(group) || group.toString() !== groupOf(message)) {
            throw new Error(`group ${String(group)}, expected ${groupOf(message)}`);
          }
          return [frame];
        },
      };
    }
  }
}

function only(frames: Buffer[]): Buffer {
  if (frames.length !== 1)
    throw new Error(`a single-frame socket was given ${frames.length} frames`);
  return frames[0];
}

/**
 * Sends probes until one arrives (subscriptions and joins travel to the sender
 * asynchronously), then a marker, and discards everything up to the marker: what arrives next
 * is the plan's first message.
 */
async function subscribed(
  receiver: Receiver,
  send: (frames: Buffer[]) => Promise<void>,
): Promise<void> {
  const probe = [Buffer.from("probe")];
  const marker = [Buffer.from("probes end")];
  const deadline = Date.now() + 10_000;
  while (receiver.tryReceive() === null) {
    if (Date.now() > deadline) throw new Error("the subscription never took effect");
    await send(probe);
    await sleep(2);
  }
  await send(marker);
  for (;;) {
    const [first] = await within(receiver.receive(), 10_000, "the end of the probes");
    if (Buffer.isBuffer(first) && first.equals(marker[0])) return;
  }
}
