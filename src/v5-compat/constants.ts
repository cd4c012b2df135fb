// The constants zeromq v5 exported at the top of its module (`zmq.ZMQ_PUB`, `zmq.ZMQ_SNDMORE`,
// `zmq.STATE_READY`…). Their values come from zmq.h (via the generated table), never retyped.
import { ZMQ } from "../generated/zmq-constants";

// --- socket types -------------------------------------------------------------------------

/** ZMQ_PAIR: the socket type `"pair"`. */
export const ZMQ_PAIR = ZMQ.PAIR;
/** ZMQ_PUB: the socket type `"pub"`. */
export const ZMQ_PUB = ZMQ.PUB;
/** ZMQ_SUB: the socket type `"sub"`. */
export const ZMQ_SUB = ZMQ.SUB;
/** ZMQ_REQ: the socket type `"req"`. */
export const ZMQ_REQ = ZMQ.REQ;
/** ZMQ_REP: the socket type `"rep"`. */
export const ZMQ_REP = ZMQ.REP;
/** ZMQ_DEALER: the socket type `"dealer"`. */
export const ZMQ_DEALER = ZMQ.DEALER;
/** ZMQ_XREQ: the old name of ZMQ_DEALER (`"xreq"`). */
export const ZMQ_XREQ = ZMQ.XREQ;
/** ZMQ_ROUTER: the socket type `"router"`. */
export const ZMQ_ROUTER = ZMQ.ROUTER;
/** ZMQ_XREP: the old name of ZMQ_ROUTER (`"xrep"`). */
export const ZMQ_XREP = ZMQ.XREP;
/** ZMQ_PULL: the socket type `"pull"`. */
export const ZMQ_PULL = ZMQ.PULL;
/** ZMQ_PUSH: the socket type `"push"`. */
export const ZMQ_PUSH = ZMQ.PUSH;
/** ZMQ_XPUB: the socket type `"xpub"`. */
export const ZMQ_XPUB = ZMQ.XPUB;
/** ZMQ_XSUB: the socket type `"xsub"`. */
export const ZMQ_XSUB = ZMQ.XSUB;
/** ZMQ_STREAM: the socket type `"stream"`. */
export const ZMQ_STREAM = ZMQ.STREAM;

// --- socket options (for setsockopt/getsockopt) -------------------------------------------

