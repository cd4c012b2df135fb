// The option table: every libzmq 4.3.4 socket and context option zmq-napi exposes, by its
// camelCase name (the `zeromq` v6 name where one exists), with its libzmq id (from zmq.h, via
// the generated constants), how it crosses the native boundary, its JavaScript type, range,
// access and the socket classes that have it. Accessors and their TypeScript types are both
// derived from this one table.
//
// Audited against libzmq 4.3.4 (src/options.cpp, ctx.cpp and the socket types' xsetsockopt)
// as built here: CURVE and the draft API on; no GSSAPI, TLS (ZMQ_WSS_*) or VMCI, whose
// options libzmq rejects with EINVAL and which are left out (GSSAPI ones stay, as in v6).
// Deliberately not options here: ZMQ_SUBSCRIBE/UNSUBSCRIBE (Subscriber.subscribe()),
// ZMQ_XPUB_VERBOSE/VERBOSER (XPublisher.verbosity), ZMQ_CONNECT_ROUTING_ID (connect()'s
// routingId), ZMQ_FD/EVENTS/RCVMORE (the socket's own machinery; see readable/writable), the
// aliases ZMQ_IDENTITY, ZMQ_CONNECT_RID, ZMQ_DELAY_ATTACH_ON_CONNECT and ZMQ_IPV4ONLY (= !ipv6),
// the deprecated set-valued ZMQ_IPC_FILTER_PID/UID/GID (use ZAP), and the context's
// ZMQ_THREAD_AFFINITY_CPU_ADD/REMOVE (set operations, not values).
import { ZMQ } from "./generated/zmq-constants";
import { socketTypes, type SocketClassName } from "./socket-types";

/** How a value crosses the native boundary. Must match OptionKind in binding/socket_options.cc. */
export const enum OptionKind {
  Int32 = 0,
  Int64 = 1,
  Uint64 = 2,
  String = 3,
  Binary = 4,
  CurveKey = 5,
}

/** The JavaScript type of an option value. */
export type ValueType =
  "number" | "boolean" | "string" | "bytes" | "key" | "mechanism" | "nameType" | "property";

/** Which sockets have an option: all, those that send, those that receive, or named classes. */
export type Applies = "all" | "writable" | "readable" | readonly SocketClassName[];

export interface OptionSpec {
  readonly id: number;
  readonly kind: OptionKind;
  readonly value: ValueType;
  /** "rw", or "r" (read-only), or "w" (write-only in libzmq: reading returns the last value set). */
  readonly access: "rw" | "r" | "w";
  readonly on: Applies;
  readonly min?: number;
  readonly max?: number;
  /** The value a write-only option has before it is first set. */
  readonly initial?: unknown;
  /** Part of the draft API. */
  readonly draft?: boolean;
}

export type { SocketClassName };

const INT32_MAX = 2 ** 31 - 1;
// Generic over `on` so that the derived types see the literal class list, not just Applies.
// `[O][O extends unknown ? 0 : never]` is O, but TypeScript cannot infer O through it (the
// pre-5.4 NoInfer, which keeps the declarations readable by older compilers): without it,
// `satisfies Record<string, OptionSpec>` below makes TypeScript infer an omitted `on` from the
// contextual return type (Applies) instead of the default "all", and every such option drops
// out of the derived socket types.
// no-unnecessary-type-assertion sees O cast to O: it cannot see the inference the cast stops.
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
const int = <const O extends Applies = "all">(
  id: number,
  on: O = "all" as O,
  min = 0,
  max = INT32_MAX,
) =>
  ({
    id,
    kind: OptionKind.Int32,
    value: "number",
    access: "rw",
    on: on as [O][O extends unknown ? 0 : never],
    min,
    max,
  }) as const;
const bool = <const O extends Applies = "all">(id: number, on: O = "all" as O) =>
  ({
    id,
    kind: OptionKind.Int32,
    value: "boolean",
    access: "rw",
    on: on as [O][O extends unknown ? 0 : never],
  }) as const;
const writeOnlyBool = <const O extends Applies>(id: number, on: O, initial = false) =>
  ({ id, kind: OptionKind.Int32, value: "boolean", access: "w", on, initial }) as const;
const text = <const O extends Applies = "all">(id: number, on: O = "all" as O) =>
  ({
    id,
    kind: OptionKind.String,
    value: "string",
    access: "rw",
    on: on as [O][O extends unknown ? 0 : never],
  }) as const;
/* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */
const key = (id: number) =>
  ({ id, kind: OptionKind.CurveKey, value: "key", access: "rw", on: "all" }) as const;
const draft = <T extends object>(spec: T) => ({ ...spec, draft: true }) as const;

/**
 * Socket options. Durations are milliseconds unless the name says otherwise; -1 means
 * "infinite" or "system default" where libzmq says so. See zmq_setsockopt(3) for each.
 */
export const socketOptions = {
  // --- every socket ---------------------------------------------------------------------
  /** ZMQ_AFFINITY: I/O threads (bitmask) that handle newly created connections. */
  affinity: {
    id: ZMQ.AFFINITY,
    kind: OptionKind.Uint64,
    value: "number",
    access: "rw",
    on: "all",
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  },
  /** ZMQ_RATE: multicast data rate in kilobits per second (pgm/epgm). */
  rate: int(ZMQ.RATE, "all", 1, 2_147_483),
  /** ZMQ_RECOVERY_IVL: multicast recovery interval (pgm/epgm), ms. */
  recoveryInterval: int(ZMQ.RECOVERY_IVL),
  /** ZMQ_LINGER: how long unsent messages linger after close(), ms; -1 forever. */
  linger: int(ZMQ.LINGER, "all", -1),
  /** ZMQ_RECONNECT_IVL: initial reconnection interval, ms; -1 disables reconnection. */
  reconnectInterval: int(ZMQ.RECONNECT_IVL, "all", -1),
  /** ZMQ_BACKLOG: maximum length of the queue of outstanding connections. */
  backlog: int(ZMQ.BACKLOG),
  /** ZMQ_RECONNECT_IVL_MAX: maximum reconnection interval (exponential backoff), ms; 0 = none. */
  reconnectMaxInterval: int(ZMQ.RECONNECT_IVL_MAX),
  /** ZMQ_MAXMSGSIZE: largest inbound message accepted, bytes; -1 no limit. */
  maxMessageSize: {
    id: ZMQ.MAXMSGSIZE,
    kind: OptionKind.Int64,
    value: "number",
    access: "rw",
    on: "all",
    min: -1,
    max: Number.MAX_SAFE_INTEGER,
  },
  /** ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE: -1 system default, 0 off, 1 on. */
  tcpKeepalive: int(ZMQ.TCP_KEEPALIVE, "all", -1, 1),
  /** ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT; -1 system default. */
  tcpKeepaliveCount: int(ZMQ.TCP_KEEPALIVE_CNT, "all", -1),
  /** ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE, seconds; -1 system default. */
  tcpKeepaliveIdle: int(ZMQ.TCP_KEEPALIVE_IDLE, "all", -1),
  /** ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL, seconds; -1 system default. */
  tcpKeepaliveInterval: int(ZMQ.TCP_KEEPALIVE_INTVL, "all", -1),
  /** ZMQ_TCP_ACCEPT_FILTER (deprecated by libzmq; use ZAP): accept only this peer address, null clears. */
  tcpAcceptFilter: {
    id: ZMQ.TCP_ACCEPT_FILTER,
    kind: OptionKind.String,
    value: "string",
    access: "w",
    on: "all",
    initial: null,
  },
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  immediate: bool(ZMQ.IMMEDIATE),
  /** ZMQ_IPV6: enable IPv6 on the socket. */
  ipv6: bool(ZMQ.IPV6),
  /** ZMQ_PLAIN_SERVER: act as a PLAIN server. */
  plainServer: bool(ZMQ.PLAIN_SERVER),
  /** ZMQ_PLAIN_USERNAME: PLAIN client user name. */
  plainUsername: text(ZMQ.PLAIN_USERNAME),
  /** ZMQ_PLAIN_PASSWORD: PLAIN client password. */
  plainPassword: text(ZMQ.PLAIN_PASSWORD),
  /** ZMQ_CURVE_SERVER: act as a CURVE server. */
  curveServer: bool(ZMQ.CURVE_SERVER),
  /** ZMQ_CURVE_PUBLICKEY: this socket's long-term public key (Z85 string or 32-byte Buffer). */
  curvePublicKey: key(ZMQ.CURVE_PUBLICKEY),
  /** ZMQ_CURVE_SECRETKEY: this socket's long-term secret key (Z85 string or 32-byte Buffer). */
  curveSecretKey: key(ZMQ.CURVE_SECRETKEY),
  /** ZMQ_CURVE_SERVERKEY: the server's public key, for a CURVE client (Z85 or 32 bytes). */
  curveServerKey: key(ZMQ.CURVE_SERVERKEY),
  // GSSAPI: this build has no libgssapi_krb5, so libzmq rejects setting (and reading) these
  // with EINVAL; they are write-only here and read back what was last set successfully.
  /** ZMQ_GSSAPI_SERVER: act as a GSSAPI server (fails with EINVAL here: no GSSAPI). */
  gssapiServer: writeOnlyBool(ZMQ.GSSAPI_SERVER, "all"),
  /** ZMQ_GSSAPI_PRINCIPAL: this socket's GSSAPI principal name (fails with EINVAL here: no GSSAPI). */
  gssapiPrincipal: {
    id: ZMQ.GSSAPI_PRINCIPAL,
    kind: OptionKind.String,
    value: "string",
    access: "w",
    on: "all",
    initial: null,
  },
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL: the server's GSSAPI principal, for a client (fails with EINVAL here: no GSSAPI). */
  gssapiServicePrincipal: {
    id: ZMQ.GSSAPI_SERVICE_PRINCIPAL,
    kind: OptionKind.String,
    value: "string",
    access: "w",
    on: "all",
    initial: null,
  },
  /** ZMQ_GSSAPI_PLAINTEXT: disable GSSAPI encryption (fails with EINVAL here: no GSSAPI). */
  gssapiPlainText: writeOnlyBool(ZMQ.GSSAPI_PLAINTEXT, "all"),
  /** ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: name type of gssapiPrincipal (fails with EINVAL here: no GSSAPI). */
  gssapiPrincipalNameType: {
    id: ZMQ.GSSAPI_PRINCIPAL_NAMETYPE,
    kind: OptionKind.Int32,
    value: "nameType",
    access: "w",
    on: "all",
    initial: "hostBased",
  },
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: name type of gssapiServicePrincipal (fails with EINVAL here: no GSSAPI). */
  gssapiServicePrincipalNameType: {
    id: ZMQ.GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
    kind: OptionKind.Int32,
    value: "nameType",
    access: "w",
    on: "all",
    initial: "hostBased",
  },
  /** ZMQ_ZAP_DOMAIN: the ZAP authentication domain (1–255 bytes; libzmq cannot clear it). */
  zapDomain: text(ZMQ.ZAP_DOMAIN),
  /** ZMQ_TOS: IP type-of-service (DSCP) for outgoing packets. */
  typeOfService: int(ZMQ.TOS),
  /** ZMQ_HANDSHAKE_IVL: maximum handshake time, ms; 0 none. */
  handshakeInterval: int(ZMQ.HANDSHAKE_IVL),
  /** ZMQ_SOCKS_PROXY: SOCKS5 proxy address for tcp connections, null for none. */
  socksProxy: text(ZMQ.SOCKS_PROXY),
  /** ZMQ_HEARTBEAT_IVL: ZMTP heartbeat interval, ms; 0 off. */
  heartbeatInterval: int(ZMQ.HEARTBEAT_IVL),
  /** ZMQ_HEARTBEAT_TTL: time-to-live announced to the peer, ms (rounded to 100 ms). */
  heartbeatTimeToLive: int(ZMQ.HEARTBEAT_TTL, "all", 0, 6553599),
  /** ZMQ_HEARTBEAT_TIMEOUT: how long to wait for traffic after a heartbeat, ms (reads -1 until set: heartbeatInterval is used). */
  heartbeatTimeout: int(ZMQ.HEARTBEAT_TIMEOUT),
  /** ZMQ_CONNECT_TIMEOUT: tcp connect() timeout, ms; 0 system default. */
  connectTimeout: int(ZMQ.CONNECT_TIMEOUT),
  /** ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT, ms; 0 system default. */
  tcpMaxRetransmitTimeout: int(ZMQ.TCP_MAXRT),
  /** ZMQ_MULTICAST_MAXTPDU: maximum transport data unit for multicast (pgm/epgm), bytes. */
  multicastMaxTransportDataUnit: int(ZMQ.MULTICAST_MAXTPDU, "all", 1),
  /** ZMQ_BINDTODEVICE: bind the underlying sockets to this network interface (SO_BINDTODEVICE; at most 16 bytes). */
  interface: text(ZMQ.BINDTODEVICE),
  /** ZMQ_USE_FD: bind/connect using an existing socket descriptor (bind only); -1 none. */
  useFd: int(ZMQ.USE_FD, "all", -1),
  /** ZMQ_ZAP_ENFORCE_DOMAIN (draft): require a ZAP domain match. */
  zapEnforceDomain: draft(bool(ZMQ.ZAP_ENFORCE_DOMAIN)),
  /** ZMQ_LOOPBACK_FASTPATH (draft, Windows only): fast path for loopback tcp. */
  loopbackFastPath: draft(bool(ZMQ.LOOPBACK_FASTPATH)),
  /** ZMQ_MULTICAST_LOOP (draft): loop sent udp:// multicast datagrams back to this host (RADIO only). */
  multicastLoop: draft(bool(ZMQ.MULTICAST_LOOP, ["Radio"])),
  /** ZMQ_SOCKS_USERNAME (draft): SOCKS5 user name (at most 255 bytes), null for none. */
  socksUsername: draft(text(ZMQ.SOCKS_USERNAME)),
  /** ZMQ_SOCKS_PASSWORD (draft): SOCKS5 password (at most 255 bytes), null for none. */
  socksPassword: draft(text(ZMQ.SOCKS_PASSWORD)),
  /** ZMQ_IN_BATCH_SIZE (draft): messages read from the network per batch. */
  inBatchSize: draft(int(ZMQ.IN_BATCH_SIZE, "all", 1)),
  /** ZMQ_OUT_BATCH_SIZE (draft): messages written to the network per batch. */
  outBatchSize: draft(int(ZMQ.OUT_BATCH_SIZE, "all", 1)),
  /** ZMQ_RECONNECT_STOP (draft): stop reconnecting on 1 connection refused, 2 handshake failure (bitmask; 4.3.4 defines ..._AFTER_DISCONNECT as 3, so either bit also stops it after disconnect()). */
  reconnectStop: draft(int(ZMQ.RECONNECT_STOP, "all", 0, 3)),
  /**
   * ZMQ_METADATA (draft): adds the property "X-Name:value" to what the socket announces in its
   * handshakes; peers read it with `receiveWithMetadata({ properties: ["X-Name"] })`. Each set
   * adds one property (reading gives the last one set); names start with "X-", and a name set
   * once cannot be given another value.
   */
  metadata: draft({
    id: ZMQ.METADATA,
    kind: OptionKind.String,
    value: "property",
    access: "w",
    on: "all",
    initial: null,
  } as const),
  /** ZMQ_PRIORITY (draft): SO_PRIORITY of the socket's tcp connections; 0 leaves it alone. */
  priority: draft(int(ZMQ.PRIORITY)),
  /** ZMQ_TYPE: the libzmq socket type. */
  type: { id: ZMQ.TYPE, kind: OptionKind.Int32, value: "number", access: "r", on: "all" },
  /** ZMQ_LAST_ENDPOINT: the last endpoint bound (with the port chosen for `*`). */
  lastEndpoint: {
    id: ZMQ.LAST_ENDPOINT,
    kind: OptionKind.String,
    value: "string",
    access: "r",
    on: "all",
  },
  /** ZMQ_MECHANISM: the security mechanism in use. */
  securityMechanism: {
    id: ZMQ.MECHANISM,
    kind: OptionKind.Int32,
    value: "mechanism",
    access: "r",
    on: "all",
  },
  /** ZMQ_THREAD_SAFE: whether the socket type is thread-safe (draft sockets). */
  threadSafe: {
    id: ZMQ.THREAD_SAFE,
    kind: OptionKind.Int32,
    value: "boolean",
    access: "r",
    on: "all",
  },

  // --- sending sockets ------------------------------------------------------------------
  /** ZMQ_MULTICAST_HOPS: multicast TTL in network hops (pgm/epgm/udp; an IP TTL, 1–255). */
  multicastHops: int(ZMQ.MULTICAST_HOPS, "writable", 1, 255),
  /** ZMQ_SNDBUF: kernel send buffer size, bytes; -1 system default. */
  sendBufferSize: int(ZMQ.SNDBUF, "writable", -1),
  /** ZMQ_SNDHWM: high water mark for outbound messages; 0 unbounded. */
  sendHighWaterMark: int(ZMQ.SNDHWM, "writable"),
  /** ZMQ_SNDTIMEO: how long send() waits before rejecting with EAGAIN, ms; -1 forever. */
  sendTimeout: int(ZMQ.SNDTIMEO, "writable", -1),

  // --- receiving sockets ----------------------------------------------------------------
  /** ZMQ_RCVBUF: kernel receive buffer size, bytes; -1 system default. */
  receiveBufferSize: int(ZMQ.RCVBUF, "readable", -1),
  /** ZMQ_RCVHWM: high water mark for inbound messages; 0 unbounded. */
  receiveHighWaterMark: int(ZMQ.RCVHWM, "readable"),
  /** ZMQ_RCVTIMEO: how long receive() waits before rejecting with EAGAIN, ms; -1 forever. */
  receiveTimeout: int(ZMQ.RCVTIMEO, "readable", -1),

  // --- particular sockets ---------------------------------------------------------------
  /** ZMQ_ROUTING_ID: this socket's identity as seen by a ROUTER peer (1–255 bytes). */
  routingId: {
    id: ZMQ.ROUTING_ID,
    kind: OptionKind.String,
    value: "string",
    access: "rw",
    on: ["Request", "Reply", "Dealer", "Router"],
  },
  /** ZMQ_PROBE_ROUTER: send an empty message to ROUTER peers on connect. */
  probeRouter: writeOnlyBool(ZMQ.PROBE_ROUTER, ["Request", "Dealer", "Router"]),
  /** ZMQ_REQ_CORRELATE: match replies to requests with a request id. */
  correlate: writeOnlyBool(ZMQ.REQ_CORRELATE, ["Request"]),
  /** ZMQ_REQ_RELAXED: allow a new request before the reply to the last one. */
  relaxed: writeOnlyBool(ZMQ.REQ_RELAXED, ["Request"]),
  /** ZMQ_CONFLATE: keep only the last message in the queues (libzmq honours it on these types only). */
  conflate: bool(ZMQ.CONFLATE, ["Publisher", "Subscriber", "Dealer", "Push", "Pull"]),
  /** ZMQ_ROUTER_MANDATORY: report unroutable messages with EHOSTUNREACH instead of dropping them. */
  mandatory: writeOnlyBool(ZMQ.ROUTER_MANDATORY, ["Router"]),
  /** ZMQ_ROUTER_HANDOVER: a new connection with a known routing id takes over the old one. */
  handover: writeOnlyBool(ZMQ.ROUTER_HANDOVER, ["Router"]),
  /** ZMQ_ROUTER_RAW (deprecated by libzmq; use Stream): raw tcp without ZMTP framing. */
  raw: writeOnlyBool(ZMQ.ROUTER_RAW, ["Router"]),
  /** ZMQ_XPUB_NODROP: block (EAGAIN) instead of dropping when a subscriber's HWM is reached. */
  noDrop: writeOnlyBool(ZMQ.XPUB_NODROP, ["Publisher", "XPublisher", "Radio"]),
  /** ZMQ_INVERT_MATCHING: deliver messages that do NOT match the subscriptions. */
  invertMatching: bool(ZMQ.INVERT_MATCHING, ["Publisher", "Subscriber", "XPublisher"]),
  /** ZMQ_XPUB_MANUAL: subscriptions are managed by the application. */
  manual: writeOnlyBool(ZMQ.XPUB_MANUAL, ["XPublisher"]),
  /** ZMQ_XPUB_WELCOME_MSG: a message (string or Buffer) sent to every new subscriber, null for none. */
  welcomeMessage: {
    id: ZMQ.XPUB_WELCOME_MSG,
    kind: OptionKind.Binary,
    value: "bytes",
    access: "w",
    on: ["XPublisher"],
    initial: null,
  },
  /** ZMQ_XPUB_MANUAL_LAST_VALUE (draft): manual mode that sends the last value to new subscribers. */
  manualLastValue: draft(writeOnlyBool(ZMQ.XPUB_MANUAL_LAST_VALUE, ["XPublisher"])),
  /** ZMQ_ONLY_FIRST_SUBSCRIBE (draft): only the first frame of a multipart message is a (un)subscription. */
  onlyFirstSubscribe: draft(writeOnlyBool(ZMQ.ONLY_FIRST_SUBSCRIBE, ["XPublisher", "XSubscriber"])),
  /** ZMQ_STREAM_NOTIFY: deliver connect/disconnect notifications as empty messages. */
  notify: {
    id: ZMQ.STREAM_NOTIFY,
    kind: OptionKind.Int32,
    value: "boolean",
    access: "w",
    on: ["Stream"],
    initial: true,
  },
  /** ZMQ_ROUTER_NOTIFY (draft): deliver connect (1) / disconnect (2) notifications (bitmask). */
  connectionNotify: draft({ ...int(ZMQ.ROUTER_NOTIFY, ["Router"], 0, 3) }),
  /** ZMQ_HELLO_MSG (draft): a message (string or Buffer) sent to every new peer on connect, null for none. */
  helloMessage: draft({
    id: ZMQ.HELLO_MSG,
    kind: OptionKind.Binary,
    value: "bytes",
    access: "w",
    on: ["Router", "Dealer", "Client", "Server", "Peer"],
    initial: null,
  } as const),
  /** ZMQ_DISCONNECT_MSG (draft): a message (string or Buffer) received when a peer disconnects, null for none. */
  disconnectMessage: draft({
    id: ZMQ.DISCONNECT_MSG,
    kind: OptionKind.Binary,
    value: "bytes",
    access: "w",
    on: ["Router", "Server", "Peer"],
    initial: null,
  } as const),
} as const satisfies Record<string, OptionSpec>;

