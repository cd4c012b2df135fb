// CURVE security end to end over real sockets: successful handshakes (REQ/REP, DEALER/ROUTER),
// key options in Z85 and binary form, each way a handshake fails as the sockets' events report
// it, and the key helpers (curveKeyPair, curvePublic, z85Encode/z85Decode).
import { describe, expect, it } from "vitest";

import {
  Dealer,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  curveKeyPair,
  curvePublic,
  z85Decode,
  z85Encode,
  type EventOfType,
  type EventType,
  type Socket,
} from "../src/index";
import { bindFresh, type Transport } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";

// --- helpers ----------------------------------------------------------------------------------

/** Records the events of the given types a socket reports (start before connecting). */
function record(socket: Socket, types: EventType[]): Array<{ type: EventType; event: unknown }> {
  const seen: Array<{ type: EventType; event: unknown }> = [];
  for (const type of types) socket.events.on(type, (event) => seen.push({ type, event }));
  return seen;
}

/** The first event of `type` the socket reports. */
function nextEvent<T extends EventType>(
  socket: Socket,
  type: T,
  ms = 5000,
): Promise<EventOfType<T>> {
  return within(
    new Promise<EventOfType<T>>((resolve) => {
      const listener = (event: EventOfType<T>) => {
        socket.events.off(type, listener);
        resolve(event);
      };
      socket.events.on(type, listener);
    }),
    ms,
    `event ${type}`,
  );
}

const handshakeEvents: EventType[] = [
  "handshake",
  "handshake:error:protocol",
  "handshake:error:auth",
  "handshake:error:other",
];

/** A CURVE server's and a client's options from fresh key pairs. */
function curvePairs() {
  const server = curveKeyPair();
  const client = curveKeyPair();
  return {
    server,
    client,
    serverOptions: { curveServer: true, curveSecretKey: server.secretKey, linger: 0 },
    clientOptions: {
      curveServerKey: server.publicKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
      linger: 0,
    },
  };
}

// --- successful handshakes --------------------------------------------------------------------

describe("CURVE handshakes that succeed", () => {
  for (const transport of ["tcp", "ipc"] as Transport[]) {
    it(`REQ/REP over ${transport}: several round trips, both sides report the handshake`, async () => {
      const { serverOptions, clientOptions } = curvePairs();
      const reply = track(new Reply(serverOptions));
      const serverHandshake = nextEvent(reply, "handshake");
      const address = await bindFresh(reply, transport);
      const request = track(new Request(clientOptions));
      const clientHandshake = nextEvent(request, "handshake");
      request.connect(address);

      for (let i = 0; i < 5; i++) {
        await request.send(`ping ${i}`);
        const [message] = await within(reply.receive(), 5000, "request");
        expect(message.toString()).toBe(`ping ${i}`);
        await reply.send(`pong ${i}`);
        const [answer] = await within(request.receive(), 5000, "reply");
        expect(answer.toString()).toBe(`pong ${i}`);
      }
      await serverHandshake;
      await clientHandshake;
      expect(reply.securityMechanism).toBe("curve");
      expect(request.securityMechanism).toBe("curve");
    });
  }

  it("DEALER/ROUTER over tcp with keys given as 32-byte Buffers", async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const router = track(
      new Router({ curveServer: true, curveSecretKey: z85Decode(server.secretKey), linger: 0 }),
    );
    const address = await bindFresh(router, "tcp");
    const dealer = track(
      new Dealer({
        routingId: "dealer-1",
        curveServerKey: z85Decode(server.publicKey),
        curvePublicKey: z85Decode(client.publicKey),
        curveSecretKey: z85Decode(client.secretKey),
        linger: 0,
      }),
    );
    dealer.connect(address);

    for (let i = 0; i < 5; i++) {
      await dealer.send(["", `request ${i}`]);
      const [id, empty, body] = await within(router.receive(), 5000, "request");
      expect(id.toString()).toBe("dealer-1");
      expect(empty.length).toBe(0);
      expect(body.toString()).toBe(`request ${i}`);
      await router.send([id, "", `reply ${i}`]);
      const [, answer] = await within(dealer.receive(), 5000, "reply");
      expect(answer.toString()).toBe(`reply ${i}`);
    }
  });

  it("large messages cross a CURVE connection intact", async () => {
    const { serverOptions, clientOptions } = curvePairs();
    const pull = track(new Pull(serverOptions));
    const address = await bindFresh(pull, "tcp");
    const push = track(new Push(clientOptions));
    push.connect(address);
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    await push.send([payload, "tail"]);
    const [body, tail] = await within(pull.receive(), 5000, "large message");
    expect(body.equals(payload)).toBe(true);
    expect(tail.toString()).toBe("tail");
  });
});

