// setsockopt()/getsockopt() by libzmq option number, as v5 had them, carried out through the
// option properties of zmq-napi's socket classes. v5 passed numbers where the v6 API has
// booleans (1/0), Buffers where it has strings, and ZMQ_IPV4ONLY where it has `ipv6`: the
// table says how each option converts.
import { ZMQ } from "../generated/zmq-constants";
import { ZmqError } from "../index";
import * as constants from "./constants";
import type { SocketState } from "./state";

/** How a v5 value becomes a v6 property value and back. */
type Conversion =
  | "value" // the same value both ways (numbers, keys, bytes)
  | "boolean" // v5 0/1 (or booleans) ↔ v6 booleans; read as 1/0
  | "text" // v5 strings or UTF-8 Buffers ↔ v6 strings
  | "notIpv6" // ZMQ_IPV4ONLY ↔ !ipv6
  | "mechanism"; // read-only: v6 "plain"/"curve"/"gssapi"/null ↔ 1/2/3/0

interface Mapping {
  readonly property: string;
  readonly as: Conversion;
  /**
   * Present when libzmq accepts the option on every socket type although zmq-napi's class
   * has it only where it has an effect: the value libzmq reports until one is set.
   */
  readonly everySocketDefault?: unknown;
}

const value = (property: string): Mapping => ({ property, as: "value" });
const flag = (property: string): Mapping => ({ property, as: "boolean" });
const text = (property: string): Mapping => ({ property, as: "text" });
const anywhere = (mapping: Mapping, everySocketDefault: unknown): Mapping => ({
  ...mapping,
  everySocketDefault,
});

const mappings: ReadonlyMap<number, Mapping> = new Map<number, Mapping>([
  [ZMQ.AFFINITY, value("affinity")],
  [ZMQ.ROUTING_ID, anywhere(text("routingId"), null)],
  [ZMQ.RATE, value("rate")],
  [ZMQ.RECOVERY_IVL, value("recoveryInterval")],
  [ZMQ.SNDBUF, anywhere(value("sendBufferSize"), -1)],
  [ZMQ.RCVBUF, anywhere(value("receiveBufferSize"), -1)],
  [ZMQ.LINGER, value("linger")],
  [ZMQ.RECONNECT_IVL, value("reconnectInterval")],
  [ZMQ.BACKLOG, value("backlog")],
  [ZMQ.RECONNECT_IVL_MAX, value("reconnectMaxInterval")],
  [ZMQ.MAXMSGSIZE, value("maxMessageSize")],
  [ZMQ.SNDHWM, anywhere(value("sendHighWaterMark"), 1000)],
  [ZMQ.RCVHWM, anywhere(value("receiveHighWaterMark"), 1000)],
  [ZMQ.MULTICAST_HOPS, anywhere(value("multicastHops"), 1)],
  [ZMQ.RCVTIMEO, anywhere(value("receiveTimeout"), -1)],
  [ZMQ.SNDTIMEO, anywhere(value("sendTimeout"), -1)],
  [ZMQ.IPV4ONLY, { property: "ipv6", as: "notIpv6" }],
  [ZMQ.LAST_ENDPOINT, text("lastEndpoint")],
  [ZMQ.ROUTER_MANDATORY, flag("mandatory")],
  [ZMQ.TCP_KEEPALIVE, value("tcpKeepalive")],
  [ZMQ.TCP_KEEPALIVE_CNT, value("tcpKeepaliveCount")],
  [ZMQ.TCP_KEEPALIVE_IDLE, value("tcpKeepaliveIdle")],
  [ZMQ.TCP_KEEPALIVE_INTVL, value("tcpKeepaliveInterval")],
  [ZMQ.TCP_ACCEPT_FILTER, text("tcpAcceptFilter")],
  [ZMQ.IMMEDIATE, flag("immediate")],
  [ZMQ.ROUTER_RAW, flag("raw")],
  [ZMQ.IPV6, flag("ipv6")],
  [ZMQ.MECHANISM, { property: "securityMechanism", as: "mechanism" }],
  [ZMQ.PLAIN_SERVER, flag("plainServer")],
  [ZMQ.PLAIN_USERNAME, text("plainUsername")],
  [ZMQ.PLAIN_PASSWORD, text("plainPassword")],
  [ZMQ.CURVE_SERVER, flag("curveServer")],
  [ZMQ.CURVE_PUBLICKEY, value("curvePublicKey")],
  [ZMQ.CURVE_SECRETKEY, value("curveSecretKey")],
  [ZMQ.CURVE_SERVERKEY, value("curveServerKey")],
  [ZMQ.PROBE_ROUTER, anywhere(flag("probeRouter"), false)],
  [ZMQ.REQ_CORRELATE, flag("correlate")],
  [ZMQ.REQ_RELAXED, flag("relaxed")],
  [ZMQ.CONFLATE, anywhere(flag("conflate"), false)],
  [ZMQ.ZAP_DOMAIN, text("zapDomain")],
  [ZMQ.ROUTER_HANDOVER, flag("handover")],
  [ZMQ.TOS, value("typeOfService")],
  [ZMQ.HANDSHAKE_IVL, value("handshakeInterval")],
  [ZMQ.SOCKS_PROXY, text("socksProxy")],
  [ZMQ.XPUB_NODROP, flag("noDrop")],
  [ZMQ.XPUB_MANUAL, flag("manual")],
  [ZMQ.XPUB_WELCOME_MSG, value("welcomeMessage")],
  [ZMQ.STREAM_NOTIFY, flag("notify")],
  [ZMQ.INVERT_MATCHING, anywhere(flag("invertMatching"), false)],
  [ZMQ.HEARTBEAT_IVL, value("heartbeatInterval")],
  [ZMQ.HEARTBEAT_TTL, value("heartbeatTimeToLive")],
  [ZMQ.HEARTBEAT_TIMEOUT, value("heartbeatTimeout")],
  [ZMQ.CONNECT_TIMEOUT, value("connectTimeout")],
  [ZMQ.TCP_MAXRT, value("tcpMaxRetransmitTimeout")],
  [ZMQ.MULTICAST_MAXTPDU, value("multicastMaxTransportDataUnit")],
  [ZMQ.BINDTODEVICE, text("interface")],
]);