/** Context options (zmq_ctx_set/zmq_ctx_get; all integers). */
export const contextOptions = {
  /** ZMQ_BLOCKY: whether closing the context waits for lingering messages; false gives new sockets linger 0. */
  blocky: bool(ZMQ.BLOCKY),
  /** ZMQ_IO_THREADS: size of the I/O thread pool (effective only before the first socket). */
  ioThreads: int(ZMQ.IO_THREADS),
  /** ZMQ_MAX_MSGSZ: largest message the context accepts, bytes (default 2^31 - 1). */
  maxMessageSize: int(ZMQ.MAX_MSGSZ, "all", 0),
  /** ZMQ_MAX_SOCKETS: the most sockets the context may have (effective only before the first socket). */
  maxSockets: int(ZMQ.MAX_SOCKETS, "all", 1),
  /** ZMQ_IPV6: default IPv6 setting of new sockets. */
  ipv6: bool(ZMQ.IPV6),
  /**
   * ZMQ_THREAD_PRIORITY: scheduling priority of the I/O threads (write-only; -1 until set). Applied
   * when they start; libzmq aborts the process if it is not allowed to (EPERM from nice()).
   */
  threadPriority: {
    id: ZMQ.THREAD_PRIORITY,
    kind: OptionKind.Int32,
    value: "number",
    access: "w",
    on: "all",
    min: 0,
    max: INT32_MAX,
    initial: -1,
  },
  /** ZMQ_THREAD_SCHED_POLICY: scheduling policy (SCHED_*) of the I/O threads; reads -1 until set. */
  threadSchedulingPolicy: int(ZMQ.THREAD_SCHED_POLICY),
  /** ZMQ_THREAD_NAME_PREFIX: a number prefixed to the I/O threads' names; 0 none. */
  threadNamePrefix: int(ZMQ.THREAD_NAME_PREFIX),
  /** ZMQ_SOCKET_LIMIT: the largest maxSockets this libzmq allows. */
  maxSocketsLimit: {
    id: ZMQ.SOCKET_LIMIT,
    kind: OptionKind.Int32,
    value: "number",
    access: "r",
    on: "all",
  },
  /** ZMQ_MSG_T_SIZE: sizeof(zmq_msg_t) in this libzmq, bytes. */
  msgTSize: { id: ZMQ.MSG_T_SIZE, kind: OptionKind.Int32, value: "number", access: "r", on: "all" },
  /** ZMQ_ZERO_COPY_RECV (draft): let received messages share libzmq's receive buffers. */
  zeroCopyReceive: draft(bool(ZMQ.ZERO_COPY_RECV)),
} as const satisfies Record<string, OptionSpec>;

// The types derived from the table live in option-types.ts.
export type {
  ContextOptionProperties,
  ContextOptionValues,
  SocketOptionProperties,
  SocketOptionValues,
} from "./option-types";

/** Whether socket class C has the option. */
export function appliesTo(spec: OptionSpec, className: SocketClassName): boolean {
  if (spec.on === "all") return true;
  if (spec.on === "writable") return socketTypes[className].writable;
  if (spec.on === "readable") return socketTypes[className].readable;
  return spec.on.includes(className);
}