/** ZMQ_AFFINITY: I/O thread affinity of new connections (bitmask). */
export const ZMQ_AFFINITY = ZMQ.AFFINITY;
/** ZMQ_IDENTITY: the socket's identity (routing id) as seen by ROUTER peers. */
export const ZMQ_IDENTITY = ZMQ.IDENTITY;
/** ZMQ_ROUTING_ID: libzmq 4's name of ZMQ_IDENTITY. */
export const ZMQ_ROUTING_ID = ZMQ.ROUTING_ID;
/** ZMQ_SUBSCRIBE: set it to subscribe a SUB socket to a prefix. */
export const ZMQ_SUBSCRIBE = ZMQ.SUBSCRIBE;
/** ZMQ_UNSUBSCRIBE: set it to remove a SUB socket's subscription. */
export const ZMQ_UNSUBSCRIBE = ZMQ.UNSUBSCRIBE;
/** ZMQ_RATE: multicast data rate, kilobits per second. */
export const ZMQ_RATE = ZMQ.RATE;
/** ZMQ_RECOVERY_IVL: multicast recovery interval, ms. */
export const ZMQ_RECOVERY_IVL = ZMQ.RECOVERY_IVL;
/** ZMQ_RECOVERY_IVL_MSEC: libzmq 3's name of ZMQ_RECOVERY_IVL (which is in ms since libzmq 3). */
export const ZMQ_RECOVERY_IVL_MSEC = ZMQ.RECOVERY_IVL;
/** ZMQ_SNDBUF: kernel send buffer size, bytes. */
export const ZMQ_SNDBUF = ZMQ.SNDBUF;
/** ZMQ_RCVBUF: kernel receive buffer size, bytes. */
export const ZMQ_RCVBUF = ZMQ.RCVBUF;
/** ZMQ_RCVMORE: whether more frames of the message follow (always 0: messages arrive whole). */
export const ZMQ_RCVMORE = ZMQ.RCVMORE;
/** ZMQ_FD: the socket's notification descriptor (not available in zmq-napi). */
export const ZMQ_FD = ZMQ.FD;
/** ZMQ_EVENTS: ZMQ_POLLIN and ZMQ_POLLOUT, as far as they hold now. */
export const ZMQ_EVENTS = ZMQ.EVENTS;
/** ZMQ_TYPE: the socket type as a number (ZMQ_REQ…). */
export const ZMQ_TYPE = ZMQ.TYPE;
/** ZMQ_LINGER: how long unsent messages linger after close(), ms; -1 forever. */
export const ZMQ_LINGER = ZMQ.LINGER;
/** ZMQ_RECONNECT_IVL: initial reconnection interval, ms. */
export const ZMQ_RECONNECT_IVL = ZMQ.RECONNECT_IVL;
/** ZMQ_BACKLOG: maximum length of the queue of outstanding connections. */
export const ZMQ_BACKLOG = ZMQ.BACKLOG;
/** ZMQ_RECONNECT_IVL_MAX: maximum reconnection interval, ms. */
export const ZMQ_RECONNECT_IVL_MAX = ZMQ.RECONNECT_IVL_MAX;
/** ZMQ_MAXMSGSIZE: largest inbound message accepted, bytes; -1 no limit. */
export const ZMQ_MAXMSGSIZE = ZMQ.MAXMSGSIZE;
/** ZMQ_SNDHWM: high water mark of outbound messages. */
export const ZMQ_SNDHWM = ZMQ.SNDHWM;
/** ZMQ_RCVHWM: high water mark of inbound messages. */
export const ZMQ_RCVHWM = ZMQ.RCVHWM;
/** ZMQ_MULTICAST_HOPS: time-to-live of multicast packets. */
export const ZMQ_MULTICAST_HOPS = ZMQ.MULTICAST_HOPS;
/** ZMQ_RCVTIMEO: receive timeout, ms (the 'message' event never times out). */
export const ZMQ_RCVTIMEO = ZMQ.RCVTIMEO;
/** ZMQ_SNDTIMEO: how long a message may wait for libzmq before its send fails with EAGAIN, ms. */
export const ZMQ_SNDTIMEO = ZMQ.SNDTIMEO;
/** ZMQ_IPV4ONLY: 1 for IPv4 only (the opposite of ZMQ_IPV6). */
export const ZMQ_IPV4ONLY = ZMQ.IPV4ONLY;
/** ZMQ_LAST_ENDPOINT: the last endpoint bound, with the port chosen for `*`. */
export const ZMQ_LAST_ENDPOINT = ZMQ.LAST_ENDPOINT;
/** ZMQ_ROUTER_MANDATORY: a ROUTER reports unroutable messages (EHOSTUNREACH) instead of dropping them. */
export const ZMQ_ROUTER_MANDATORY = ZMQ.ROUTER_MANDATORY;
/** ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE; -1 system default. */
export const ZMQ_TCP_KEEPALIVE = ZMQ.TCP_KEEPALIVE;
/** ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT; -1 system default. */
export const ZMQ_TCP_KEEPALIVE_CNT = ZMQ.TCP_KEEPALIVE_CNT;
/** ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE, seconds; -1 system default. */
export const ZMQ_TCP_KEEPALIVE_IDLE = ZMQ.TCP_KEEPALIVE_IDLE;
/** ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL, seconds; -1 system default. */
export const ZMQ_TCP_KEEPALIVE_INTVL = ZMQ.TCP_KEEPALIVE_INTVL;
/** ZMQ_TCP_ACCEPT_FILTER: accept tcp connections from this address only (write-only). */
export const ZMQ_TCP_ACCEPT_FILTER = ZMQ.TCP_ACCEPT_FILTER;
/** ZMQ_DELAY_ATTACH_ON_CONNECT: the old name of ZMQ_IMMEDIATE. */
export const ZMQ_DELAY_ATTACH_ON_CONNECT = ZMQ.DELAY_ATTACH_ON_CONNECT;
/** ZMQ_IMMEDIATE: queue messages only to completed connections. */
export const ZMQ_IMMEDIATE = ZMQ.IMMEDIATE;
/** ZMQ_XPUB_VERBOSE: an XPUB passes on every subscription, duplicates too (write-only). */
export const ZMQ_XPUB_VERBOSE = ZMQ.XPUB_VERBOSE;
/** ZMQ_ROUTER_RAW: a ROUTER speaks raw tcp (write-only). */
export const ZMQ_ROUTER_RAW = ZMQ.ROUTER_RAW;
/** ZMQ_IPV6: enable IPv6. */
export const ZMQ_IPV6 = ZMQ.IPV6;
/** ZMQ_MECHANISM: the security mechanism: 0 null, 1 PLAIN, 2 CURVE, 3 GSSAPI (read-only). */
export const ZMQ_MECHANISM = ZMQ.MECHANISM;
/** ZMQ_PLAIN_SERVER: act as a PLAIN server. */
export const ZMQ_PLAIN_SERVER = ZMQ.PLAIN_SERVER;
/** ZMQ_PLAIN_USERNAME: PLAIN client user name. */
export const ZMQ_PLAIN_USERNAME = ZMQ.PLAIN_USERNAME;
/** ZMQ_PLAIN_PASSWORD: PLAIN client password. */
export const ZMQ_PLAIN_PASSWORD = ZMQ.PLAIN_PASSWORD;
/** ZMQ_CURVE_SERVER: act as a CURVE server. */
export const ZMQ_CURVE_SERVER = ZMQ.CURVE_SERVER;
/** ZMQ_CURVE_PUBLICKEY: this socket's CURVE public key (Z85 string or 32-byte Buffer). */
export const ZMQ_CURVE_PUBLICKEY = ZMQ.CURVE_PUBLICKEY;
/** ZMQ_CURVE_SECRETKEY: this socket's CURVE secret key (Z85 string or 32-byte Buffer). */
export const ZMQ_CURVE_SECRETKEY = ZMQ.CURVE_SECRETKEY;
/** ZMQ_CURVE_SERVERKEY: the CURVE server's public key, for a client. */
export const ZMQ_CURVE_SERVERKEY = ZMQ.CURVE_SERVERKEY;
/** ZMQ_PROBE_ROUTER: send an empty message to ROUTER peers on connect (write-only). */
export const ZMQ_PROBE_ROUTER = ZMQ.PROBE_ROUTER;
/** ZMQ_REQ_CORRELATE: a REQ matches replies to requests (write-only). */
export const ZMQ_REQ_CORRELATE = ZMQ.REQ_CORRELATE;
/** ZMQ_REQ_RELAXED: a REQ may send a new request before the last reply (write-only). */
export const ZMQ_REQ_RELAXED = ZMQ.REQ_RELAXED;
/** ZMQ_CONFLATE: keep only the last message. */
export const ZMQ_CONFLATE = ZMQ.CONFLATE;
/** ZMQ_ZAP_DOMAIN: the ZAP domain of the socket. */
export const ZMQ_ZAP_DOMAIN = ZMQ.ZAP_DOMAIN;
/** ZMQ_ROUTER_HANDOVER: a new peer with a known identity takes over its routing (write-only). */
export const ZMQ_ROUTER_HANDOVER = ZMQ.ROUTER_HANDOVER;
/** ZMQ_TOS: the IP type-of-service of tcp connections. */
export const ZMQ_TOS = ZMQ.TOS;
/** ZMQ_HANDSHAKE_IVL: how long a ZMTP handshake may take, ms; 0 forever. */
export const ZMQ_HANDSHAKE_IVL = ZMQ.HANDSHAKE_IVL;
/** ZMQ_SOCKS_PROXY: the SOCKS5 proxy tcp connections go through. */
export const ZMQ_SOCKS_PROXY = ZMQ.SOCKS_PROXY;
/** ZMQ_XPUB_NODROP: an XPUB/PUB fails with EAGAIN at the high water mark instead of dropping (write-only). */
export const ZMQ_XPUB_NODROP = ZMQ.XPUB_NODROP;
/** ZMQ_XPUB_MANUAL: an XPUB's subscriptions are managed by the application (write-only). */
export const ZMQ_XPUB_MANUAL = ZMQ.XPUB_MANUAL;
/** ZMQ_XPUB_WELCOME_MSG: the message an XPUB sends every new subscriber (write-only). */
export const ZMQ_XPUB_WELCOME_MSG = ZMQ.XPUB_WELCOME_MSG;
/** ZMQ_STREAM_NOTIFY: a STREAM reports connects and disconnects as empty messages (write-only). */
export const ZMQ_STREAM_NOTIFY = ZMQ.STREAM_NOTIFY;
/** ZMQ_INVERT_MATCHING: subscriptions exclude instead of include. */
export const ZMQ_INVERT_MATCHING = ZMQ.INVERT_MATCHING;
/** ZMQ_HEARTBEAT_IVL: interval of ZMTP heartbeats, ms; 0 none. */
export const ZMQ_HEARTBEAT_IVL = ZMQ.HEARTBEAT_IVL;
/** ZMQ_HEARTBEAT_TTL: the time-to-live a heartbeat asks the peer for, ms. */
export const ZMQ_HEARTBEAT_TTL = ZMQ.HEARTBEAT_TTL;
/** ZMQ_HEARTBEAT_TIMEOUT: how long to wait for a heartbeat reply, ms. */
export const ZMQ_HEARTBEAT_TIMEOUT = ZMQ.HEARTBEAT_TIMEOUT;
/** ZMQ_XPUB_VERBOSER: an XPUB passes on every subscription and unsubscription (write-only). */
export const ZMQ_XPUB_VERBOSER = ZMQ.XPUB_VERBOSER;
/** ZMQ_CONNECT_TIMEOUT: how long a tcp connect may take, ms; 0 system default. */
export const ZMQ_CONNECT_TIMEOUT = ZMQ.CONNECT_TIMEOUT;
/** ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT, ms; 0 system default. */
export const ZMQ_TCP_MAXRT = ZMQ.TCP_MAXRT;
/** ZMQ_MULTICAST_MAXTPDU: largest multicast transport data unit, bytes. */
export const ZMQ_MULTICAST_MAXTPDU = ZMQ.MULTICAST_MAXTPDU;
/** ZMQ_BINDTODEVICE: the network interface connections are bound to (SO_BINDTODEVICE). */
export const ZMQ_BINDTODEVICE = ZMQ.BINDTODEVICE;

