// The Authenticator's `authorize` callback with real CURVE handshakes over tcp: it lets in,
// refuses, throws, answers late (past authorizeTimeout) or asynchronously, never overrides the
// policy, holds up only its own handshake; and the user id it names is what the ZAP reply
// carries to libzmq (read off the ZAP endpoint itself).
import { describe, expect, it } from "vitest";

import { Dealer, curveKeyPair, z85Decode } from "../src/index";
import { Authenticator, ZAP_ENDPOINT, type AuthRequest, type AuthVerdict } from "../src/auth/index";
import {
  connect,
  curveClient,
  curveServer,
  expectAllowed,
  expectRefused,
  startAuthenticator,
  track,
} from "./helpers/zap";
import { sleep } from "./helpers/lifecycle";

/** A CURVE server and client in an authenticator's context that admits any key, then `authorize`. */
async function curveWith(authorize: (request: AuthRequest) => unknown, authorizeTimeout?: number) {
  const asked: AuthRequest[] = [];
  const started = await startAuthenticator((auth) => auth.configureCurve("*", "any"), {
    authorize: (request) => {
      asked.push(request);
      return authorize(request) as AuthVerdict;
    },
    ...(authorizeTimeout === undefined ? {} : { authorizeTimeout }),
  });
  const server = curveServer();
  const client = curveClient(server.keys.publicKey);
  return { ...started, asked, server, client };
}

describe("authorize: the program decides each connection", () => {
  it("true lets the client in; it was told the key, address and default user id", async () => {
    const { context, decisions, asked, server, client } = await curveWith(() => true);
    await expectAllowed(await connect(context, server.options, client.options));
    expect(asked).toEqual([
      {
        address: "127.0.0.1",
        domain: "",
        mechanism: "CURVE",
        routingId: Buffer.alloc(0),
        userName: "",
        publicKey: client.keys.publicKey,
        userId: client.keys.publicKey,
      },
    ]);
    expect(decisions).toEqual([
      expect.objectContaining({ allowed: true, statusCode: 200, userId: client.keys.publicKey }),
    ]);
  });

  it("false, or { allowed: false, reason }, refuses with status 400 and says why", async () => {
    const plain = await curveWith(() => false);
    await expectRefused(await connect(plain.context, plain.server.options, plain.client.options));
    expect(plain.decisions).toEqual([
      expect.objectContaining({
        allowed: false,
        statusCode: 400,
        reason: "Refused by authorize()",
      }),
    ]);

    const reasoned = await curveWith(() => ({ allowed: false, reason: "account suspended" }));
    const { context, server, client } = reasoned;
    await expectRefused(await connect(context, server.options, client.options));
    expect(reasoned.decisions).toEqual([
      expect.objectContaining({ statusCode: 400, reason: "account suspended", userId: "" }),
    ]);
  });

  it("a callback that throws refuses with status 500; the decision carries the error", async () => {
    const failure = new Error("database unreachable");
    const { context, decisions, server, client } = await curveWith(() => {
      throw failure;
    });
    await expectRefused(await connect(context, server.options, client.options), 500);
    expect(decisions).toEqual([
      expect.objectContaining({
        allowed: false,
        statusCode: 500,
        reason: "authorize() failed: database unreachable",
        error: failure,
      }),
    ]);
  });

  it("an answer that does not come within authorizeTimeout refuses with status 300", async () => {
    const started = Date.now();
    const { context, decisions, server, client } = await curveWith(
      () => new Promise<never>(() => undefined),
      200,
    );
    const connection = await connect(context, server.options, client.options);
    const onServer = await connection.serverEvents.next("handshake:error:auth");
    expect(onServer.error.status).toBe(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(decisions[0]).toEqual(
      expect.objectContaining({
        allowed: false,
        statusCode: 300,
        reason: "authorize() did not answer within 200 ms",
      }),
    );
    // 300 is ZAP's "temporary failure": libzmq drops the client without an ERROR (CurveZMQ
    // RFC), so the client hears no refusal; it gets no handshake, and nothing passes.
    await sleep(100);
    expect(connection.server.tryReceive()).toBeNull();
    expect(connection.clientEvents.types).toEqual([]);
    expect(connection.serverEvents.types).not.toContain("handshake");
  });

  it("an async answer names the user: the decision's user id is the one given", async () => {
    const { context, decisions, server, client } = await curveWith(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { allowed: true, userId: `user-of-${request.publicKey.slice(0, 5)}` };
    });
    await expectAllowed(await connect(context, server.options, client.options));
    expect(decisions).toEqual([
      expect.objectContaining({
        allowed: true,
        userId: `user-of-${client.keys.publicKey.slice(0, 5)}`,
      }),
    ]);
  });

  it("an answer that is not a verdict refuses with status 500 and names what it was", async () => {
    const { context, decisions, server, client } = await curveWith(() => "yes");
    await expectRefused(await connect(context, server.options, client.options), 500);
    expect(decisions[0].reason).toMatch(/^authorize\(\) returned 'yes', not true, false or/);
  });

  it("cannot admit what the policy refuses, and is not asked about it", async () => {
    const server = curveServer();
    const known = curveClient(server.keys.publicKey);
    const asked: AuthRequest[] = [];
    const { context, decisions } = await startAuthenticator(
      (auth) => auth.configureCurve("*", [known.keys.publicKey]),
      { authorize: (request) => (asked.push(request), true) },
    );
    const stranger = curveClient(server.keys.publicKey);
    await expectRefused(await connect(context, server.options, stranger.options));
    expect(asked).toEqual([]);
    expect(decisions[0].reason).toBe(`Unknown public key ${stranger.keys.publicKey}`);
  });

  it("a slow answer holds up only its own handshake", async () => {
    const server = curveServer();
    const slow = curveClient(server.keys.publicKey);
    const quick = curveClient(server.keys.publicKey);
    let release: ((verdict: boolean) => void) | undefined;
    const { context } = await startAuthenticator((auth) => auth.configureCurve("*", "any"), {
      authorize: ({ publicKey }) =>
        publicKey === slow.keys.publicKey
          ? new Promise<boolean>((resolve) => (release = resolve))
          : true,
      authorizeTimeout: 20_000,
    });
    const held = await connect(context, server.options, slow.options);
    // The slow client's request is pending; the quick one gets through meanwhile.
    const deadline = Date.now() + 5000;
    while (release === undefined && Date.now() < deadline) await sleep(5);
    expect(release, "the slow client was never asked about").toBeDefined();
    await expectAllowed(await connect(context, server.options, quick.options));
    expect(held.serverEvents.types).toEqual([]);
    release!(false);
    await expectRefused(held);
  }, 20_000);

  it("an answer that comes after stop() is neither sent nor reported", async () => {
    const server = curveServer();
    const client = curveClient(server.keys.publicKey);
    let release: ((verdict: boolean) => void) | undefined;
    const { context, auth, decisions } = await startAuthenticator(
      (configure) => configure.configureCurve("*", "any"),
      { authorize: () => new Promise<boolean>((resolve) => (release = resolve)) },
    );
    const connection = await connect(context, server.options, client.options);
    const deadline = Date.now() + 5000;
    while (release === undefined && Date.now() < deadline) await sleep(5);
    expect(release, "the client was never asked about").toBeDefined();
    await auth.stop();
    release!(true);
    await sleep(50);
    expect(decisions).toEqual([]);
    expect(connection.serverEvents.types).not.toContain("handshake");
  });

  it("validates its options", () => {
    expect(() => new Authenticator({ authorize: 42 as never })).toThrow(TypeError);
    expect(() => new Authenticator({ authorizeTimeout: 0 })).toThrow(RangeError);
    expect(() => new Authenticator({ authorizeTimeout: "1s" as never })).toThrow(TypeError);
  });
});

