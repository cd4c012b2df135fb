// Receiving a message together with the metadata of the connection it came on: libzmq's
// message properties (zmq_msg_gets), as pyzmq's frame.get("Peer-Address"). A path of its own,
// beside the batched receive, so that programs which never ask for metadata pay nothing: the
// batch path keeps none (a batched message no longer has its zmq_msg_t).
//
// It takes one message per native call, straight from libzmq. Messages a receive(),
// tryReceive() or `for await` batch took already wait in the socket's inbox without their
// metadata; they come first, in order, with `metadata: null`. Waiting uses the socket's
// readiness watchers (poll-watchers.ts), as a Poller does, so the edge-triggered ZMQ_FD is
// handled by the socket's own readiness loop.
import { rejectingInCaller } from "./call-site";
import { ZmqError, closedError, rangeError, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { abortReason } from "./pending";
import { afterNativeCall, nativeSocketOf, pollWatchers, type Socket } from "./socket";
import { optionHost } from "./socket-options";
import type { Message, OperationOptions } from "./message";
import type { PollWatcher } from "./poll-watchers";
import type { ShapeMessage } from "./receive-batch";
import { settleSoon } from "./util/fairness";

/**
 * The metadata of the connection a message came on: libzmq's message properties
 * (`zmq_msg_gets`). Each field is absent when the connection does not have it: inproc
 * connections have none at all, and `userId` needs a ZAP handler (an {@link Authenticator}).
 */
export interface ConnectionMetadata {
  /**
   * `Peer-Address`: for tcp, the peer's IP address as the kernel sees it (no port); for ipc on
   * Linux, the host part followed by `:uid:gid:pid` of the peer process (SO_PEERCRED).
   */
  readonly peerAddress?: string;
  /**
   * `User-Id`: who the ZAP handler said the peer is. With zmq-napi's Authenticator: the PLAIN
   * user name, the CURVE public key (Z85), or the `userId` its `authorize` callback returned.
   */
  readonly userId?: string;
  /** `Socket-Type`: the peer's socket type, as its handshake announced it ("DEALER"). */
  readonly socketType?: string;
  /**
   * `Routing-Id`: the routing id a REQ, DEALER or ROUTER peer announced in its handshake (its
   * `routingId` option; "" when it set none), as text. libzmq 4.3.4 keeps it under its ZMTP
   * name, `Identity`; both are read.
   */
  readonly routingId?: string;
  /**
   * The properties asked for with {@link MetadataReceiveOptions.properties} that the connection
   * has: those the peer set with its `metadata` option (ZMQ_METADATA, "X-Name:value"), or
   * others by their libzmq name. libzmq 4.3.4 cannot list a connection's properties, so only
   * names asked for are looked up.
   */
  readonly properties: Readonly<Record<string, string>>;
}

/** Options of `receiveWithMetadata()`. */
export interface MetadataReceiveOptions extends OperationOptions {
  /** Further property names to read, e.g. `["X-Tenant"]` for a peer's ZMQ_METADATA. */
  properties?: readonly string[];
}

/** A received message and the metadata of its connection. */
export interface MessageWithMetadata<M> {
  /** The message, in the shape `receive()` gives it. */
  readonly message: M;
  /**
   * Its connection's metadata; null for a message that an earlier `receive()`, `tryReceive()`
   * or `for await` had taken from libzmq already (that path keeps no metadata). A socket read
   * only with `receiveWithMetadata()` never sees null.
   */
  readonly metadata: ConnectionMetadata | null;
}

// The names every call reads, in the order of the native answer's first values.
const BASE_NAMES = ["Peer-Address", "User-Id", "Socket-Type", "Routing-Id", "Identity"];

function propertyNames(options: MetadataReceiveOptions | undefined): string[] {
  const asked: unknown = options?.properties;
  if (asked === undefined) return BASE_NAMES;
  if (!Array.isArray(asked)) throw typeError("an array of strings", "properties", asked);
  for (const name of asked as unknown[]) {
    if (typeof name !== "string") throw typeError("a string", "each of properties", name);
    // A NUL would cut the name short on its way to zmq_msg_gets.
    if (name.length === 0 || name.includes("\0")) {
      throw rangeError("a non-empty name without NUL", "each of properties", name);
    }
  }
  return [...BASE_NAMES, ...(asked as string[])];
}

type NativeAnswer = [Buffer[], Array<string | null>, number, Buffer | null];

function decode(
  answer: NativeAnswer,
  names: readonly string[],
  shape: ShapeMessage | null,
): MessageWithMetadata<Message[]> {
  const [frames, values, routingId, group] = answer;
  const [peerAddress, userId, socketType, routingIdValue, identity] = values;
  const properties: Array<[string, string]> = [];
  for (let i = BASE_NAMES.length; i < names.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) properties.push([names[i], value]);
  }
  const metadata: {
    -readonly [K in keyof ConnectionMetadata]: ConnectionMetadata[K];
  } = { properties: Object.fromEntries(properties) };
  if (peerAddress !== null) metadata.peerAddress = peerAddress;
  if (userId !== null) metadata.userId = userId;
  if (socketType !== null) metadata.socketType = socketType;
  const peerRoutingId = routingIdValue ?? identity;
  if (peerRoutingId !== null) metadata.routingId = peerRoutingId;
  const message = shape === null ? frames : shape(frames, routingId >>> 0, group ?? undefined);
  return { message, metadata };
}