/**
 * v5's short option names (`zmq.options`): `sock.setsockopt("linger", 0)`, and the properties
 * `sock.linger`, `sock.identity`… that every socket has.
 */
export const options: Readonly<Record<string, number>> = Object.freeze({
  _fd: ZMQ.FD,
  _ioevents: ZMQ.EVENTS,
  _receiveMore: ZMQ.RCVMORE,
  _subscribe: ZMQ.SUBSCRIBE,
  _unsubscribe: ZMQ.UNSUBSCRIBE,
  affinity: ZMQ.AFFINITY,
  backlog: ZMQ.BACKLOG,
  identity: ZMQ.IDENTITY,
  linger: ZMQ.LINGER,
  rate: ZMQ.RATE,
  rcvbuf: ZMQ.RCVBUF,
  last_endpoint: ZMQ.LAST_ENDPOINT,
  reconnect_ivl: ZMQ.RECONNECT_IVL,
  recovery_ivl: ZMQ.RECOVERY_IVL,
  sndbuf: ZMQ.SNDBUF,
  mechanism: ZMQ.MECHANISM,
  plain_server: ZMQ.PLAIN_SERVER,
  plain_username: ZMQ.PLAIN_USERNAME,
  plain_password: ZMQ.PLAIN_PASSWORD,
  curve_server: ZMQ.CURVE_SERVER,
  curve_publickey: ZMQ.CURVE_PUBLICKEY,
  curve_secretkey: ZMQ.CURVE_SECRETKEY,
  curve_serverkey: ZMQ.CURVE_SERVERKEY,
  zap_domain: ZMQ.ZAP_DOMAIN,
  heartbeat_ivl: ZMQ.HEARTBEAT_IVL,
  heartbeat_ttl: ZMQ.HEARTBEAT_TTL,
  heartbeat_timeout: ZMQ.HEARTBEAT_TIMEOUT,
  connect_timeout: ZMQ.CONNECT_TIMEOUT,
});

/** A socket option given as a number, a short name ("linger") or a long one ("ZMQ_LINGER"). */
export type OptionName = number | string;

function invalid(message: string): ZmqError {
  return new ZmqError("EINVAL", message);
}

function optionNumber(option: OptionName): number {
  if (typeof option === "number") return option;
  if (typeof option === "string") {
    if (Object.hasOwn(options, option)) return options[option];
    const long = (constants as Readonly<Record<string, unknown>>)[option];
    if (option.startsWith("ZMQ_") && typeof long === "number") return long;
  }
  throw invalid(`Unknown socket option ${JSON.stringify(option)}`);
}

