// Security: nothing a client sends is delivered before its CURVE handshake succeeds — not the
// messages a client with the wrong server key queued before and during its (many) attempts, for
// every pattern, and not what a raw TCP peer writes after a NULL or a broken CURVE greeting —
// and secret keys never appear in error messages or in util.inspect() of sockets.
//
// Existing coverage not repeated: one wrong-key PUSH with a receive timeout, mechanism
// mismatches, and a good client beside a failed one (security-curve.test.ts); ZAP decisions
// (security-zap.test.ts); pyzmq peers (security-pyzmq.test.ts).
import * as net from "node:net";
import * as util from "node:util";
import { afterEach, describe, expect, it } from "vitest";

import {
  Dealer,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  curveKeyPair,
  curvePublic,
  parseCertificate,
  z85Decode,
  type Socket,
} from "../src/index";
import { sleep, within } from "./fixtures/reliability-helpers";

const open: Array<{ close(): void }> = [];
function track<T extends { close(): void }>(socket: T): T {
  open.push(socket);
  return socket;
}
afterEach(() => {
  for (const socket of open.splice(0).reverse()) socket.close();
});

function nextEvent(
  socket: Socket,
  type: "handshake:error:protocol" | "handshake",
  ms = 5000,
): Promise<unknown> {
  return within(
    new Promise((resolve) => {
      const listener = (event: unknown) => {
        socket.events.off(type, listener);
        resolve(event);
      };
      socket.events.on(type, listener);
    }),
    ms,
    `event ${type}`,
  );
}

function curveOptions() {
  const server = curveKeyPair();
  const client = curveKeyPair();
  return {
    server,
    client,
    serverOptions: { curveServer: true, curveSecretKey: server.secretKey, linger: 0 },
    clientOptions: (serverKey: string) => ({
      curveServerKey: serverKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
      linger: 0,
    }),
  };
}

/**
 * Every message `socket` receives within `ms`, as text (frames joined by "|"). A REP socket
 * answers each one, so that it can receive the next.
 */
async function drain(socket: Socket, ms: number): Promise<string[]> {
  const readable = socket as unknown as { tryReceive(): Buffer[] | null };
  const seen: string[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const message = readable.tryReceive();
    if (message === null) {
      await sleep(10);
      continue;
    }
    seen.push(message.map((frame) => frame.toString()).join("|"));
    if (socket instanceof Reply) await socket.send("answer");
  }
  return seen;
}

