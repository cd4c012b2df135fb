// The program's say in a ZAP decision: an `authorize` callback, consulted for each connection
// the policy lets in, that may refuse it or name the user (the ZAP reply's user id, which
// libzmq attaches to the peer's messages as the "User-Id" property). It may be async; an answer
// that does not come within the timeout refuses the connection (ZAP status 300, "try later"),
// and one that throws refuses it with status 500: the decision says which, and why.
import { inspect } from "node:util";

import type { ZapAnswer, ZapRequest } from "./zap";
import { z85Encode } from "../curve";

/** What `authorize` is told about a connection the policy would let in. */
export interface AuthRequest {
  /** The client's IP address; for ipc:// on Linux "localhost:uid:gid:pid" (SO_PEERCRED). */
  address: string;
  /** The server socket's zapDomain ("" when none is set). */
  domain: string;
  /** "NULL", "PLAIN" or "CURVE". */
  mechanism: string;
  /** The client's routing id (its ZMQ_ROUTING_ID), often empty. */
  routingId: Buffer;
  /** PLAIN: the user name (the password was checked already); "" otherwise. */
  userName: string;
  /** CURVE: the client's public key, Z85; "" otherwise. */
  publicKey: string;
  /** The user id the client gets unless the verdict names another: user name, CURVE key, or "". */
  userId: string;
}

/**
 * `authorize`'s answer: `true` lets the client in as the policy would, `false` refuses it; an
 * object may also give the user id (`userId`, e.g. the account a CURVE key belongs to) or the
 * reason of a refusal (reported in the decision).
 */
export type AuthVerdict =
  | boolean
  | {
      /** Whether the client may complete its handshake. */
      allowed: boolean;
      /** The user id (libzmq's "User-Id" message property) when allowed; default {@link AuthRequest.userId}. */
      userId?: string;
      /** Why it was refused, for the decision (default "Refused by authorize()"). */
      reason?: string;
    };

/** Decides a connection; may return a promise. It cannot let in what the policy refuses. */
export type Authorize = (request: AuthRequest) => AuthVerdict | PromiseLike<AuthVerdict>;

/** What the authenticator answers, with the callback's failure when it failed. */
export interface AuthorizedAnswer extends ZapAnswer {
  /** What `authorize` threw or rejected with, when it did. */
  error?: unknown;
}

/** The request as `authorize` sees it, given what the policy answered. */
export function authRequest(request: ZapRequest, answer: ZapAnswer): AuthRequest {
  const [first] = request.credentials;
  return {
    address: request.address,
    domain: request.domain,
    mechanism: request.mechanism,
    routingId: request.identity,
    userName: request.mechanism === "PLAIN" && first !== undefined ? first.toString() : "",
    publicKey:
      request.mechanism === "CURVE" && first !== undefined && first.length === 32
        ? z85Encode(first)
        : "",
    userId: answer.userId,
  };
}

function refused(statusCode: 300 | 400 | 500, reason: string, error?: unknown): AuthorizedAnswer {
  const answer: AuthorizedAnswer = { statusCode, reason, userId: "" };
  if (error !== undefined) answer.error = error;
  return answer;
}

/** The answer a verdict stands for, given what the policy allowed. */
export function answerOf(verdict: unknown, allowed: ZapAnswer): AuthorizedAnswer {
  if (verdict === true) return allowed;
  if (verdict === false) return refused(400, "Refused by authorize()");
  if (typeof verdict === "object" && verdict !== null && "allowed" in verdict) {
    const { allowed: yes, userId, reason } = verdict as Record<string, unknown>;
    if (typeof yes === "boolean" && (userId === undefined || typeof userId === "string")) {
      if (reason === undefined || typeof reason === "string") {
        if (!yes) return refused(400, reason ?? "Refused by authorize()");
        return { statusCode: 200, reason: "OK", userId: userId ?? allowed.userId };
      }
    }
  }
  return refused(
    500,
    `authorize() returned ${inspect(verdict, { depth: 1 })}, not true, false or ` +
      "{ allowed: boolean, userId?: string, reason?: string }",
  );
}

/**
 * Asks `authorize` about a request the policy allowed, waiting at most `timeoutMs`. Never
 * rejects: a failure of the callback is a refusal.
 */
export async function consult(
  authorize: Authorize,
  request: AuthRequest,
  allowed: ZapAnswer,
  timeoutMs: number,
): Promise<AuthorizedAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<AuthorizedAnswer>((resolve) => {
    timer = setTimeout(
      () => resolve(refused(300, `authorize() did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // A callback that never answers must not keep the process alive on its own.
    timer.unref();
  });
  const answered = (async () => {
    try {
      return answerOf(await authorize(request), allowed);
    } catch (error) {
      const message = error instanceof Error ? error.message : inspect(error);
      return refused(500, `authorize() failed: ${message}`, error);
    }
  })();
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}
