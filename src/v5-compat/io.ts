// v5's event-driven I/O on top of zmq-napi's promises: a receive loop that emits every message
// as a 'message' event (one argument per frame), and an outbox that send() fills and that is
// handed to libzmq in order. Like v5, pause() stops both, and a REQ or REP socket that is not
// in the state to send or receive (EFSM) simply waits for its turn.
import type { EventEmitter } from "node:events";

import { ZMQ } from "../generated/zmq-constants";
import { ZmqError, type Message, type MessageLike } from "../index";
import type { Callback, Outgoing, SocketState } from "./state";

/** Messages emitted one after another before the loop lets other event-loop work run. */
const BURST = 256;

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === code;
}

// What v5 did from its native callbacks is done here in a microtask of its own: queued at once,
// it runs before anything that waits for libzmq (a send callback before the peer's 'message'),
// and what it throws reaches 'uncaughtException' without stopping the loops.

/** Throws an exception of a listener or callback again, from a fresh stack. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Emits an event from a fresh stack ('error' without a listener then throws, as in v5). */
export function emitLater(owner: EventEmitter, event: string, ...args: unknown[]): void {
  queueMicrotask(() => owner.emit(event, ...args));
}

/** Calls back, with `this` the socket as in v5, from a fresh stack. */
export function callLater(owner: EventEmitter, callback: Callback, error?: unknown): void {
  queueMicrotask(() =>
    error === undefined ? callback.call(owner) : callback.call(owner, error as Error),
  );
}

// --- receiving ----------------------------------------------------------------------------

/** Emits one message; false when a listener threw (rethrown from a fresh stack). */
function deliver(owner: EventEmitter, state: SocketState, message: Message[]): boolean {
  let listenersReturned = true;
  try {
    owner.emit("message", ...message);
  } catch (error) {
    rethrowLater(error);
    listenersReturned = false;
  }
  // A REQ may send its next request, a REP its reply, once a message is in.
  if (state.outbox.length > 0) flushOutbox(owner, state);
  return listenersReturned;
}

/** A macrotask turn: after it, what rethrowLater() queued has reached 'uncaughtException'. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Emits the messages held since pause() (on resume), until the socket pauses again. */
export function deliverHeld(owner: EventEmitter, state: SocketState): void {
  while (state.held.length > 0 && !state.paused && !state.socket.closed) {
    deliver(owner, state, state.held.shift()!);
  }
}

/** Starts the receive loop unless it runs already, or the socket cannot receive now. */
export function startReceiving(owner: EventEmitter, state: SocketState): void {
  const { socket } = state;
  if (state.receiving || state.paused || socket.closed || socket.receive === undefined) return;
  state.receiving = true;
  void receiveLoop(owner, state);
}

/** Whether the loop goes on after `error`; reports the errors v5 reported. */
async function continuesAfter(
  owner: EventEmitter,
  state: SocketState,
  error: unknown,
  aborted: boolean,
  sentBefore: number,
): Promise<boolean> {
  if (state.socket.closed) return false;
  // pause() aborted the wait; resume() may have come since.
  if (aborted) return !state.paused;
  // A REQ that has not sent, a REP that has not replied: the next send restarts the loop,
  // unless one went out while this receive was under way (then it may receive now).
  if (hasCode(error, "EFSM")) return state.sentCount !== sentBefore && !state.paused;
  // receiveTimeout (ZMQ_RCVTIMEO) elapsed: v5's 'message' events never time out. Wait a
  // macrotask so that a zero timeout cannot starve the event loop.
  if (!hasCode(error, "EAGAIN")) emitLater(owner, "error", error);
  await nextTurn();
  return !state.paused && !state.socket.closed;
}

async function receiveLoop(owner: EventEmitter, state: SocketState): Promise<void> {
  const { socket } = state;
  try {
    while (!state.paused && !socket.closed) {
      let stop = state.stopReceiving;
      if (stop === undefined || stop.signal.aborted) {
        stop = state.stopReceiving = new AbortController();
      }
      let message: Message[];
      // (Also for the burst below: a send from any of its listeners lets it go on.)
      const sentBefore = state.sentCount;
      try {
        message = await socket.receive!({ signal: stop.signal });
      } catch (error) {
        if (await continuesAfter(owner, state, error, stop.signal.aborted, sentBefore)) continue;
        return;
      }
      if (state.paused) {
        // Taken from libzmq just before pause(): it is the first one resume() emits.
        state.held.push(message);
        return;
      }
      // As in v5, where a listener's exception left the native callback at once, the next
      // message comes only after that exception has reached 'uncaughtException'.
      let listenersReturned = deliver(owner, state, message);
      let count = 1;
      for (; listenersReturned && count < BURST && !state.paused && !socket.closed; count++) {
        let next: Message[] | null;
        try {
          next = socket.tryReceive!();
        } catch (error) {
          if (await continuesAfter(owner, state, error, false, sentBefore)) break;
          return;
        }
        if (next === null) break;
        listenersReturned = deliver(owner, state, next);
      }
      // A listener threw, or still more after a full burst: let the rest of the event loop
      // (timers, I/O, the rethrown exception) run before the next message.
      if (!listenersReturned || count === BURST) await nextTurn();
    }
  } finally {
    state.receiving = false;
  }
}