describe("nothing is delivered before a CURVE handshake succeeds", () => {
  type Pattern = "PUSH→PULL" | "DEALER→ROUTER" | "PUB→SUB" | "REQ→REP";
  const patterns: Pattern[] = ["PUSH→PULL", "DEALER→ROUTER", "PUB→SUB", "REQ→REP"];

  function makePair(pattern: Pattern, serverOptions: object) {
    switch (pattern) {
      case "PUSH→PULL":
        return { server: new Pull(serverOptions), client: (o: object) => new Push(o) };
      case "DEALER→ROUTER":
        return { server: new Router(serverOptions), client: (o: object) => new Dealer(o) };
      case "PUB→SUB":
        // The CURVE server is the subscriber here; the publisher connects to it.
        return { server: new Subscriber(serverOptions), client: (o: object) => new Publisher(o) };
      case "REQ→REP":
        return { server: new Reply(serverOptions), client: (o: object) => new Request(o) };
    }
  }

  it.for(patterns)(
    "%s: a client with the wrong server key sends (queued before and during its attempts); the server gets only a good client's message",
    { timeout: 20_000 },
    async (pattern) => {
      const { server: keys, serverOptions, clientOptions } = curveOptions();
      const pair = makePair(pattern, serverOptions);
      const server = track(pair.server);
      if (server instanceof Subscriber) server.subscribe();
      const failed = nextEvent(server, "handshake:error:protocol");
      await server.bind("tcp://127.0.0.1:*");
      const address = server.lastEndpoint!;

      // Retrying every 20 ms: many handshakes fail while the secret messages wait in its pipe.
      const bad = track(
        pair.client({
          ...clientOptions(curveKeyPair().publicKey),
          reconnectInterval: 20,
          reconnectMaxInterval: 0,
        }) as Socket & { trySend(m: unknown): boolean },
      );
      const secrets =
        pattern === "REQ→REP" ? ["secret-0"] : Array.from({ length: 50 }, (_, i) => `secret-${i}`);
      // Before connecting: PUSH/DEALER/REQ have no pipe yet; after: the pipe exists at once
      // (immediate=false) and takes messages before any handshake.
      bad.connect(address);
      for (const secret of secrets) bad.trySend(secret);
      await failed;
      await sleep(300); // several more failed attempts

      const good = track(
        pair.client(clientOptions(keys.publicKey)) as Socket & { send(m: unknown): Promise<void> },
      );
      const handshake = nextEvent(good, "handshake");
      good.connect(address);
      await handshake;
      await good.send("from the good client");
      const received = await drain(server, 500);
      if (pattern === "PUB→SUB" && received.length === 0) {
        // The publisher drops what it sends before the subscription has reached it: again.
        for (let i = 0; i < 20 && received.length === 0; i++) {
          await good.send("from the good client");
          received.push(...(await drain(server, 100)));
        }
      }
      // ROUTER prefixes the routing id, REP strips the envelope.
      const bodies = received.map((text) => text.split("|").pop());
      expect(bodies).toEqual(["from the good client"]);
      expect(received.join()).not.toMatch(/secret-/);
    },
  );

  /**
   * Plays a raw ZMTP peer on a plain TCP connection: writes `opening`, waits for the server's
   * greeting and handshake answer (what comes within 150 ms), then writes `then` — data that
   * a well-behaved peer sends only once the handshake is complete.
   */
  async function rawPeer(port: number, opening: Buffer, then: Buffer): Promise<void> {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(opening);
    await sleep(150);
    if (!socket.destroyed) socket.write(then);
    await sleep(150);
    socket.destroy();
  }

  function greeting(mechanism: string, asServer = false): Buffer {
    const bytes = Buffer.alloc(64);
    bytes[0] = 0xff;
    bytes[9] = 0x7f;
    bytes[10] = 3; // ZMTP 3.0
    bytes[11] = 0;
    bytes.write(mechanism, 12, "ascii");
    bytes[32] = asServer ? 1 : 0;
    return bytes;
  }

  function frame(flags: number, body: Buffer): Buffer {
    return Buffer.concat([Buffer.from([flags, body.length]), body]);
  }

  function command(name: string, data: Buffer): Buffer {
    return frame(
      0x04,
      Buffer.concat([Buffer.from([name.length]), Buffer.from(name, "ascii"), data]),
    );
  }

  const ready = command(
    "READY",
    Buffer.concat([
      Buffer.from([11]),
      Buffer.from("Socket-Type"),
      Buffer.from([0, 0, 0, 4]),
      Buffer.from("PUSH"),
    ]),
  );
  const payload = frame(0x00, Buffer.from("smuggled"));

  /** A CURVE HELLO command of the size RFC 26 gives it (200 bytes), with random content. */
  function helloOfRightSize(): Buffer {
    // HELLO = "\x05HELLO" version(2) padding(72) C'(32) nonce(8) box(80); 200 bytes in all.
    const body = Buffer.concat([
      Buffer.from([5]),
      Buffer.from("HELLO"),
      Buffer.from([1, 0]),
      Buffer.alloc(72),
      Buffer.from(curveKeyPair().publicKey.slice(0, 32)),
      Buffer.alloc(8, 7),
      Buffer.alloc(80, 9),
    ]);
    // 200 bytes: a short frame (its size fits one byte).
    return Buffer.concat([Buffer.from([0x04, body.length]), body]);
  }

  // The control: the same bytes do deliver to a server without CURVE, so the raw peers below
  // speak ZMTP well enough that only the security mechanism stops them.
  it(
    "control: a raw TCP peer's NULL greeting, READY and message are delivered by a NULL server",
    { timeout: 10_000 },
    async () => {
      const pull = track(new Pull({ linger: 0 }));
      await pull.bind("tcp://127.0.0.1:*");
      await rawPeer(
        Number(pull.lastEndpoint!.split(":").pop()),
        Buffer.concat([greeting("NULL"), ready]),
        payload,
      );
      expect(await drain(pull, 200)).toEqual(["smuggled"]);
    },
  );

  it.for([
    [
      "a NULL greeting and READY, then a message",
      Buffer.concat([greeting("NULL"), ready]),
      payload,
    ],
    [
      "a NULL greeting, READY and a message at once",
      Buffer.concat([greeting("NULL"), ready, payload]),
      payload,
    ],
    [
      "a CURVE greeting and a malformed HELLO, then a message",
      Buffer.concat([greeting("CURVE"), command("HELLO", Buffer.alloc(10, 1))]),
      payload,
    ],
    [
      "a CURVE greeting and a HELLO of the right size but random content, then a message",
      Buffer.concat([greeting("CURVE"), helloOfRightSize()]),
      payload,
    ],
    [
      "a CURVE greeting and READY without HELLO, then a message",
      Buffer.concat([greeting("CURVE"), ready]),
      payload,
    ],
    [
      "a CURVE greeting claiming to be a server and READY, then a message",
      Buffer.concat([greeting("CURVE", true), ready]),
      payload,
    ],
    [
      "a message right after the signature",
      greeting("CURVE").subarray(0, 11),
      Buffer.concat([payload, payload]),
    ],
  ] as Array<[string, Buffer, Buffer]>)(
    "a raw TCP peer writing %s gets nothing delivered",
    { timeout: 10_000 },
    async ([, opening, then]) => {
      const { serverOptions } = curveOptions();
      const pull = track(new Pull(serverOptions));
      await pull.bind("tcp://127.0.0.1:*");
      await rawPeer(Number(pull.lastEndpoint!.split(":").pop()), opening, then);
      expect(await drain(pull, 200)).toEqual([]);
    },
  );
});