// --- key options ------------------------------------------------------------------------------

describe("CURVE key options", () => {
  it("accept a Z85 string, a Buffer or a Uint8Array and read back as Z85", () => {
    const pair = curveKeyPair();
    const socket = track(new Request());
    socket.curvePublicKey = pair.publicKey;
    expect(socket.curvePublicKey).toBe(pair.publicKey);
    // The property types say string | null (the getter's type) although the setters take
    // bytes too, as the constructor options' types do: hence the casts.
    const keys = socket as unknown as Record<"curveSecretKey" | "curveServerKey", unknown>;
    keys.curveSecretKey = z85Decode(pair.secretKey);
    expect(socket.curveSecretKey).toBe(pair.secretKey);
    keys.curveServerKey = new Uint8Array(z85Decode(pair.publicKey));
    expect(socket.curveServerKey).toBe(pair.publicKey);
    // Constructor options are typed to take bytes.
    const other = track(new Request({ curveServerKey: z85Decode(pair.publicKey) }));
    expect(other.curveServerKey).toBe(pair.publicKey);
  });

  it("make a socket a CURVE server or client (securityMechanism)", () => {
    const pair = curveKeyPair();
    const server = track(new Reply());
    expect(server.securityMechanism).toBeNull();
    server.curveServer = true;
    expect(server.curveServer).toBe(true);
    expect(server.securityMechanism).toBe("curve");
    // Setting the server key alone makes a socket a CURVE client (libzmq's rule).
    const client = track(new Request({ curveServerKey: pair.publicKey }));
    expect(client.curveServer).toBe(false);
    expect(client.securityMechanism).toBe("curve");
  });

  it("reject invalid keys with RangeError, and values of other types with TypeError", () => {
    const socket = track(new Request());
    const invalid: unknown[] = [
      "",
      "abc",
      "a".repeat(39),
      "a".repeat(41),
      `${"a".repeat(39)}~`, // '~' is not a Z85 character
      `${"a".repeat(39)} `,
      Buffer.alloc(31),
      Buffer.alloc(33),
      new Uint8Array(0),
    ];
    for (const name of ["curveServerKey", "curvePublicKey", "curveSecretKey"] as const) {
      for (const value of invalid) {
        let caught: unknown;
        try {
          (socket as unknown as Record<string, unknown>)[name] = value;
        } catch (error) {
          caught = error;
        }
        expect(caught, `${name} = ${String(value)}`).toBeInstanceOf(RangeError);
        expect((caught as RangeError).message).toMatch(
          new RegExp(`^Expected .* for ${name} but received`),
        );
      }
      for (const value of [42, {}, [1, 2], true, undefined]) {
        expect(() => {
          (socket as unknown as Record<string, unknown>)[name] = value;
        }).toThrow(TypeError);
      }
    }
  });
});

// --- failing handshakes -----------------------------------------------------------------------

