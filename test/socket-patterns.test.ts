// The classic ZeroMQ messaging patterns, end to end over real sockets: request-reply,
// publish-subscribe (with topic filtering), pipeline (fan-out and fan-in), ROUTER/DEALER
// addressing, PAIR, XPUB/XSUB subscription messages and raw tcp through STREAM.
import * as net from "node:net";
import { describe, expect, it } from "vitest";

import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
  ZmqError,
} from "../src/index";
import { bindFresh, transports } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";

// --- helpers ----------------------------------------------------------------------------------

const text = (frames: Buffer[]) => frames.map((frame) => frame.toString());

/**
 * Publishes `probe` until `sub` receives it (the slow-joiner problem: a SUB misses what is
 * published before its subscription reaches the PUB). Bounded: fails after 5 s. Probes
 * published after the one received may still arrive; readers skip them.
 */
async function joinPubSub(
  pub: { send(message: string): Promise<void> },
  sub: { tryReceive(): Buffer[] | null },
  probe: string,
): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await pub.send(probe);
    await sleep(5);
    const got = sub.tryReceive();
    if (got !== null) {
      expect(got[0].toString()).toBe(probe);
      return;
    }
  }
  throw new Error(`subscriber never received probe ${probe}`);
}

/** Receives until a message whose first frame is `marker`; returns what came before, minus probes. */
async function receiveUntil(
  sub: { receive(): Promise<Buffer[]> },
  marker: string,
  probe: string,
): Promise<string[]> {
  return (await receiveFramesUntil(sub, marker, probe)).map((frames) => frames[0]);
}

/** Like receiveUntil, with every frame of each message. */
async function receiveFramesUntil(
  sub: { receive(): Promise<Buffer[]> },
  marker: string,
  probe: string,
): Promise<string[][]> {
  const seen: string[][] = [];
  for (;;) {
    const message = text(await within(sub.receive(), 5000, `receiving up to ${marker}`));
    if (message[0] === marker) return seen;
    if (message[0] !== probe) seen.push(message);
  }
}

// --- REQ/REP ----------------------------------------------------------------------------------

describe.each(transports)("REQ/REP over %s", (transport) => {
  it("completes several request-reply round trips in sequence", async () => {
    const rep = track(new Reply({ linger: 0 }));
    const req = track(new Request({ linger: 0 }));
    const address = await bindFresh(rep, transport);
    req.connect(address);

    const server = (async () => {
      for (let i = 0; i < 5; i++) {
        const [request] = await rep.receive();
        await rep.send(`reply ${i} to ${request.toString()}`);
      }
    })();

    for (let i = 0; i < 5; i++) {
      await req.send(`request ${i}`);
      const reply = await within(req.receive(), 5000, `reply ${i}`);
      expect(text(reply)).toEqual([`reply ${i} to request ${i}`]);
    }
    await within(server, 5000, "server loop");
  });

  it("carries multipart requests and replies frame by frame", async () => {
    const rep = track(new Reply({ linger: 0 }));
    const req = track(new Request({ linger: 0 }));
    const address = await bindFresh(rep, transport);
    req.connect(address);

    await req.send(["a", "bb", "", "ccc"]);
    const request = await within(rep.receive());
    expect(text(request)).toEqual(["a", "bb", "", "ccc"]);
    await rep.send(["x", "yy"]);
    expect(text(await within(req.receive()))).toEqual(["x", "yy"]);
  });

  it("rejects a second request before the reply with EFSM", async () => {
    const rep = track(new Reply({ linger: 0 }));
    const req = track(new Request({ linger: 0 }));
    const address = await bindFresh(rep, transport);
    req.connect(address);

    await req.send("first");
    await expect(req.send("second")).rejects.toMatchObject({ code: "EFSM" });
    const [request] = await within(rep.receive());
    expect(request.toString()).toBe("first");
    // The REP socket got nothing else.
    await rep.send("ok");
    expect(text(await within(req.receive()))).toEqual(["ok"]);
    await sleep(20);
    expect(rep.tryReceive()).toBeNull();
  });
});

// --- PUB/SUB ----------------------------------------------------------------------------------