describe("the user id in the ZAP reply", () => {
  it("is the one authorize names, the default without one, and empty when refused", async () => {
    const names = new Map<string, string>();
    const alice = curveKeyPair().publicKey;
    names.set(alice, "alice");
    const { context } = await startAuthenticator(
      (auth) => auth.configureCurve("*", "any").configurePlain("*", { bob: "secret" }),
      {
        authorize: ({ publicKey, userName }) => ({
          allowed: true,
          userId: names.get(publicKey) ?? (userName === "" ? undefined : `plain:${userName}`),
        }),
      },
    );
    // libzmq's side of ZAP, played by a DEALER: [empty, version, request id, domain, address,
    // identity, mechanism, ...credentials]; the reply's sixth frame is the user id.
    const peer = track(new Dealer({ context, linger: 0, receiveTimeout: 5000 }));
    peer.connect(ZAP_ENDPOINT);
    const ask = async (id: string, mechanism: string, ...credentials: Buffer[]) => {
      await peer.send(["", "1.0", id, "", "127.0.0.1", "", mechanism, ...credentials]);
      return (await peer.receive()).map(String);
    };
    const stranger = curveKeyPair().publicKey;
    expect(await ask("1", "CURVE", z85Decode(alice))).toEqual([
      "",
      "1.0",
      "1",
      "200",
      "OK",
      "alice",
      "",
    ]);
    // Without a name from authorize, the user id is the key, as without authorize.
    expect((await ask("2", "CURVE", z85Decode(stranger)))[5]).toBe(stranger);
    expect((await ask("3", "PLAIN", Buffer.from("bob"), Buffer.from("secret")))[5]).toBe(
      "plain:bob",
    );
    const refused = await ask("4", "PLAIN", Buffer.from("bob"), Buffer.from("wrong"));
    expect(refused.slice(3, 6)).toEqual(["400", 'Wrong password for "bob"', ""]);
  });
});
