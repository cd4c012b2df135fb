// What turns a Socket subclass into a socket type: its methods and options (mixed in at run
// time) and its TypeScript interface, both read from the socket-type table (socket-types.ts).
import { ZmqError, expectInteger, typeError } from "./errors";
import {
  receiveWithMetadata,
  type MessageWithMetadata,
  type MetadataReceiveOptions,
} from "./message-metadata";
import { RECEIVE_BATCH, shapeFor } from "./receive-batch";
import { Socket, type Message, type MessageLike, type OperationOptions } from "./socket";
import { defineSocketOptions, sealInstancesOf } from "./socket-options";
import { socketTypes, type SocketClassName } from "./socket-types";
import type { SocketOptionProperties, SocketOptionValues } from "./options";
import { settleSoon } from "./util/fairness";
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
  /**
   * Resolves with the next message and the metadata of the connection it came on (peer
   * address, ZAP user id, the peer's ZMQ_METADATA properties…): a `ConnectionMetadata`;
   * `receive()` stays the fast path, this one costs a native call per message.
   */
  receiveWithMetadata(options?: MetadataReceiveOptions): Promise<MessageWithMetadata<M>>;
  /** `for await (const [msg] of socket)`; ends when the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>;
}

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

// --- the TypeScript interface of a socket type, from its table entry --------------------------

type Spec<C extends SocketClassName> = (typeof socketTypes)[C];

/** A received message of socket class C. */
type Received<C extends SocketClassName> = Spec<C>["frames"] extends "multipart"
  ? Message[]
  : Spec<C>["frames"] extends readonly [string, string]
    ? [Message, Message]
    : Spec<C>["metadata"] extends "routingId"
      ? [Message, ServerRoutingOptions]
      : Spec<C>["metadata"] extends "group"
        ? [Message, DishGroupOptions]
        : [Message];

/** The send methods of socket class C. */
type Sending<C extends SocketClassName> = Spec<C>["frames"] extends "multipart"
  ? Writable
  : Spec<C>["frames"] extends readonly [string, string]
    ? Writable<[MessageLike, MessageLike]>
    : Spec<C>["metadata"] extends "routingId"
      ? Writable<MessageLike, [ServerRoutingOptions]>
      : Spec<C>["metadata"] extends "group"
        ? Writable<MessageLike, [RadioGroupOptions]>
        : Writable<MessageLike>;

type Nothing = Record<never, never>;

/**
 * What socket class C has besides Socket's own members: its send and receive methods (with
 * the message shapes of its table entry) and its options.
 */
export type SocketApi<C extends SocketClassName> = (Spec<C>["readable"] extends true
  ? Readable<Received<C>>
  : Nothing) &
  (Spec<C>["writable"] extends true ? Sending<C> : Nothing) &
  SocketOptionProperties<C>;

// --- the methods mixed into the classes -------------------------------------------------------

/** The protected Socket methods the mixins (here, sockets.ts and draft.ts) call. */
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
  takeWaitingMessage(): Message[] | null;
  setRawOption(id: number, kind: number, value: unknown): void;
};
/** @internal */
export const internals = (socket: Socket) => socket as unknown as Internals;

