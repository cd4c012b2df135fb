// A ZAP handler (RFC 27) in the manner of pyzmq's zmq.auth: a ROUTER bound to
// inproc://zeromq.zap.01 in a context, which libzmq asks whether each PLAIN and CURVE client
// (and NULL clients of a server with a zapDomain) may complete its handshake.
import { context as defaultContext, type Context } from "../context";
import { ZmqError, expectFunction, expectInteger, typeError } from "../errors";
import { withoutSocketDefaults } from "../socket-defaults";
import { Router } from "../sockets";
import { authRequest, consult, type Authorize, type AuthorizedAnswer } from "./authorize";
import { Policy, type CurveClients } from "./policy";
import {
  ZAP_ENDPOINT,
  decodeRequest,
  encodeReply,
  type ZapRequest,
  type ZapStatusCode,
} from "./zap";

/** How long `authorize` may take by default, ms: well within libzmq's 30 s handshakeInterval. */
const DEFAULT_AUTHORIZE_TIMEOUT = 5000;

/** One answer the authenticator gave, as passed to `onDecision`. */
export interface AuthDecision {
  /** The client's IP address; for ipc:// on Linux "localhost:uid:gid:pid" (SO_PEERCRED). */
  address: string;
  /** The server socket's zapDomain ("" when none is set). */
  domain: string;
  /** "NULL", "PLAIN", "CURVE", … ("" for a request too malformed to say). */
  mechanism: string;
  /** Whether the client was let in (statusCode 200). */
  allowed: boolean;
  /**
   * 200 allowed; 400 refused (by the policy or `authorize`); 300 `authorize` did not answer in
   * time; 500 a malformed request, or `authorize` threw or returned something else.
   */
  statusCode: ZapStatusCode;
  /**
   * Why: "OK", or what refused it ("Unknown public key …", "Wrong password for …",
   * "authorize() did not answer within 5000 ms", "authorize() failed: …").
   */
  reason: string;
  /**
   * Who the client is when allowed (libzmq's "User-Id" property of its messages): what
   * `authorize` named, else the PLAIN user name or the CURVE public key (Z85); "" otherwise.
   */
  userId: string;
  /** What `authorize` threw or rejected with, when it did (status 500). */
  error?: unknown;
}

/** Options of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** The context whose sockets it authenticates (default: the shared `context`). */
  context?: Context;
  /**
   * Called with each decision, just before the reply goes to libzmq (e.g. to log refusals).
   * An exception it throws is not caught: it surfaces as an uncaught exception, as one from
   * an event listener would, and the authenticator goes on answering.
   */
  onDecision?: (decision: AuthDecision) => void;
  /**
   * Decides each connection the policy lets in (a further check: it can refuse, or name the
   * user, but not admit what the policy refuses; for keys kept in a database, configure
   * CURVE with "any" and look the key up here). May return a promise; requests are answered
   * concurrently, so a slow answer holds up only its own handshake. See {@link AuthVerdict}.
   */
  authorize?: Authorize;
  /**
   * How long `authorize` may take, ms (default 5000). Past it the client is refused with ZAP
   * status 300 ("temporary failure": libzmq drops the client without telling it, and the
   * client retries as it reconnects) and the decision's reason says so; keep it below the
   * servers' handshakeInterval.
   */
  authorizeTimeout?: number;
}

/**
 * Authenticates the clients of the server sockets of one context (ZAP). Until `start()`,
 * libzmq lets every CURVE client that knows the server key in, refuses every PLAIN client and
 * asks no one about NULL; once started, until `stop()`, every handshake of a PLAIN or CURVE
 * server socket in the context, and of a NULL one with a `zapDomain`, waits for its decision.
 *
 * ```ts
 * const auth = new Authenticator({ onDecision: (d) => d.allowed || console.warn(d) });
 * auth.allow("127.0.0.1");
 * auth.configureCurve("*", { directory: "certificates/clients" });
 * await auth.start();
 * const server = new Reply({ curveServer: true, curveSecretKey: serverSecret });
 * ```
 *
 * Only one ZAP handler can run per context: `start()` rejects with EADDRINUSE when another
 * is bound. The policy may be changed while running; it applies to later handshakes.
 */
export class Authenticator {
  /** The context it serves. */
  readonly context: Context;
  readonly #policy = new Policy();
  readonly #onDecision: ((decision: AuthDecision) => void) | undefined;
  readonly #authorize: Authorize | undefined;
  readonly #authorizeTimeout: number;
  #router: Router | null = null;
  #starting: Promise<void> | null = null;
  #serving: Promise<void> | null = null;

