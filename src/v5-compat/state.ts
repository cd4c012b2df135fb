// What a v5 socket keeps for itself. It lives in a WeakMap, not on the EventEmitter: code that
// subclasses the v5 Socket (jmp does) inspects the object's own fields, such as `_events`, and
// must find there only what v5 put there.
import type { Message, MessageLike, Observer } from "../index";
import type { AnySocket, SocketType } from "./socket-types";

/** A send() callback: called without arguments once libzmq took the message, or with the error. */
export type Callback = (error?: Error) => void;

/** A message handed to send() that libzmq has not taken yet. */
export interface Outgoing {
  readonly frames: MessageLike[];
  readonly callbacks: Callback[];
}

export interface SocketState {
  readonly type: SocketType;
  readonly socket: AnySocket;
  /** Frames given with ZMQ_SNDMORE, and their callbacks, waiting for the message's last frame. */
  parts: MessageLike[];
  partCallbacks: Callback[];
  /** Whole messages in the order send() got them; the first may be waiting inside `socket`. */
  readonly outbox: Outgoing[];
  /** Whether outbox[0] was handed to socket.send() and waits there for libzmq. */
  sending: boolean;
  /** Messages libzmq took so far: a REQ's receive that failed with EFSM before one may retry. */
  sentCount: number;
  paused: boolean;
  /** Whether the receive loop runs; `stopReceiving` ends its wait for the next message. */
  receiving: boolean;
  stopReceiving: AbortController | undefined;
  /** Messages taken from libzmq after pause() was called, emitted first on resume(). */
  readonly held: Message[][];
  /** The monitor's observer, while monitor() is on. */
  observer: Observer | undefined;
  /**
   * Options libzmq accepts on every socket type although they have no effect on this one (a
   * send high water mark on a PULL): zmq-napi's class has no property for them, so the value
   * set is kept here, as libzmq would keep it.
   */
  readonly remembered: Map<number, unknown>;
}

const states = new WeakMap<object, SocketState>();

export function createState(type: SocketType, socket: AnySocket): SocketState {
  return {
    type,
    socket,
    parts: [],
    partCallbacks: [],
    outbox: [],
    sending: false,
    sentCount: 0,
    paused: false,
    receiving: false,
    stopReceiving: undefined,
    held: [],
    observer: undefined,
    remembered: new Map(),
  };
}

export function attachState(owner: object, state: SocketState): void {
  states.set(owner, state);
}

/** The state of a v5 socket; a clear error for an object the Socket constructor never ran on. */
export function stateOf(owner: unknown): SocketState {
  const state = typeof owner === "object" && owner !== null ? states.get(owner) : undefined;
  if (state === undefined) {
    throw new TypeError(
      "Expected a v5-compat Socket (made by zmq.socket(type), new zmq.Socket(type) or " +
        "zmq.Socket.call(this, type) in a subclass constructor)",
    );
  }
  return state;
}
