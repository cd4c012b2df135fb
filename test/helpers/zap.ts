// Shared plumbing of the ZAP tests: a started Authenticator in a fresh context recording its
// decisions, a PULL server and PUSH client over tcp with their handshake events, and the
// checks that a connection was let in or refused. Everything is stopped or closed after each
// test.
import { afterEach, expect } from "vitest";

import {
  Context,
  Pull,
  Push,
  curveKeyPair,
  type Event,
  type EventOfType,
  type EventType,
  type Socket,
} from "../../src/index";
import { Authenticator, type AuthDecision, type AuthenticatorOptions } from "../../src/auth/index";
import { sleep, within } from "./lifecycle";

const open: Array<{ close(): void }> = [];
export const authenticators: Authenticator[] = [];

export function track<T extends { close(): void }>(closable: T): T {
  open.push(closable);
  return closable;
}

afterEach(async () => {
  for (const auth of authenticators.splice(0)) await auth.stop();
  for (const closable of open.splice(0).reverse()) closable.close();
});

const handshakeTypes = [
  "handshake",
  "handshake:error:auth",
  "handshake:error:protocol",
  "handshake:error:other",
] as const satisfies readonly EventType[];

/** The handshake events of a socket, recorded from before it connects. */
export class Handshakes {
  readonly seen: Event[] = [];
  readonly #waiters: Array<{ type: EventType; resolve(event: Event): void }> = [];

  constructor(socket: Socket) {
    for (const type of handshakeTypes) {
      socket.events.on(type, (event: Event) => {
        this.seen.push(event);
        for (const waiter of this.#waiters.filter((entry) => entry.type === event.type)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      });
    }
  }

  /** The first event of `type`, waiting for it if need be. */
  next<T extends EventType>(type: T, ms = 5000): Promise<EventOfType<T>> {
    const found = this.seen.find((event) => event.type === type);
    if (found !== undefined) return Promise.resolve(found as EventOfType<T>);
    return within(
      new Promise<EventOfType<T>>((resolve) => {
        this.#waiters.push({ type, resolve: resolve as (event: Event) => void });
      }),
      ms,
      `event ${type}`,
    );
  }

  get types(): EventType[] {
    return this.seen.map((event) => event.type);
  }
}

/** A started authenticator in a fresh context, recording its decisions. */
export async function startAuthenticator(
  configure: (auth: Authenticator) => void = () => undefined,
  options: AuthenticatorOptions = {},
) {
  const context = track(new Context());
  const decisions: AuthDecision[] = [];
  const onDecision = (decision: AuthDecision) => decisions.push(decision);
  const auth = new Authenticator({ context, onDecision, ...options });
  authenticators.push(auth);
  configure(auth);
  await auth.start();
  return { context, auth, decisions };
}

/**
 * A PULL server with `serverOptions` and a PUSH client with `clientOptions` that connects to
 * it over tcp and sends "hello", both in `context`, with their handshake events recorded.
 */
export async function connect(
  context: Context,
  serverOptions: object,
  clientOptions: object,
  bindAddress = "tcp://127.0.0.1:*",
) {
  const server = track(new Pull({ context, linger: 0, receiveTimeout: 5000, ...serverOptions }));
  const serverEvents = new Handshakes(server);
  await server.bind(bindAddress);
  const address = server.lastEndpoint!.replace("[::ffff:127.0.0.1]", "127.0.0.1");
  const client = track(new Push({ context, linger: 0, ...clientOptions }));
  const clientEvents = new Handshakes(client);
  client.connect(address);
  void client.send("hello").catch(() => undefined);
  return { server, client, serverEvents, clientEvents };
}

export type Connection = Awaited<ReturnType<typeof connect>>;

/** The connection passes: the message arrives and both sides report the handshake. */
export async function expectAllowed(connection: Connection): Promise<void> {
  const [message] = await within(connection.server.receive(), 5000, "message");
  expect(message.toString()).toBe("hello");
  await connection.serverEvents.next("handshake");
  await connection.clientEvents.next("handshake");
}

/**
 * The connection is refused by ZAP: libzmq reports "handshake:error:auth" with the ZAP status
 * on the server, and, as the server sends the status in an ERROR command, on the client too.
 */
export async function expectRefused(connection: Connection, status = 400): Promise<void> {
  const onServer = await connection.serverEvents.next("handshake:error:auth");
  const onClient = await connection.clientEvents.next("handshake:error:auth");
  expect(onServer.error.status).toBe(status);
  expect(onClient.error.status).toBe(status);
  await sleep(50);
  expect(connection.server.tryReceive()).toBeNull();
  expect(connection.serverEvents.types).not.toContain("handshake");
  expect(connection.clientEvents.types).not.toContain("handshake");
}

export function curveServer() {
  const keys = curveKeyPair();
  return { keys, options: { curveServer: true, curveSecretKey: keys.secretKey } };
}

export function curveClient(serverPublicKey: string, keys = curveKeyPair()) {
  return {
    keys,
    options: {
      curveServerKey: serverPublicKey,
      curvePublicKey: keys.publicKey,
      curveSecretKey: keys.secretKey,
    },
  };
}