  constructor(options: AuthenticatorOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw typeError("an object", "options", options);
    }
    this.context = options.context ?? defaultContext;
    if (options.onDecision !== undefined) expectFunction(options.onDecision, "onDecision");
    this.#onDecision = options.onDecision;
    if (options.authorize !== undefined) expectFunction(options.authorize, "authorize");
    this.#authorize = options.authorize;
    const timeout = options.authorizeTimeout ?? DEFAULT_AUTHORIZE_TIMEOUT;
    expectInteger(timeout, "authorizeTimeout", 1, 2 ** 31 - 1);
    this.#authorizeTimeout = timeout;
  }

  /** Whether it is bound and answering requests. */
  get running(): boolean {
    return this.#serving !== null && this.#router !== null && !this.#router.closed;
  }

  /**
   * Binds the ZAP endpoint in the context and starts answering. Resolves once bound, so that
   * handshakes started afterwards are authenticated. Calling it again while started is a no-op.
   */
  start(): Promise<void> {
    // A router closed under us (its context was closed) does not count as started.
    if (this.#starting !== null && !this.#router?.closed) return this.#starting;
    const router = new Router(withoutSocketDefaults({ context: this.context, linger: 0 }));
    this.#router = router;
    const starting: Promise<void> = router.bind(ZAP_ENDPOINT).then(
      () => {
        if (this.#router === router) this.#serving = this.#serve(router);
      },
      (error: unknown) => {
        router.close();
        if (this.#starting === starting) {
          this.#router = null;
          this.#starting = null;
        }
        if (error instanceof ZmqError && error.code === "EADDRINUSE") {
          throw new ZmqError(
            "EADDRINUSE",
            `Another ZAP handler is already bound to ${ZAP_ENDPOINT} in this context`,
            ZAP_ENDPOINT,
          );
        }
        throw error;
      },
    );
    this.#starting = starting;
    return starting;
  }

  /**
   * Stops answering and releases the ZAP endpoint (start() may be called again). Resolves when
   * the handler has finished. Handshakes still waiting for an answer fail after their server's
   * handshakeInterval. Note that libzmq then asks no one again: a CURVE server admits every
   * client that knows its public key, as before start().
   */
  async stop(): Promise<void> {
    const starting = this.#starting;
    const router = this.#router;
    this.#starting = null;
    this.#router = null;
    if (starting !== null) await starting.catch(() => undefined);
    const serving = this.#serving;
    this.#serving = null;
    if (router !== null && !router.closed) {
      // Unbind first: libzmq frees an inproc name on close only later, on its reaper thread,
      // and a start() right after stop() would find it still taken.
      try {
        router.unbindSync(ZAP_ENDPOINT);
      } catch {
        // Not bound (the bind failed) or the context is closing: nothing to release.
      }
      router.close();
    }
    await serving;
  }

  /** `await using auth = new Authenticator()` stops it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Allows only these client IP addresses (for every mechanism). While the allow list has any
   * entry, the deny list is not consulted, and ipc:// clients, which have no IP address, are
   * refused. IPv4 entries also match IPv4-mapped IPv6 peers ("::ffff:127.0.0.1").
   */
  allow(...addresses: string[]): this {
    this.#policy.allow(addresses);
    return this;
  }

  /** Refuses these client IP addresses (when the allow list is empty). */
  deny(...addresses: string[]): this {
    this.#policy.deny(addresses);
    return this;
  }

  /**
   * Sets the PLAIN users of `domain` (a server's zapDomain; "*" for every domain without its
   * own): user name → password. Replaces that domain's earlier users.
   */
  configurePlain(domain: string, passwords: Record<string, string>): this {
    this.#policy.configurePlain(domain, passwords);
    return this;
  }

  /**
   * Sets which CURVE clients `domain` accepts ("*" for every domain without its own): `"any"`,
   * the given public keys, or `{ directory }` for the keys of the `*.key` certificates there
   * (read now, synchronously). Replaces that domain's earlier setting.
   */
  configureCurve(domain: string, clients: CurveClients): this {
    this.#policy.configureCurve(domain, clients);
    return this;
  }

  async #serve(router: Router): Promise<void> {
    for await (const frames of router) {
      const decoded = decodeRequest(frames);
      if (decoded === null) continue;
      if ("request" in decoded) {
        // Not awaited: each request is answered when its decision is made.
        void this.#answer(router, decoded.request);
      } else {
        const decision: AuthDecision = {
          address: "",
          domain: "",
          mechanism: "",
          allowed: false,
          statusCode: 500,
          reason: decoded.reason,
          userId: "",
        };
        await this.#reply(router, decoded.malformed, decision);
      }
    }
  }

  /** Decides one request: the policy, then `authorize` for what the policy allows. */
  async #answer(router: Router, request: ZapRequest): Promise<void> {
    let answer: AuthorizedAnswer = this.#policy.decide(request);
    if (answer.statusCode === 200 && this.#authorize !== undefined) {
      const asked = authRequest(request, answer);
      answer = await consult(this.#authorize, asked, answer, this.#authorizeTimeout);
    }
    const decision: AuthDecision = {
      address: request.address,
      domain: request.domain,
      mechanism: request.mechanism,
      allowed: answer.statusCode === 200,
      statusCode: answer.statusCode,
      reason: answer.reason,
      userId: answer.statusCode === 200 ? answer.userId : "",
    };
    if (answer.error !== undefined) decision.error = answer.error;
    await this.#reply(router, encodeReply(request.routingId, request.requestId, answer), decision);
  }

  async #reply(router: Router, reply: Buffer[], decision: AuthDecision): Promise<void> {
    // Stopped while `authorize` was deciding: the answer would reach no one.
    if (router.closed) return;
    // Reported before the reply, so that the program hears of a decision before any socket
    // event it causes.
    this.#report(decision);
    try {
      await router.send(reply);
    } catch (error) {
      // Closed by stop() or by the context meanwhile: the loop ends with the socket.
      if (router.closed) return;
      throw error;
    }
  }

  #report(decision: AuthDecision): void {
    if (this.#onDecision === undefined) return;
    try {
      this.#onDecision(decision);
    } catch (error) {
      // Not the handler's to swallow, and it must not stop answering ZAP requests.
      process.nextTick(() => {
        throw error;
      });
    }
  }
}