describe.each(transports)("PUB/SUB over %s", (transport) => {
  it('delivers "weather.x" but not "sports.y" to a "weather." subscriber', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    const address = await bindFresh(pub, transport);
    sub.connect(address);
    sub.subscribe("weather.");

    await joinPubSub(pub, sub, "weather.probe");
    await pub.send("sports.y");
    await pub.send(["weather.x", "sunny"]);
    await pub.send("sports.z");
    await pub.send("weather.end");

    const seen = await receiveFramesUntil(sub, "weather.end", "weather.probe");
    expect(seen).toEqual([["weather.x", "sunny"]]);
  });

  it("matches subscriptions as prefixes of the first frame only", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    const address = await bindFresh(pub, transport);
    sub.connect(address);
    sub.subscribe("ab", Buffer.from([0xff, 0x00]));

    await joinPubSub(pub, sub, "ab.probe");
    await pub.send("a"); // shorter than the prefix
    await pub.send("abc");
    await pub.send(["x", "ab"]); // the prefix in a later frame does not count
    await pub.send(Buffer.from([0xff, 0x00, 0x01]));
    await pub.send(Buffer.from([0xff, 0x01]));
    await pub.send("ab.end");

    expect(await receiveUntil(sub, "ab.end", "ab.probe")).toEqual([
      "abc",
      Buffer.from([0xff, 0x00, 0x01]).toString(),
    ]);
  });

  it("stops delivering a topic after unsubscribe() and keeps the others", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    const address = await bindFresh(pub, transport);
    sub.connect(address);
    sub.subscribe("a.", "b.");

    await joinPubSub(pub, sub, "a.probe");
    await pub.send("b.before");
    await pub.send("a.mark1");
    expect(await receiveUntil(sub, "a.mark1", "a.probe")).toEqual(["b.before"]);

    sub.unsubscribe("b.");
    await pub.send("b.after");
    await pub.send("a.after");
    await pub.send("a.mark2");
    expect(await receiveUntil(sub, "a.mark2", "a.probe")).toEqual(["a.after"]);
  });

  it("subscribe() with no prefix receives everything, unsubscribe() with none stops it", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    const address = await bindFresh(pub, transport);
    sub.connect(address);
    sub.subscribe();

    await joinPubSub(pub, sub, "probe");
    await pub.send("anything");
    await pub.send(Buffer.from([0, 1, 2]));
    await pub.send(null);
    await pub.send("mark");
    expect(await receiveUntil(sub, "mark", "probe")).toEqual([
      "anything",
      "\u0000\u0001\u0002",
      "",
    ]);

    sub.subscribe("keep");
    sub.unsubscribe();
    await pub.send("dropped");
    await pub.send("keep.mark");
    expect(await receiveUntil(sub, "keep.mark", "probe")).toEqual([]);
  });

  it("fans one publication out to every subscriber", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const subs = [track(new Subscriber({ linger: 0 })), track(new Subscriber({ linger: 0 }))];
    const address = await bindFresh(pub, transport);
    for (const sub of subs) {
      sub.connect(address);
      sub.subscribe("t");
    }
    for (const sub of subs) await joinPubSub(pub, sub, "t.probe");
    await pub.send("t.news");
    for (const sub of subs) expect(await receiveUntil(sub, "t.news", "t.probe")).toEqual([]);
  });
});

// --- PUSH/PULL --------------------------------------------------------------------------------