describe("secret keys stay secret", () => {
  /** Every 8-character piece of the key (Z85), and its bytes in hex and base64. */
  function expectNoSecret(text: string, secretKey: string, what: string): void {
    const bytes = z85Decode(secretKey);
    for (let i = 0; i + 8 <= secretKey.length; i++) {
      expect(
        text.includes(secretKey.slice(i, i + 8)),
        `${what} shows part of the secret key: ${text}`,
      ).toBe(false);
    }
    expect(text.includes(bytes.toString("hex").slice(0, 16)), `${what} shows the key in hex`).toBe(
      false,
    );
    expect(
      text.includes(bytes.toString("base64").slice(0, 12)),
      `${what} shows the key in base64`,
    ).toBe(false);
  }

  function errorText(action: () => unknown): string {
    try {
      action();
    } catch (error) {
      return `${String(error)}\n${(error as Error).stack ?? ""}\n${util.inspect(error, { showHidden: true, depth: 5 })}`;
    }
    throw new Error("expected an error");
  }

  async function asyncErrorText(action: () => Promise<unknown>): Promise<string> {
    try {
      await action();
    } catch (error) {
      return `${String(error)}\n${(error as Error).stack ?? ""}\n${util.inspect(error, { showHidden: true, depth: 5 })}`;
    }
    throw new Error("expected an error");
  }

  it("util.inspect(), util.format('%o'), console-style output and JSON of sockets holding a secret key", () => {
    const { server, client, serverOptions, clientOptions } = curveOptions();
    const sockets = [
      track(new Router(serverOptions)),
      track(new Dealer(clientOptions(server.publicKey))),
      track(new Push({ curveSecretKey: Buffer.from(z85Decode(client.secretKey)) })),
    ];
    const keyed = sockets[2];
    expect(keyed.curveSecretKey).toBe(client.secretKey); // set from bytes, reads back as Z85
    for (const socket of sockets) {
      for (const text of [
        util.inspect(socket),
        util.inspect(socket, { showHidden: true, depth: Infinity }),
        util.format("%o", socket),
        util.format("%O", socket),
        util.format("%j", socket),
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what printing one gives
        String(socket),
        JSON.stringify(socket) ?? "",
      ]) {
        expectNoSecret(text, server.secretKey, "inspecting a socket");
        expectNoSecret(text, client.secretKey, "inspecting a socket");
      }
    }
  });

  it("errors of sockets holding a secret key: endpoints, state, options, closed sockets, handshake failures", async () => {
    const { server, client, serverOptions, clientOptions } = curveOptions();
    const router = track(new Router(serverOptions));
    const req = track(new Request(clientOptions(server.publicKey)));
    const texts = [
      await asyncErrorText(() => router.bind("tcp://nonsense")),
      errorText(() => req.connect("nope://x")),
      await asyncErrorText(() => req.receive()), // EFSM
      errorText(() => (router.linger = "x" as never)),
      errorText(() => (router.curveServer = 1 as never)),
      errorText(() => (req.routingId = "")), // EINVAL from libzmq
    ];
    const failedHandshake = nextEvent(router, "handshake:error:protocol");
    await router.bind("tcp://127.0.0.1:*");
    const wrong = track(new Dealer({ ...clientOptions(curveKeyPair().publicKey) }));
    wrong.connect(router.lastEndpoint!);
    void wrong.send("x").catch(() => undefined);
    texts.push(util.inspect(await failedHandshake, { showHidden: true, depth: 5 }));
    req.close();
    texts.push(await asyncErrorText(() => req.send("closed")));
    texts.push(errorText(() => req.curveSecretKey));
    for (const text of texts) {
      expectNoSecret(text, server.secretKey, "an error");
      expectNoSecret(text, client.secretKey, "an error");
    }
  });

  // A key read from a file keeps its newline; a typo changes one character; a hex dump of the
  // 32 bytes is a common mistake. The error must say what is wrong without repeating the key.
  const mistakes: Array<[string, (key: string) => string]> = [
    ["with a trailing newline (read from a file)", (key) => `${key}\n`],
    ["with surrounding spaces", (key) => ` ${key} `],
    ["with one character outside Z85", (key) => `${key.slice(0, 39)}~`],
    ["twice (pasted twice)", (key) => key + key],
    ["as hex", (key) => z85Decode(key).toString("hex")],
    ["cut short", (key) => key.slice(0, 39)],
  ];

  it.for(mistakes)(
    "a curveSecretKey given %s is refused without repeating it (setter and constructor)",
    ([, mistake]) => {
      const { secretKey } = curveKeyPair();
      const dealer = track(new Dealer());
      const wrong = mistake(secretKey);
      expectNoSecret(
        errorText(() => (dealer.curveSecretKey = wrong)),
        secretKey,
        "setting curveSecretKey",
      );
      expectNoSecret(
        errorText(() => new Dealer({ curveSecretKey: wrong })),
        secretKey,
        "new Dealer({ curveSecretKey })",
      );
      expectNoSecret(
        errorText(() => (dealer.curvePublicKey = wrong)),
        secretKey,
        "setting curvePublicKey to a secret",
      );
    },
  );

  it.for(mistakes)(
    "curvePublic() of a secret key given %s is refused without repeating it",
    ([, mistake]) => {
      const { secretKey } = curveKeyPair();
      expectNoSecret(
        errorText(() => curvePublic(mistake(secretKey))),
        secretKey,
        "curvePublic()",
      );
    },
  );

  it("a secret certificate with a malformed secret-key line is refused without repeating the key", () => {
    const { publicKey, secretKey } = curveKeyPair();
    const certificate = (line: string) => `curve\n    public-key = "${publicKey}"\n${line}\n`;
    for (const line of [
      `    secret-key = "${secretKey}x"`,
      `    secret-key = "${secretKey.slice(0, 39)}"`,
      `    secret-key: "${secretKey}"`,
      `    secret-key = "${secretKey}" ${secretKey}`,
    ]) {
      expectNoSecret(
        errorText(() => parseCertificate(certificate(line), "test.key_secret")),
        secretKey,
        `parseCertificate(${JSON.stringify(line.trim().slice(0, 12))}…)`,
      );
    }
  });
});
