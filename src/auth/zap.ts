// The wire format of ZAP 1.0 (RFC 27, ZeroMQ Authentication Protocol) as a ROUTER bound to
// the ZAP endpoint sees it: libzmq's sessions send requests from a REQ-like peer, so every
// request starts with the peer's routing id and an empty delimiter.
//
//   request: [routing id, "", "1.0", request id, domain, address, identity, mechanism, ...credentials]
//   reply:   [routing id, "", "1.0", request id, status code, status text, user id, metadata]

/** The endpoint libzmq asks for ZAP in every context (RFC 27). */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

const VERSION = "1.0";

/** ZAP status codes: success, temporary error, authentication failure, internal error. */
export type ZapStatusCode = 200 | 300 | 400 | 500;

/** A decoded ZAP request. */
export interface ZapRequest {
  routingId: Buffer;
  requestId: Buffer;
  /** The server socket's zapDomain ("" when it has none). */
  domain: string;
  /**
   * The client's address as libzmq reports it: an IP address for tcp:// ("::ffff:a.b.c.d" for
   * an IPv4 client of an ipv6 socket), "localhost:uid:gid:pid" for ipc:// on Linux.
   */
  address: string;
  /** The client's routing id (ZMQ_ROUTING_ID), often empty. */
  identity: Buffer;
  /** "NULL", "PLAIN", "CURVE" or "GSSAPI". */
  mechanism: string;
  /** PLAIN: user name and password; CURVE: the 32-byte client public key; NULL: none. */
  credentials: Buffer[];
}

/** What a handler answers. `userId` is only sent with 200 (libzmq's User-Id property). */
export interface ZapAnswer {
  statusCode: ZapStatusCode;
  reason: string;
  userId: string;
}

/**
 * Decodes a message received on the ZAP ROUTER. Returns the request; or, when it is malformed
 * but carries an envelope and request id to answer to, the 500 reply to send; or null when
 * there is nothing to answer (not a ZAP request at all).
 */
export function decodeRequest(
  frames: Buffer[],
): { request: ZapRequest } | { malformed: Buffer[]; reason: string } | null {
  const [routingId, delimiter, version, requestId] = frames;
  if (routingId === undefined || delimiter === undefined || delimiter.length !== 0) return null;
  if (version === undefined || requestId === undefined) return null;
  const fail = (reason: string) => ({
    malformed: encodeReply(routingId, requestId, { statusCode: 500, reason, userId: "" }),
    reason,
  });
  if (version.toString() !== VERSION) return fail(`Unsupported ZAP version ${version.toString()}`);
  if (frames.length < 8) return fail("Malformed ZAP request: too few frames");
  const [domain, address, identity, mechanism] = frames.slice(4, 8) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  return {
    request: {
      routingId,
      requestId,
      domain: domain.toString(),
      address: address.toString(),
      identity,
      mechanism: mechanism.toString(),
      credentials: frames.slice(8),
    },
  };
}

/** The reply frames for `answer` (metadata empty: zmq-napi adds no ZAP metadata). */
export function encodeReply(routingId: Buffer, requestId: Buffer, answer: ZapAnswer): Buffer[] {
  return [
    routingId,
    Buffer.alloc(0),
    Buffer.from(VERSION),
    requestId,
    Buffer.from(String(answer.statusCode)),
    Buffer.from(answer.reason),
    Buffer.from(answer.statusCode === 200 ? answer.userId : ""),
    Buffer.alloc(0),
  ];
}