/** The send/trySend/sendBatch methods, mixed into every sending socket class. */
const writableMethods = {
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

function routingIdOf(options: unknown): number {
  if (typeof options !== "object" || options === null)
    throw typeError("an object with routingId", "options", options);
  const { routingId } = options as { routingId: unknown };
  expectInteger(routingId, "routingId", 1, 2 ** 32 - 1);
  return routingId;
}

/** A group's bytes: groups are bytes (a string is its UTF-8), never decoded. */
export function groupOf(options: unknown): Buffer | string {
  if (typeof options !== "object" || options === null)
    throw typeError("an object with group", "options", options);
  const { group } = options as { group: unknown };
  if (typeof group === "string" || Buffer.isBuffer(group)) return group;
  throw typeError("a string or Buffer", "group", group);
}

/** send/trySend of the types whose messages carry metadata: it is an argument. */
const sendWithMetadata = {
  none: {},
  routingId: {
    send(this: Socket, message: unknown, options: ServerRoutingOptions): Promise<void> {
      return internals(this).sendMessage(message, options, routingIdOf(options));
    },
    trySend(this: Socket, message: unknown, options: ServerRoutingOptions): boolean {
      return internals(this).trySendMessage(message, routingIdOf(options));
    },
  },
  group: {
    send(this: Socket, message: unknown, options: RadioGroupOptions): Promise<void> {
      return internals(this).sendMessage(message, options, undefined, groupOf(options));
    },
    trySend(this: Socket, message: unknown, options: RadioGroupOptions): boolean {
      return internals(this).trySendMessage(message, undefined, groupOf(options));
    },
  },
};

/** The receive/tryReceive/receiveBatch methods and async iteration of receiving sockets. */
const readableMethods = {
  receive(this: Socket, options?: OperationOptions): Promise<Message[]> {
    return internals(this).receiveMessage(options);
  },
  tryReceive(this: Socket): Message[] | null {
    return internals(this).tryReceiveMessage();
  },
  /** Every message ready now, at least one: one promise and one native call for many. */
  async receiveBatch(this: Socket, max = RECEIVE_BATCH): Promise<Message[][]> {
    const socket = internals(this);
    const batch = [await socket.receiveMessage()];
    // What the inbox holds, then at most one more native batch: a native receive that finds
    // nothing costs libzmq a system call, which a batch should pay once, not per message run.
    let refilled = false;
    while (batch.length < max) {
      let next = socket.takeWaitingMessage();
      if (next === null && !refilled) {
        refilled = true;
        next = socket.tryReceiveMessage();
      }
      if (next === null) break;
      batch.push(next);
    }
    return batch;
  },
  /** Iterates over received messages until the socket is closed (see Readable). */
  [Symbol.asyncIterator](this: Socket): AsyncIterator<Message[], undefined> {
    const socket = internals(this);
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const ended = (error: unknown) =>
      this.closed &&
      error instanceof ZmqError &&
      (error.code === "EAGAIN" || error.code === "EBADF");
    return {
      next: (): Promise<IteratorResult<Message[], undefined>> => {
        const waiting = socket.takeWaitingMessage();
        if (waiting !== null) return settleSoon({ done: false, value: waiting });
        if (this.closed) return Promise.resolve(done);
        return socket.receiveMessage().then(
          (value) => ({ done: false, value }),
          (error: unknown) => {
            if (ended(error)) return done;
            throw error;
          },
        );
      },
      return: (): Promise<IteratorResult<Message[], undefined>> => Promise.resolve(done),
    };
  },
};

/** receiveWithMetadata, for a type whose messages are shaped as `metadata` says. */
function metadataMethod(metadata: (typeof socketTypes)[SocketClassName]["metadata"]) {
  const shape = shapeFor(metadata);
  return {
    receiveWithMetadata(
      this: Socket,
      options?: MetadataReceiveOptions,
    ): Promise<MessageWithMetadata<Message[]>> {
      const socket = internals(this);
      return receiveWithMetadata(this, () => socket.takeWaitingMessage(), shape, options);
    },
  };
}

/** Makes `constructor` socket class `name`: its options and methods, from its table entry. */
export function defineSocketClass(constructor: { prototype: object }, name: SocketClassName): void {
  const spec = socketTypes[name];
  defineSocketOptions(constructor.prototype, name);
  sealInstancesOf(constructor.prototype);
  const methods = {
    ...(spec.writable ? { ...writableMethods, ...sendWithMetadata[spec.metadata] } : {}),
    ...(spec.readable ? { ...readableMethods, ...metadataMethod(spec.metadata) } : {}),
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

/** Validates a prefix, group or routing id given as bytes: a string, Buffer or Uint8Array. */
export function bytesArgument(value: unknown, name: string): string | Buffer {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw typeError("a string or Buffer", name, value);
}