describe.each(transports)("PUSH/PULL over %s", (transport) => {
  it("fans out to two pullers, load-balancing so that each gets a share", async () => {
    const push = track(new Push({ linger: 0 }));
    const pullers = [track(new Pull({ linger: 0 })), track(new Pull({ linger: 0 }))];
    for (const pull of pullers) push.connect(await bindFresh(pull, transport));

    const count = 20;
    for (let i = 0; i < count; i++) await push.send(`task ${i}`);

    // Poll both pullers (bounded) until every task has arrived somewhere.
    const received: string[][] = [[], []];
    const deadline = Date.now() + 5000;
    while (received[0].length + received[1].length < count && Date.now() < deadline) {
      let any = false;
      pullers.forEach((pull, i) => {
        for (let m = pull.tryReceive(); m !== null; m = pull.tryReceive()) {
          received[i].push(m[0].toString());
          any = true;
        }
      });
      if (!any) await sleep(2);
    }
    expect(received[0].length).toBeGreaterThan(0);
    expect(received[1].length).toBeGreaterThan(0);
    expect([...received[0], ...received[1]].sort()).toEqual(
      Array.from({ length: count }, (_, i) => `task ${i}`).sort(),
    );
  });

  it("fans in from two pushers, keeping each pusher's order", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const pushers = [track(new Push({ linger: 0 })), track(new Push({ linger: 0 }))];
    const address = await bindFresh(pull, transport);
    for (const push of pushers) push.connect(address);

    const perPusher = 10;
    await Promise.all(
      pushers.map(async (push, p) => {
        for (let i = 0; i < perPusher; i++) await push.send([`p${p}`, String(i)]);
      }),
    );

    const byPusher: Record<string, number[]> = { p0: [], p1: [] };
    for (let n = 0; n < 2 * perPusher; n++) {
      const [from, index] = text(await within(pull.receive()));
      byPusher[from].push(Number(index));
    }
    const expected = Array.from({ length: perPusher }, (_, i) => i);
    expect(byPusher).toEqual({ p0: expected, p1: expected });
  });
});

// --- ROUTER/DEALER ----------------------------------------------------------------------------

