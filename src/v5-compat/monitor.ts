// monitor()/unmonitor(): zmq-napi's Observer events, emitted on the socket under v5's names,
// with v5's arguments (value, endpoint address, error).
import type { EventEmitter } from "node:events";

import type { Event, EventType } from "../index";
import { emitLater, rethrowLater } from "./io";
import type { SocketState } from "./state";

/** v5's event name for each Observer event type (libzmq's ZMQ_EVENT_* names, lower case). */
const v5Names: Partial<Record<EventType, string>> = {
  connect: "connect",
  "connect:delay": "connect_delay",
  "connect:retry": "connect_retry",
  bind: "listen",
  "bind:error": "bind_error",
  accept: "accept",
  "accept:error": "accept_error",
  close: "close",
  "close:error": "close_error",
  disconnect: "disconnect",
  handshake: "handshake_succeeded",
  "handshake:error:other": "handshake_failed_no_detail",
  "handshake:error:protocol": "handshake_failed_protocol",
  "handshake:error:auth": "handshake_failed_auth",
};

/**
 * The event's value as v5 gave it: the reconnect interval, or the error's errno. (For the other
 * events libzmq's value is a file descriptor, which zmq-napi does not report: undefined.)
 */
function valueOf(event: Event): number | undefined {
  if (event.type === "connect:retry") return event.interval;
  if ("error" in event) return (event.error as Error & { errno?: number }).errno;
  return undefined;
}

function emitEvent(owner: EventEmitter, name: string, event: Event): void {
  const address = "address" in event ? event.address : undefined;
  const error = "error" in event ? event.error : undefined;
  try {
    owner.emit(name, valueOf(event), address, error);
  } catch (thrown) {
    // From a fresh stack, like any listener's exception; the monitor goes on.
    rethrowLater(thrown);
  }
}

/** Starts emitting the socket's connection events (once; a second monitor() changes nothing). */
export function startMonitor(owner: EventEmitter, state: SocketState): void {
  if (state.observer !== undefined && !state.observer.closed) return;
  const observer = state.socket.events;
  state.observer = observer;
  void (async () => {
    try {
      for await (const event of observer) {
        if (event.type === "end") return;
        const name = v5Names[event.type];
        if (name !== undefined) emitEvent(owner, name, event);
      }
    } catch (error) {
      if (!observer.closed) emitLater(owner, "monitor_error", error);
    }
  })();
}

/** Stops the events started by monitor(). */
export function stopMonitor(state: SocketState): void {
  state.observer?.close();
  state.observer = undefined;
}