// --- context options, flags, poll states --------------------------------------------------

/** ZMQ_IO_THREADS: the context option behind Context.setMaxThreads(). */
export const ZMQ_IO_THREADS = ZMQ.IO_THREADS;
/** ZMQ_MAX_SOCKETS: the context option behind Context.setMaxSockets(). */
export const ZMQ_MAX_SOCKETS = ZMQ.MAX_SOCKETS;
/** ZMQ_SNDMORE: a send() flag: more frames of this message follow in later send() calls. */
export const ZMQ_SNDMORE = ZMQ.SNDMORE;
/** ZMQ_DONTWAIT: a send() flag v5 accepted; sends never block the event loop anyway. */
export const ZMQ_DONTWAIT = ZMQ.DONTWAIT;
/** ZMQ_POLLIN: a ZMQ_EVENTS bit: a message can be received now. */
export const ZMQ_POLLIN = ZMQ.POLLIN;
/** ZMQ_POLLOUT: a ZMQ_EVENTS bit: a message can be sent now. */
export const ZMQ_POLLOUT = ZMQ.POLLOUT;
/** ZMQ_POLLERR: a ZMQ_EVENTS bit libzmq never sets for its sockets. */
export const ZMQ_POLLERR = ZMQ.POLLERR;

// --- what v5's build could do, and its socket states --------------------------------------

/** 1: monitor() is available. */
export const ZMQ_CAN_MONITOR = 1;
/** 1: disconnect() is available. */
export const ZMQ_CAN_DISCONNECT = 1;
/** 1: unbind() and unbindSync() are available. */
export const ZMQ_CAN_UNBIND = 1;
/** 1: Context.setMaxThreads() and setMaxSockets() are available. */
export const ZMQ_CAN_SET_CTX = 1;
/** v5's native socket state: ready. */
export const STATE_READY = 0;
/** v5's native socket state: busy with a bind or unbind. */
export const STATE_BUSY = 1;
/** v5's native socket state: closed. */
export const STATE_CLOSED = 2;