/** The option as the caller named it, for error messages (numbers are ambiguous in zmq.h). */
function optionLabel(option: OptionName, id: number): string {
  return typeof option === "string" ? option : `socket option ${id}`;
}

function utf8(bytes: Uint8Array, label: string): string {
  const decoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  // zmq-napi takes these options as strings: bytes that are not UTF-8 would not survive.
  if (!Buffer.from(decoded, "utf8").equals(bytes)) {
    throw new TypeError(`${label} must be UTF-8 text; these bytes are not`);
  }
  return decoded;
}

function toV6(mapping: Mapping, raw: unknown, label: string): unknown {
  switch (mapping.as) {
    case "boolean":
      return Boolean(raw);
    case "notIpv6":
      return !raw;
    case "text":
      return raw instanceof Uint8Array ? utf8(raw, label) : raw;
    case "mechanism":
      throw invalid(`${label} is read-only`);
    case "value":
      return raw;
  }
}

function fromV6(mapping: Mapping, current: unknown): unknown {
  switch (mapping.as) {
    case "boolean":
      return current ? 1 : 0;
    case "notIpv6":
      return current ? 0 : 1;
    case "mechanism":
      return [null, "plain", "curve", "gssapi"].indexOf(current as string | null);
    case "text":
    case "value":
      return current;
  }
}

/** zmq-napi's socket as a bag of option properties. */
function properties(state: SocketState): Record<string, unknown> {
  return state.socket as unknown as Record<string, unknown>;
}

/** Sets a socket option the way v5's setsockopt() did. */
export function setSocketOption(state: SocketState, option: OptionName, raw: unknown): void {
  const id = optionNumber(option);
  const { socket } = state;
  switch (id) {
    case ZMQ.SUBSCRIBE:
    case ZMQ.UNSUBSCRIBE: {
      const method = id === ZMQ.SUBSCRIBE ? socket.subscribe : socket.unsubscribe;
      if (method === undefined) throw invalid(`${optionLabel(option, id)} needs a sub socket`);
      method.call(socket, raw instanceof Uint8Array ? Buffer.from(raw) : String(raw));
      return;
    }
    case ZMQ.XPUB_VERBOSE:
    case ZMQ.XPUB_VERBOSER: {
      if (!("verbosity" in socket))
        throw invalid(`${optionLabel(option, id)} needs an xpub socket`);
      const on = id === ZMQ.XPUB_VERBOSE ? "allSubs" : "allSubsUnsubs";
      properties(state).verbosity = raw ? on : null;
      return;
    }
  }
  const mapping = mappings.get(id);
  const label = optionLabel(option, id);
  if (mapping === undefined) throw invalid(`${label} cannot be set`);
  const converted = toV6(mapping, raw, label);
  if (mapping.property in socket) {
    properties(state)[mapping.property] = converted;
  } else if ("everySocketDefault" in mapping) {
    state.remembered.set(id, converted);
  } else {
    throw invalid(`${label} does not apply to a ${state.type} socket`);
  }
}

/** Reads a socket option the way v5's getsockopt() did. */
export function getSocketOption(state: SocketState, option: OptionName): unknown {
  const id = optionNumber(option);
  const { socket } = state;
  switch (id) {
    case ZMQ.TYPE:
      return properties(state).type;
    case ZMQ.EVENTS:
      return (socket.readable ? ZMQ.POLLIN : 0) | (socket.writable ? ZMQ.POLLOUT : 0);
    case ZMQ.RCVMORE:
      // Messages are taken from libzmq whole: no frame of a message is ever left to read.
      return 0;
    case ZMQ.FD:
      throw invalid("ZMQ_FD is not available: zmq-napi watches the socket itself");
  }
  const mapping = mappings.get(id);
  const label = optionLabel(option, id);
  if (mapping === undefined) throw invalid(`${label} cannot be read`);
  if (mapping.property in socket) return fromV6(mapping, properties(state)[mapping.property]);
  if ("everySocketDefault" in mapping) {
    const remembered = state.remembered.has(id)
      ? state.remembered.get(id)
      : mapping.everySocketDefault;
    return fromV6(mapping, remembered);
  }
  throw invalid(`${label} does not apply to a ${state.type} socket`);
}