/** pause(): the loop stops taking messages; what arrives stays queued in libzmq. */
export function pauseReceiving(state: SocketState): void {
  state.paused = true;
  state.stopReceiving?.abort();
}

/**
 * read(): the next message if one is ready now. While the receive loop waits (the socket is
 * not paused) it comes first, and read() gives null.
 */
export function readMessage(state: SocketState): Message[] | null {
  if (state.held.length > 0) return state.held.shift()!;
  const { socket } = state;
  if (socket.closed || socket.tryReceive === undefined) return null;
  return socket.tryReceive();
}

// --- sending ------------------------------------------------------------------------------

/** v5 sent anything that is not bytes or a string as its string form (`String(frame)`). */
function toFrame(frame: unknown): MessageLike {
  if (typeof frame === "string" || ArrayBuffer.isView(frame) || frame instanceof ArrayBuffer) {
    return frame;
  }
  return String(frame);
}

function succeeded(owner: EventEmitter, state: SocketState, message: Outgoing): void {
  state.sentCount++;
  for (const callback of message.callbacks) callLater(owner, callback);
  // A REQ waits for its reply from now on.
  startReceiving(owner, state);
}

function failed(owner: EventEmitter, message: Outgoing, error: unknown): void {
  if (message.callbacks.length === 0) emitLater(owner, "error", error);
  for (const callback of message.callbacks) callLater(owner, callback, error);
}

/** send(): adds frames to the message being built; with the last frame, queues it. */
export function queueMessage(
  owner: EventEmitter,
  state: SocketState,
  message: unknown,
  flags: unknown,
  callback: unknown,
): void {
  // send(message, callback): v5 ignored such a callback; it is surely meant as one.
  if (typeof flags === "function" && callback === undefined) [flags, callback] = [0, flags];
  const frames = Array.isArray(message) ? message : [message];
  for (const frame of frames) state.parts.push(toFrame(frame));
  if (typeof callback === "function") state.partCallbacks.push(callback as Callback);
  if ((Number(flags ?? 0) & ZMQ.SNDMORE) !== 0) return;
  const outgoing: Outgoing = { frames: state.parts, callbacks: state.partCallbacks };
  state.parts = [];
  state.partCallbacks = [];
  const { socket } = state;
  if (socket.closed) {
    // v5 dropped messages sent after close() (a handler still forwarding, say) without an
    // 'error' event; a callback hears of it.
    const error = new ZmqError("EBADF", "Socket is closed; cannot send");
    for (const callback of outgoing.callbacks) callLater(owner, callback, error);
  } else if (socket.trySend === undefined) {
    failed(owner, outgoing, new ZmqError("ENOTSUP", `A ${state.type} socket cannot send`));
  } else {
    state.outbox.push(outgoing);
    flushOutbox(owner, state);
  }
}

/** Hands the outbox to libzmq, in order, until libzmq pushes back or the socket pauses. */
export function flushOutbox(owner: EventEmitter, state: SocketState): void {
  const { socket, outbox } = state;
  if (state.sending || socket.trySend === undefined) return;
  while (outbox.length > 0 && !state.paused && !socket.closed) {
    const next = outbox[0];
    let taken: boolean;
    try {
      taken = socket.trySend(next.frames);
    } catch (error) {
      // Not this socket's turn to send (REQ, REP): a received message brings it.
      if (hasCode(error, "EFSM")) return;
      // A bind or unbind is in progress: send() waits for it.
      if (!hasCode(error, "EBUSY")) {
        outbox.shift();
        failed(owner, next, error);
        continue;
      }
      taken = false;
    }
    if (taken) {
      outbox.shift();
      succeeded(owner, state, next);
      continue;
    }
    waitForLibzmq(owner, state, next);
    return;
  }
}

/** libzmq pushed back (high water mark, no peer yet): send() resolves when it takes the message. */
function waitForLibzmq(owner: EventEmitter, state: SocketState, next: Outgoing): void {
  state.sending = true;
  state.socket.send!(next.frames).then(
    () => {
      state.sending = false;
      if (state.outbox[0] === next) state.outbox.shift();
      succeeded(owner, state, next);
      flushOutbox(owner, state);
    },
    (error: unknown) => {
      state.sending = false;
      // Closing drops what libzmq has not taken, as v5 did, without calling back. EFSM: not
      // this REQ's or REP's turn yet; the next received message sends it.
      if (state.socket.closed || hasCode(error, "EFSM")) return;
      if (state.outbox[0] === next) state.outbox.shift();
      failed(owner, next, error);
      flushOutbox(owner, state);
    },
  );
}