describe.each(transports)("ROUTER/DEALER over %s", (transport) => {
  it("shows the dealer's routingId to the router, which replies by id", async () => {
    const router = track(new Router({ linger: 0, mandatory: true }));
    const address = await bindFresh(router, transport);
    const alice = track(new Dealer({ linger: 0, routingId: "alice" }));
    const bob = track(new Dealer({ linger: 0, routingId: "bob" }));
    expect(alice.routingId).toBe("alice");
    alice.connect(address);
    bob.connect(address);

    await alice.send(["hi from", "alice"]);
    await bob.send("hi from bob");
    const messages = [await within(router.receive()), await within(router.receive())].map(text);
    expect(messages).toEqual(
      expect.arrayContaining([
        ["alice", "hi from", "alice"],
        ["bob", "hi from bob"],
      ]),
    );

    // Reply in the opposite order: each reply must reach the dealer it names.
    await router.send(["bob", "for bob"]);
    await router.send([Buffer.from("alice"), "for", "alice"]);
    expect(text(await within(bob.receive()))).toEqual(["for bob"]);
    expect(text(await within(alice.receive()))).toEqual(["for", "alice"]);
  });

  it("names the peer with Router.connect(address, { routingId })", async () => {
    const dealer = track(new Dealer({ linger: 0 }));
    const router = track(new Router({ linger: 0, mandatory: true }));
    const address = await bindFresh(dealer, transport);
    router.connect(address, { routingId: "upstream" });

    await dealer.send("hello router");
    expect(text(await within(router.receive()))).toEqual(["upstream", "hello router"]);
    await router.send(["upstream", "hello dealer"]);
    expect(text(await within(dealer.receive()))).toEqual(["hello dealer"]);
  });

  it("rejects a send to an unknown routing id with EHOSTUNREACH when mandatory", async () => {
    const router = track(new Router({ linger: 0, mandatory: true }));
    await bindFresh(router, transport);
    const error = await router.send(["nobody", "lost"]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("talks DEALER to REP through the empty delimiter frame", async () => {
    const rep = track(new Reply({ linger: 0 }));
    const dealer = track(new Dealer({ linger: 0 }));
    dealer.connect(await bindFresh(rep, transport));
    await dealer.send(["", "question"]);
    expect(text(await within(rep.receive()))).toEqual(["question"]);
    await rep.send("answer");
    expect(text(await within(dealer.receive()))).toEqual(["", "answer"]);
  });
});

// --- PAIR -------------------------------------------------------------------------------------

describe.each(transports)("PAIR over %s", (transport) => {
  it("exchanges messages in both directions, in order", async () => {
    const a = track(new Pair({ linger: 0 }));
    const b = track(new Pair({ linger: 0 }));
    b.connect(await bindFresh(a, transport));

    for (let i = 0; i < 3; i++) await a.send(`a${i}`);
    await b.send(["b", "multi", "part"]);
    for (let i = 0; i < 3; i++) expect(text(await within(b.receive()))).toEqual([`a${i}`]);
    expect(text(await within(a.receive()))).toEqual(["b", "multi", "part"]);
  });
});

// --- XPUB/XSUB --------------------------------------------------------------------------------

describe.each(transports)("XPUB/XSUB over %s", (transport) => {
  it("hands subscriptions to the XPublisher as \\x01topic and unsubscriptions as \\x00topic", async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    sub.connect(await bindFresh(xpub, transport));

    sub.subscribe("topic");
    const [subscription] = await within(xpub.receive(), 5000, "subscription message");
    expect(subscription).toEqual(Buffer.concat([Buffer.from([1]), Buffer.from("topic")]));

    // The subscription is in place once the XPUB has seen it: no slow joiner here.
    await xpub.send(["topic.1", "data"]);
    await xpub.send("other");
    await xpub.send("topic.2");
    expect(text(await within(sub.receive()))).toEqual(["topic.1", "data"]);
    expect(text(await within(sub.receive()))).toEqual(["topic.2"]);

    sub.unsubscribe("topic");
    const [unsubscription] = await within(xpub.receive(), 5000, "unsubscription message");
    expect(unsubscription).toEqual(Buffer.concat([Buffer.from([0]), Buffer.from("topic")]));
  });

  /**
   * Subscriber 0 subscribes to "dup", then subscriber 1 does, then subscriber 0 unsubscribes.
   * After each step the subscriber subscribes to a new marker topic, which the XPUB always
   * passes on; one connection keeps its order, so once the marker has arrived everything the
   * step caused has too. Returns the subscription messages other than the markers.
   */
  async function subscriptionMessages(
    verbosity: null | "allSubs" | "allSubsUnsubs" | undefined,
  ): Promise<string[]> {
    const xpub = track(new XPublisher({ linger: 0 }));
    if (verbosity !== undefined) xpub.verbosity = verbosity;
    const address = await bindFresh(xpub, transport);
    const subs = [track(new Subscriber({ linger: 0 })), track(new Subscriber({ linger: 0 }))];
    for (const sub of subs) sub.connect(address);

    const seen: string[] = [];
    const step = async (sub: Subscriber, action: () => void, marker: string) => {
      action();
      sub.subscribe(marker);
      for (;;) {
        const [message] = await within(
          xpub.receive(),
          5000,
          `subscription messages up to ${marker}`,
        );
        const value = message.toString();
        if (value === `\x01${marker}`) return;
        seen.push(value);
      }
    };
    await step(subs[0], () => subs[0].subscribe("dup"), "marker0");
    await step(subs[1], () => subs[1].subscribe("dup"), "marker1");
    await step(subs[0], () => subs[0].unsubscribe("dup"), "marker2");
    return seen;
  }

  it("passes only the first subscription to a topic by default", async () => {
    expect(await subscriptionMessages(undefined)).toEqual(["\x01dup"]);
  });

  it("behaves like the default after verbosity = null", async () => {
    expect(await subscriptionMessages(null)).toEqual(["\x01dup"]);
  });

  it('passes duplicate subscriptions through with verbosity "allSubs"', async () => {
    // A non-last unsubscription is still held back.
    expect(await subscriptionMessages("allSubs")).toEqual(["\x01dup", "\x01dup"]);
  });

  it('passes duplicate subscriptions and every unsubscription with verbosity "allSubsUnsubs"', async () => {
    expect(await subscriptionMessages("allSubsUnsubs")).toEqual(["\x01dup", "\x01dup", "\x00dup"]);
  });

  it("lets an XSubscriber subscribe by sending \\x01prefix", async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    const xsub = track(new XSubscriber({ linger: 0 }));
    xsub.connect(await bindFresh(xpub, transport));

    await xsub.send(Buffer.from("\x01news"));
    expect(await within(xpub.receive())).toEqual([Buffer.from("\x01news")]);
    await xpub.send("sport");
    await xpub.send("news.today");
    expect(text(await within(xsub.receive()))).toEqual(["news.today"]);
  });

  it("forwards between XSUB and XPUB like a proxy would", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const xsub = track(new XSubscriber({ linger: 0 }));
    const xpub = track(new XPublisher({ linger: 0 }));
    const sub = track(new Subscriber({ linger: 0 }));
    xsub.connect(await bindFresh(pub, transport));
    sub.connect(await bindFresh(xpub, transport));

    sub.subscribe("q");
    // Hand the subscription upstream by hand.
    const subscription = await within(xpub.receive());
    expect(subscription).toEqual([Buffer.from("\x01q")]);
    await xsub.send(subscription);

    const forward = (async () => {
      for (;;) {
        const message = await xsub.receive().catch(() => null);
        if (message === null) return;
        await xpub.send(message);
      }
    })();
    await joinPubSub(pub, sub, "q.probe");
    await pub.send("r.nope");
    await pub.send(["q.yes", "1"]);
    await pub.send("q.end");
    expect(await receiveFramesUntil(sub, "q.end", "q.probe")).toEqual([["q.yes", "1"]]);
    xsub.close();
    await within(forward, 5000, "forwarding loop ending on close");
  });
});