/**
 * Receives the next message of `socket` with its connection's metadata (see
 * MessageWithMetadata): from the inbox first, else straight from libzmq, waiting for one
 * (with `receiveTimeout`, and `options.signal`) when none is ready.
 */
export function receiveWithMetadata(
  socket: Socket,
  takeWaiting: () => Message[] | null,
  shape: ShapeMessage | null,
  options?: MetadataReceiveOptions,
): Promise<MessageWithMetadata<Message[]>> {
  const names = propertyNames(options);
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));

  // One look: a message from the inbox or libzmq, null when none is ready (or a bind or
  // unbind holds the socket: then the socket's readiness wakes us once it is done).
  const attempt = (): MessageWithMetadata<Message[]> | null => {
    const waiting = takeWaiting();
    if (waiting !== null) return { message: waiting, metadata: null };
    let answer: NativeAnswer | null;
    try {
      answer = nativeSocketOf(socket).receiveWithMetadata(names);
    } catch (error) {
      if (error instanceof ZmqError && error.code === "EBUSY") return null;
      throw error;
    } finally {
      // The receive processed the socket's commands: an edge something waits for may be gone.
      socket[afterNativeCall]();
    }
    return answer === null ? null : decode(answer, names, shape);
  };

  if (socket.closed) throw closedError("receive");
  let first: MessageWithMetadata<Message[]> | null;
  try {
    first = attempt();
  } catch (error) {
    return Promise.reject(error);
  }
  if (first !== null) return settleSoon(first);
  // It settles later: a rejection gets the stack of the async functions awaiting it.
  return rejectingInCaller(waitForMessage(socket, attempt, signal));
}

/** Waits, with a one-shot readiness watcher re-armed after each empty look, until a message. */
function waitForMessage<T>(
  socket: Socket,
  attempt: () => T | null,
  signal: AbortSignal | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const watchers = socket[pollWatchers];
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (settle: () => void) => {
      done = true;
      watchers.delete(watcher);
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const look = () => {
      if (done) return;
      if (socket.closed) {
        finish(() =>
          reject(new ZmqError("EAGAIN", "Socket was closed while a receive was pending")),
        );
        return;
      }
      try {
        const found = attempt();
        if (found !== null) finish(() => resolve(found));
        else watchers.add(watcher);
      } catch (error) {
        finish(() => reject(error));
      }
    };
    // Woken from inside the socket's readiness loop, which must not be re-entered: look after.
    const watcher: PollWatcher = { mask: ZMQ.POLLIN, wake: () => queueMicrotask(look) };
    const onAbort = () => finish(() => reject(abortReason(signal as AbortSignal)));
    // receiveTimeout, as the socket's receive queue keeps it (no native call).
    const timeout = socket[optionHost].receivers.timeout;
    if (timeout >= 0) {
      timer = setTimeout(
        () =>
          finish(() =>
            reject(new ZmqError("EAGAIN", `Timed out after ${timeout} ms waiting to receive`)),
          ),
        timeout,
      );
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    watchers.add(watcher);
  });
}
