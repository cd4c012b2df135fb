// What a socket monitor reports, typed: the events of libzmq's monitor (ZMQ_EVENT_*), decoded
// from its two wire formats. Version 1 (zmq_socket_monitor, what zeromq v6 and socket.events
// use) sends [uint16 event, uint32 value] and one endpoint; version 2
// (zmq_socket_monitor_versioned) sends [uint64 event], [uint64 count], the values as uint64,
// then the local and the remote endpoint of the connection.
import { ZmqError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import { addon } from "./native";

/** An error in an event: errno-coded, like every zmq-napi error. */
export type EventError = ZmqError;

/** A ZMTP or ZAP protocol violation during a handshake; `.code` is e.g. "ERR_ZMTP_MECHANISM_MISMATCH". */
export interface ProtoError extends Error {
  /**
   * `"ERR_"` and the name of libzmq's ZMQ_PROTOCOL_ERROR_* constant: `"ERR_ZMTP_MECHANISM_MISMATCH"`
   * (client and server use different mechanisms), `"ERR_ZMTP_CRYPTOGRAPHIC"` (wrong CURVE key),
   * `"ERR_ZAP_MALFORMED_REPLY"`…
   */
  code: string;
}

/** A ZAP authentication failure; `.status` is the ZAP status code (300, 400 or 500). */
export interface AuthError extends Error {
  /** The ZAP status code: 300 temporary failure, 400 refused, 500 internal error of the handler. */
  status: number;
}

/** @inline */
interface EventAddress {
  /** The endpoint the event concerns (`tcp://127.0.0.1:5555`). */
  address: string;
}

/** Every event an Observer reports, with its payload. */
export type Event =
  | ({
      /** A connection from a peer was accepted on a bound endpoint (ZMQ_EVENT_ACCEPTED). */
      type: "accept";
    } & EventAddress)
  | ({
      /** Accepting a connection failed (ZMQ_EVENT_ACCEPT_FAILED). */
      type: "accept:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** The socket is listening on the endpoint (ZMQ_EVENT_LISTENING). */
      type: "bind";
    } & EventAddress)
  | ({
      /** Binding failed (ZMQ_EVENT_BIND_FAILED). */
      type: "bind:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** A connection to the endpoint was made (ZMQ_EVENT_CONNECTED); the handshake follows. */
      type: "connect";
    } & EventAddress)
  | ({
      /** A connect is in progress, asynchronously (ZMQ_EVENT_CONNECT_DELAYED). */
      type: "connect:delay";
    } & EventAddress)
  | ({
      /** A reconnect is scheduled (ZMQ_EVENT_CONNECT_RETRIED). */
      type: "connect:retry";
      /** The reconnect interval, ms. */
      interval: number;
    } & EventAddress)
  | ({
      /** A connection or listener was closed (ZMQ_EVENT_CLOSED). */
      type: "close";
    } & EventAddress)
  | ({
      /** Closing failed (ZMQ_EVENT_CLOSE_FAILED). */
      type: "close:error";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** A peer disconnected, or the connection broke (ZMQ_EVENT_DISCONNECTED). */
      type: "disconnect";
    } & EventAddress)
  | {
      /** Monitoring stopped because the socket closed (ZMQ_EVENT_MONITOR_STOPPED): the last event. */
      type: "end";
    }
  | ({
      /** The security handshake with a peer succeeded (ZMQ_EVENT_HANDSHAKE_SUCCEEDED). */
      type: "handshake";
    } & EventAddress)
  | ({
      /** The handshake failed on a ZMTP or ZAP protocol error (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL). */
      type: "handshake:error:protocol";
      /** Which violation: `.code` names it. */
      error: ProtoError;
    } & EventAddress)
  | ({
      /** The ZAP handler refused the peer (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH). */
      type: "handshake:error:auth";
      /** `.status` is the ZAP status code. */
      error: AuthError;
    } & EventAddress)
  | ({
      /** The handshake failed otherwise (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL), e.g. EPIPE. */
      type: "handshake:error:other";
      /** Why, as an errno-coded error. */
      error: EventError;
    } & EventAddress)
  | ({
      /** An event this version does not know. */
      type: "unknown";
      /** libzmq's event number (ZMQ_EVENT_*). */
      event: number;
      /** The event's value, as libzmq sent it. */
      value: number;
    } & EventAddress);

/** The `type` of every {@link Event}: `"accept"`, `"connect"`, `"handshake:error:auth"`… */
export type EventType = Event["type"];
/** The {@link Event} whose `type` is `T`, e.g. `EventOfType<"connect:retry">` has `interval`. */
export type EventOfType<T extends EventType> = Extract<
  Event,
  {
    /** The type to select. */
    type: T;
  }
>;

/** Where a {@link PeerObserver}'s event happened, from libzmq's versioned monitor. */
export interface PeerEndpoints {
  /**
   * This socket's side: the endpoint of a listener (`bind`, `bind:error`, `close` of a
   * listener), or the local address of a connection (`tcp://127.0.0.1:5555` on the accepting
   * side, the ephemeral port on the connecting side). `""` where libzmq has none (`connect:delay`,
   * `connect:retry`, `close` of a connecter).
   */
  local: string;
  /**
   * The other side: the peer of a connection (`tcp://127.0.0.1:49152`, the peer's port on the
   * accepting side; the endpoint connected to on the connecting side), or the endpoint a
   * connecter is trying. `""` for listener events. Over ipc, libzmq reports `"ipc://"` for the
   * accepted peer: a client's unix socket has no name.
   */
  remote: string;
}

/**
 * An event of a {@link PeerObserver}: an {@link Event} whose `address` is replaced by the two
 * endpoints of libzmq's versioned monitor, `local` and `remote` (see {@link PeerEndpoints}).
 * `end` carries neither.
 */
export type PeerEvent<E extends Event = Event> = E extends {
  /** Only events with an address change. */
  address: string;
}
  ? Omit<E, "address"> & PeerEndpoints
  : E;

/** The {@link PeerEvent} whose `type` is `T`, e.g. `PeerEventOfType<"accept">`. */
export type PeerEventOfType<T extends EventType> = PeerEvent<EventOfType<T>>;

/** The ZMQ_EVENT_* bit of every event type but "unknown": one table for filters and decoding. */
export const EVENT_BITS: Readonly<Record<Exclude<EventType, "unknown">, number>> = {
  accept: ZMQ.EVENT_ACCEPTED,
  "accept:error": ZMQ.EVENT_ACCEPT_FAILED,
  bind: ZMQ.EVENT_LISTENING,
  "bind:error": ZMQ.EVENT_BIND_FAILED,
  connect: ZMQ.EVENT_CONNECTED,
  "connect:delay": ZMQ.EVENT_CONNECT_DELAYED,
  "connect:retry": ZMQ.EVENT_CONNECT_RETRIED,
  close: ZMQ.EVENT_CLOSED,
  "close:error": ZMQ.EVENT_CLOSE_FAILED,
  disconnect: ZMQ.EVENT_DISCONNECTED,
  end: ZMQ.EVENT_MONITOR_STOPPED,
  handshake: ZMQ.EVENT_HANDSHAKE_SUCCEEDED,
  "handshake:error:protocol": ZMQ.EVENT_HANDSHAKE_FAILED_PROTOCOL,
  "handshake:error:auth": ZMQ.EVENT_HANDSHAKE_FAILED_AUTH,
  "handshake:error:other": ZMQ.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
};

const typeByBit = new Map(
  Object.entries(EVENT_BITS).map(([type, bit]) => [bit, type as Exclude<EventType, "unknown">]),
);
const errnoNames = new Map(Object.entries(addon.errno).map(([name, number]) => [number, name]));
const protocolNames = new Map<number, string>(
  Object.entries(ZMQ)
    .filter(([name]) => name.startsWith("PROTOCOL_ERROR_"))
    .map(([name, value]) => [value, `ERR_${name.slice("PROTOCOL_ERROR_".length)}`]),
);

function errnoError(errno: number, address: string): ZmqError {
  const code = errnoNames.get(errno) ?? "EUNKNOWN";
  const error = new ZmqError(code, `${code} (${errno}) on ${address}`, address);
  error.errno = errno;
  return error;
}

/** An event without its endpoints: what both wire formats have in common. */
type EventBody = PeerEvent extends infer E
  ? E extends unknown
    ? Omit<E, keyof PeerEndpoints>
    : never
  : never;

/** The event `id` with `value`; `where` names the endpoint in error messages. */
function eventBody(id: number, value: number, where: string): EventBody {
  const type = typeByBit.get(id);
  switch (type) {
    case undefined:
      return { type: "unknown", event: id, value };
    case "connect:retry":
      return { type, interval: value };
    case "bind:error":
    case "accept:error":
    case "close:error":
    case "handshake:error:other":
      return { type, error: errnoError(value, where) };
    case "handshake:error:protocol": {
      const code = protocolNames.get(value) ?? "ERR_ZMTP_UNSPECIFIED";
      const error = Object.assign(new Error(`Protocol error ${code} on ${where}`), { code });
      return { type, error };
    }
    case "handshake:error:auth": {
      const message = `Authentication failed (ZAP status ${value}) on ${where}`;
      return { type, error: Object.assign(new Error(message), { status: value }) };
    }
    default:
      return { type };
  }
}

let monitorCounter = 0;

/** A fresh inproc endpoint for a monitor socket to bind. */
export function monitorEndpoint(): string {
  return `inproc://zmq-napi-monitor-${process.pid}-${++monitorCounter}`;
}

/** Decodes one version 1 monitor message: [uint16 event + uint32 value, endpoint]. */
export function decodeEvent(frames: Buffer[]): Event {
  const header = frames[0];
  const id = header.readUInt16LE(0);
  const address = frames[1]?.toString() ?? "";
  const body = eventBody(id, header.readUInt32LE(2), address);
  return body.type === "end" ? body : { ...body, address };
}

/**
 * Decodes one version 2 monitor message: [uint64 event], [uint64 value count], the values
 * (uint64 each), [local endpoint], [remote endpoint]. Every event of libzmq 4.3.4 but
 * ZMQ_EVENT_PIPES_STATS has one value; the values fit a number (errnos, fds, intervals).
 */
export function decodePeerEvent(frames: Buffer[]): PeerEvent {
  const id = Number(frames[0].readBigUInt64LE(0));
  const count = Number(frames[1].readBigUInt64LE(0));
  const value = count > 0 ? Number(frames[2].readBigUInt64LE(0)) : 0;
  const local = frames[2 + count]?.toString() ?? "";
  const remote = frames[3 + count]?.toString() ?? "";
  const body = eventBody(id, value, remote || local);
  return body.type === "end" ? body : { ...body, local, remote };
}