// --- STREAM -----------------------------------------------------------------------------------

/** Collects what a node:net socket receives until at least `length` bytes arrived. */
function readBytes(socket: net.Socket, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= length) {
        socket.off("data", onData);
        socket.off("error", reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
}

/** Receives STREAM messages from `id` until `length` data bytes arrived. */
async function streamRead(stream: Stream, id: Buffer, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < length) {
    const [from, data] = await within(stream.receive(), 5000, "stream data");
    expect(from).toEqual(id);
    chunks.push(data);
    size += data.length;
  }
  return Buffer.concat(chunks);
}

describe("STREAM over tcp", () => {
  it("serves a plain node:net client: connect notification, data both ways, close", async () => {
    const stream = track(new Stream({ linger: 0 }));
    const address = await bindFresh(stream, "tcp");
    const port = Number(new URL(address.replace("tcp://", "http://")).port);

    const client = track({
      socket: net.connect(port, "127.0.0.1"),
      close() {
        this.socket.destroy();
      },
    }).socket;

    // The connection shows up as an empty message from its routing id.
    const [id, notification] = await within(stream.receive(), 5000, "connect notification");
    expect(id.length).toBeGreaterThan(0);
    expect(notification).toEqual(Buffer.alloc(0));

    client.write("hello, stream");
    expect((await streamRead(stream, id, 13)).toString()).toBe("hello, stream");

    const reply = readBytes(client, 5);
    await stream.send([id, "world"]);
    expect((await within(reply)).toString()).toBe("world");

    // Sending an empty frame to the id closes the connection. libzmq finishes closing it
    // while the socket is in use, as a server receiving from its clients is.
    const ended = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.on("error", () => {});
    const next = stream.receive().catch(() => null);
    await stream.send([id, ""]);
    await within(ended, 5000, "the tcp connection closing");
    // Nothing the closed connection could still send reaches the socket.
    stream.close();
    expect(await next).toBeNull();
  });

  it("connects to a node:net server under the routingId given to connect()", async () => {
    const received: Buffer[] = [];
    const serverSockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      serverSockets.push(socket);
      socket.on("data", (chunk) => {
        received.push(chunk);
        if (Buffer.concat(received).toString() === "ping") socket.write("pong");
      });
    });
    track({
      close() {
        for (const socket of serverSockets) socket.destroy();
        server.close();
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;

    const stream = track(new Stream({ linger: 0 }));
    stream.connect(`tcp://127.0.0.1:${port}`, { routingId: "upstream" });

    const [id, notification] = await within(stream.receive(), 5000, "connect notification");
    expect(id.toString()).toBe("upstream");
    expect(notification).toEqual(Buffer.alloc(0));

    await stream.send(["upstream", "ping"]);
    expect((await streamRead(stream, Buffer.from("upstream"), 4)).toString()).toBe("pong");
  });
});