describe("CURVE handshakes that fail", () => {
  /**
   * A PULL server and a PUSH client with these options: both report a mechanism mismatch and
   * nothing is delivered.
   */
  async function expectMechanismMismatch(
    pullOptions: ConstructorParameters<typeof Pull>[0],
    pushOptions: ConstructorParameters<typeof Push>[0],
  ): Promise<void> {
    const pull = track(new Pull(pullOptions));
    const serverError = nextEvent(pull, "handshake:error:protocol");
    const address = await bindFresh(pull, "tcp");
    const push = track(new Push(pushOptions));
    const clientError = nextEvent(push, "handshake:error:protocol");
    push.connect(address);
    void push.send("never delivered").catch(() => undefined);

    expect((await serverError).error.code).toBe("ERR_ZMTP_MECHANISM_MISMATCH");
    expect((await clientError).error.code).toBe("ERR_ZMTP_MECHANISM_MISMATCH");
    await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" });
  }

  it("wrong server key: nothing is delivered; the server reports a cryptographic protocol error", async () => {
    const { serverOptions, clientOptions } = curvePairs();
    const pull = track(new Pull({ ...serverOptions, receiveTimeout: 500 }));
    const serverSeen = record(pull, handshakeEvents);
    const serverError = nextEvent(pull, "handshake:error:protocol");
    const address = await bindFresh(pull, "tcp");
    const push = track(new Push({ ...clientOptions, curveServerKey: curveKeyPair().publicKey }));
    const clientSeen = record(push, handshakeEvents);
    const clientError = nextEvent(push, "handshake:error:other");
    push.connect(address);
    void push.send("never delivered").catch(() => undefined);

    const error = (await serverError).error;
    expect(error.code).toBe("ERR_ZMTP_CRYPTOGRAPHIC");
    // The server drops the connection: the client sees the socket closed mid-handshake.
    const clientFailure = (await clientError).error;
    expect(clientFailure.code).toMatch(/^(EPIPE|ECONNRESET)$/);
    await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    expect(serverSeen.map((entry) => entry.type)).not.toContain("handshake");
    expect(clientSeen.map((entry) => entry.type)).not.toContain("handshake");
  });

  it("client without keys against a CURVE server: mechanism mismatch on both sides", async () => {
    const { serverOptions } = curvePairs();
    await expectMechanismMismatch({ ...serverOptions, receiveTimeout: 500 }, { linger: 0 });
  });

  it("CURVE client against a NULL server: mechanism mismatch on both sides", async () => {
    const { clientOptions } = curvePairs();
    await expectMechanismMismatch({ linger: 0, receiveTimeout: 500 }, clientOptions);
  });

  it("a connection that fails its handshake does not block a good client of the same server", async () => {
    const { server, serverOptions, clientOptions } = curvePairs();
    const pull = track(new Pull(serverOptions));
    const serverError = nextEvent(pull, "handshake:error:protocol");
    const address = await bindFresh(pull, "tcp");
    const bad = track(new Push({ ...clientOptions, curveServerKey: curveKeyPair().publicKey }));
    bad.connect(address);
    void bad.send("bad").catch(() => undefined);
    await serverError;
    const good = track(new Push({ ...clientOptions, curveServerKey: server.publicKey }));
    good.connect(address);
    await good.send("good");
    const [message] = await within(pull.receive(), 5000, "good message");
    expect(message.toString()).toBe("good");
    await sleep(50);
    expect(pull.tryReceive()).toBeNull();
  });
});

// --- key helpers ------------------------------------------------------------------------------

describe("curveKeyPair and curvePublic", () => {
  it("curveKeyPair gives fresh 40-character Z85 keys; curvePublic derives the pair's public key", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const pair = curveKeyPair();
      expect(pair.publicKey).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
      expect(pair.secretKey).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
      expect(pair.publicKey).not.toBe(pair.secretKey);
      expect(curvePublic(pair.secretKey)).toBe(pair.publicKey);
      expect(curvePublic(z85Decode(pair.secretKey))).toBe(pair.publicKey);
      seen.add(pair.publicKey).add(pair.secretKey);
    }
    expect(seen.size).toBe(40);
  });

  it("curvePublic rejects keys of the wrong size or type", () => {
    expect(() => curvePublic("abc")).toThrow(RangeError);
    expect(() => curvePublic("a".repeat(41))).toThrow(RangeError);
    expect(() => curvePublic(new Uint8Array(32 + 4))).toThrow(RangeError);
    expect(() => curvePublic(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("z85Encode and z85Decode", () => {
  it("round-trip bytes of every length divisible by 4", () => {
    for (const length of [4, 8, 32, 64, 1024]) {
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
      const text = z85Encode(bytes);
      expect(text.length).toBe((length / 4) * 5);
      expect(z85Decode(text).equals(bytes)).toBe(true);
    }
    expect(z85Encode(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe("%nSc0");
    expect(z85Decode("%nSc0").equals(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(true);
  });

  it("encode the test vector of the Z85 specification (RFC 32)", () => {
    const bytes = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe("HelloWorld");
    expect(z85Decode("HelloWorld").equals(bytes)).toBe(true);
  });

  it("encode a view of a larger buffer by its own bytes only", () => {
    const backing = Buffer.from([1, 2, 3, 4, 0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b, 9]);
    expect(z85Encode(backing.subarray(4, 12))).toBe("HelloWorld");
  });

  it("reject what they cannot encode or decode", () => {
    expect(() => z85Encode(Buffer.alloc(3))).toThrow(RangeError);
    expect(() => z85Encode("abcd" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => z85Decode("abcd")).toThrow(RangeError);
    expect(() => z85Decode(12345 as unknown as string)).toThrow(TypeError);
    expect(() => z85Decode("abc~~")).toThrow(RangeError); // '~' is outside the alphabet
    expect(() => z85Decode("Hello World")).toThrow(RangeError);
    // 84·85⁴ + … exceeds 2³²: valid characters, but no 4-byte value.
    expect(() => z85Decode("#####")).toThrow(RangeError);
  });
});
