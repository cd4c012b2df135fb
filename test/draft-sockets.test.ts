// The draft socket types of libzmq 4.3.4 (`zmq-napi/draft`), end to end over real sockets:
// SERVER/CLIENT routing ids, RADIO/DISH groups over udp:// and the connected transports,
// GATHER/SCATTER, DGRAM datagrams, CHANNEL and PEER.
import * as dgram from "node:dgram";
import { describe, expect, it } from "vitest";

import {
  Channel,
  Client,
  Datagram,
  Dish,
  Gather,
  Peer,
  Radio,
  Scatter,
  Server,
} from "../src/draft";
import * as draft from "../src/draft";
import { ZmqError, type Socket } from "../src/index";
import { socketTypes, type SocketClassName } from "../src/socket-types";
import { bindFresh, transports } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";
import { rejection } from "./helpers/errors";
import { freePort } from "./helpers/ports";

// --- helpers ----------------------------------------------------------------------------------

/**
 * Receives every message of `socket` in the background (one receive at a time, until the
 * socket closes) so that a test can wait for a condition on what arrived so far.
 */
function collect<M>(socket: { receive(): Promise<M> }) {
  const messages: M[] = [];
  const waiting = { wake: () => {} };
  void (async () => {
    for (;;) {
      try {
        messages.push(await socket.receive());
      } catch {
        return;
      }
      waiting.wake();
    }
  })();
  return {
    messages,
    /** Waits (bounded) until `done(messages)` holds. */
    async until(done: (messages: M[]) => boolean, what: string, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!done(messages)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          waiting.wake = resolve;
          setTimeout(resolve, Math.min(left, 50));
        });
      }
    },
  };
}

// --- SERVER/CLIENT ----------------------------------------------------------------------------

describe.each(transports)("SERVER/CLIENT over %s", (transport) => {
  it("the server receives [message, { routingId }] and replies by routingId", async () => {
    const server = track(new Server({ linger: 0 }));
    const client = track(new Client({ linger: 0 }));
    client.connect(await bindFresh(server, transport));

    await client.send("hello");
    const [request, meta] = await within(server.receive(), 5000, "the request");
    expect(request).toEqual(Buffer.from("hello"));
    expect(typeof meta.routingId).toBe("number");
    expect(Number.isInteger(meta.routingId)).toBe(true);
    expect(meta.routingId).toBeGreaterThan(0);

    await server.send("world", { routingId: meta.routingId });
    const reply = await within(client.receive(), 5000, "the reply");
    expect(reply).toEqual([Buffer.from("world")]);
  });

  it("tells clients apart and routes each reply to the client it names", async () => {
    const server = track(new Server({ linger: 0 }));
    const address = await bindFresh(server, transport);
    const clients = [track(new Client({ linger: 0 })), track(new Client({ linger: 0 }))];
    for (const client of clients) client.connect(address);

    await clients[0].send("from 0");
    const [first, { routingId: id0 }] = await within(server.receive());
    await clients[1].send("from 1");
    const [second, { routingId: id1 }] = await within(server.receive());
    expect(first.toString()).toBe("from 0");
    expect(second.toString()).toBe("from 1");
    expect(id0).not.toBe(id1);

    // Several round trips, replies in the opposite order of the requests.
    for (let round = 0; round < 3; round++) {
      await server.send(`to 1 #${round}`, { routingId: id1 });
      await server.send(`to 0 #${round}`, { routingId: id0 });
      expect(await within(clients[0].receive())).toEqual([Buffer.from(`to 0 #${round}`)]);
      expect(await within(clients[1].receive())).toEqual([Buffer.from(`to 1 #${round}`)]);
    }
    // The same client keeps its routing id.
    await clients[0].send("again");
    const [, { routingId: again }] = await within(server.receive());
    expect(again).toBe(id0);
  });

  it("rejects a send to a routing id no client has with EHOSTUNREACH", async () => {
    const server = track(new Server({ linger: 0 }));
    await bindFresh(server, transport);
    const error = await rejection(() => server.send("lost", { routingId: 123456 }));
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("requires a routingId to send from a server", async () => {
    const server = track(new Server({ linger: 0 }));
    await bindFresh(server, transport);
    const error = await rejection(() => server.send("x", {} as { routingId: number }));
    expect(error).toBeInstanceOf(TypeError);
  });

  it("trySend/tryReceive work with routing ids too", async () => {
    const server = track(new Server({ linger: 0 }));
    const client = track(new Client({ linger: 0 }));
    client.connect(await bindFresh(server, transport));
    expect(server.tryReceive()).toBeNull();
    await client.send("ping");
    const [, { routingId }] = await within(server.receive());
    expect(server.trySend("pong", { routingId })).toBe(true);
    expect(await within(client.receive())).toEqual([Buffer.from("pong")]);
  });
});

// --- RADIO/DISH -------------------------------------------------------------------------------

type RadioDishSetup = () => Promise<{ radio: Radio; dish: Dish }>;

const radioDishSetups: Array<[string, RadioDishSetup]> = [
  [
    "udp",
    async () => {
      const port = await freePort("udp");
      const dish = track(new Dish({ linger: 0 }));
      const radio = track(new Radio({ linger: 0 }));
      await dish.bind(`udp://127.0.0.1:${port}`);
      radio.connect(`udp://127.0.0.1:${port}`);
      return { radio, dish };
    },
  ],
  ...transports.map((transport): [string, RadioDishSetup] => [
    transport,
    async () => {
      const radio = track(new Radio({ linger: 0 }));
      const dish = track(new Dish({ linger: 0 }));
      dish.connect(await bindFresh(radio, transport));
      return { radio, dish };
    },
  ]),
];

describe.each(radioDishSetups)("RADIO/DISH over %s", (_transport, setup) => {
  /** Sends probes to `group` until the dish has one (joins travel to the radio asynchronously). */
  async function joined(radio: Radio, messages: Array<[Buffer, { group: Buffer }]>, group: string) {
    const probe = `probe:${group}`;
    const deadline = Date.now() + 5000;
    while (!messages.some(([data]) => data.toString() === probe)) {
      if (Date.now() > deadline) throw new Error(`dish never received probes to ${group}`);
      await radio.send(probe, { group });
      await sleep(5);
    }
  }

  const payloads = (messages: Array<[Buffer, { group: Buffer }]>) =>
    messages
      .filter(([data]) => !data.toString().startsWith("probe:"))
      .map(([data, { group }]) => [group.toString(), data.toString()]);

  it("delivers [message, { group: Buffer }] for joined groups only", async () => {
    const { radio, dish } = await setup();
    dish.join("weather");
    const received = collect(dish);
    await joined(radio, received.messages, "weather");

    await radio.send("rain", { group: "weather" });
    await radio.send("goal", { group: "sports" });
    await radio.send(Buffer.from([0, 1, 2]), { group: Buffer.from("weather") });
    await radio.send("end", { group: "weather" });
    await received.until((m) => m.some(([data]) => data.toString() === "end"), "the end marker");

    expect(payloads(received.messages)).toEqual([
      ["weather", "rain"],
      ["weather", "\u0000\u0001\u0002"],
      ["weather", "end"],
    ]);
    const message = received.messages.find(([data]) => data.toString() === "rain")!;
    expect(message).toHaveLength(2);
    expect(Buffer.isBuffer(message[0])).toBe(true);
    expect(Buffer.isBuffer(message[1].group)).toBe(true);
    expect(message[1]).toEqual({ group: Buffer.from("weather") });
  });

  it("stops delivering a group after leave() and keeps the others", async () => {
    const { radio, dish } = await setup();
    dish.join("a", "b");
    const received = collect(dish);
    await joined(radio, received.messages, "a");
    await joined(radio, received.messages, "b");

    dish.leave("b");
    await radio.send("b after leave", { group: "b" });
    await radio.send("a after leave", { group: "a" });
    await radio.send("end", { group: "a" });
    await received.until((m) => m.some(([data]) => data.toString() === "end"), "the end marker");
    // Probes of "b" sent before leave() may still arrive; no other "b" message may.
    expect(payloads(received.messages)).toEqual([
      ["a", "a after leave"],
      ["a", "end"],
    ]);
  });

  it("carries long group names and refuses joins libzmq refuses", async () => {
    const { radio, dish } = await setup();
    // libzmq 4.3.4 allows group names of up to ZMQ_GROUP_MAX_LENGTH (255) bytes.
    const long = "g".repeat(100);
    dish.join(long);
    const received = collect(dish);
    await joined(radio, received.messages, long);
    await radio.send("long", { group: long });
    await received.until(
      (m) => m.some(([data]) => data.toString() === "long"),
      "the message to the long group",
    );
    expect(payloads(received.messages)).toEqual([[long, "long"]]);

    const errorOf = (operation: () => void) => {
      try {
        operation();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(errorOf(() => dish.join("g".repeat(256)))).toMatchObject({ code: "EINVAL" });
    expect(errorOf(() => dish.join(long))).toMatchObject({ code: "EINVAL" }); // joined already
    expect(errorOf(() => dish.leave("never joined"))).toMatchObject({ code: "EINVAL" });
  });

  it("requires a group to send from a radio", async () => {
    const { radio } = await setup();
    const error = await rejection(() => radio.send("x", {} as { group: string }));
    expect(error).toBeInstanceOf(TypeError);
  });
});

// --- GATHER/SCATTER ---------------------------------------------------------------------------

describe.each(transports)("GATHER/SCATTER over %s", (transport) => {
  it("carries single-frame messages from scatter to gather, in order", async () => {
    const gather = track(new Gather({ linger: 0 }));
    const scatter = track(new Scatter({ linger: 0 }));
    scatter.connect(await bindFresh(gather, transport));
    for (let i = 0; i < 10; i++) await scatter.send(`job ${i}`);
    for (let i = 0; i < 10; i++)
      expect(await within(gather.receive())).toEqual([Buffer.from(`job ${i}`)]);
  });

  it("load-balances over two gathers, each getting a share", async () => {
    const scatter = track(new Scatter({ linger: 0 }));
    const gathers = [track(new Gather({ linger: 0 })), track(new Gather({ linger: 0 }))];
    for (const gather of gathers) scatter.connect(await bindFresh(gather, transport));
    const count = 20;
    for (let i = 0; i < count; i++) await scatter.send(`job ${i}`);

    const collectors = gathers.map((gather) => collect(gather));
    const total = () => collectors.reduce((sum, c) => sum + c.messages.length, 0);
    await collectors[0].until(() => total() >= count, "every job");
    expect(collectors[0].messages.length).toBeGreaterThan(0);
    expect(collectors[1].messages.length).toBeGreaterThan(0);
    const all = collectors.flatMap((c) => c.messages.map(([data]) => data.toString()));
    expect(all.sort()).toEqual(Array.from({ length: count }, (_, i) => `job ${i}`).sort());
  });

  it("fair-queues two scatters into one gather", async () => {
    const gather = track(new Gather({ linger: 0 }));
    const address = await bindFresh(gather, transport);
    const scatters = [track(new Scatter({ linger: 0 })), track(new Scatter({ linger: 0 }))];
    for (const scatter of scatters) scatter.connect(address);
    await Promise.all(
      scatters.map(async (scatter, s) => {
        for (let i = 0; i < 5; i++) await scatter.send(`s${s}:${i}`);
      }),
    );
    const got: Record<string, string[]> = { s0: [], s1: [] };
    for (let n = 0; n < 10; n++) {
      const [data] = await within(gather.receive());
      const [from, index] = data.toString().split(":");
      got[from].push(index);
    }
    expect(got).toEqual({ s0: ["0", "1", "2", "3", "4"], s1: ["0", "1", "2", "3", "4"] });
  });
});

// --- DGRAM ------------------------------------------------------------------------------------

/** The "ip:port" of a DGRAM address frame (libzmq ends it with a NUL byte). */
const addressText = (frame: Buffer) => frame.toString().replace(/\0$/, "");

/**
 * Sends with `send` every 10 ms until `arrived()` holds (bounded). libzmq binds a udp://
 * endpoint in its I/O thread after bind() returned, so the first datagrams may find no socket.
 */
async function resendUntil(send: () => unknown, arrived: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!arrived()) {
    if (Date.now() > deadline) throw new Error(`${what} never arrived`);
    await send();
    await sleep(10);
  }
}

describe("DGRAM over udp", () => {
  it("exchanges [address, data] datagrams between two Datagram sockets", async () => {
    const [portA, portB] = [await freePort("udp"), await freePort("udp")];
    const a = track(new Datagram({ linger: 0 }));
    const b = track(new Datagram({ linger: 0 }));
    await a.bind(`udp://127.0.0.1:${portA}`);
    await b.bind(`udp://127.0.0.1:${portB}`);
    const atA = collect(a);
    const atB = collect(b);

    await resendUntil(
      () => b.send([`127.0.0.1:${portA}`, "is someone there?"]),
      () => atA.messages.length > 0,
      "the datagram",
    );
    for (const [from, data] of atA.messages) {
      expect(addressText(from)).toBe(`127.0.0.1:${portB}`);
      expect(data).toEqual(Buffer.from("is someone there?"));
    }

    // Replying to the address as received reaches the sender (whose udp socket is bound:
    // it has sent).
    await a.send([atA.messages[0][0], Buffer.from([1, 2, 3, 0, 255])]);
    await atB.until((m) => m.length > 0, "the reply");
    const [[replyFrom, reply]] = atB.messages as [[Buffer, Buffer]];
    expect(addressText(replyFrom)).toBe(`127.0.0.1:${portA}`);
    expect(reply).toEqual(Buffer.from([1, 2, 3, 0, 255]));
  });

  it("talks to a plain node:dgram socket both ways", async () => {
    const port = await freePort("udp");
    const zmq = track(new Datagram({ linger: 0 }));
    await zmq.bind(`udp://127.0.0.1:${port}`);
    const atZmq = collect(zmq);

    const node = dgram.createSocket("udp4");
    track({ close: () => node.close() });
    await new Promise<void>((resolve) => node.bind(0, "127.0.0.1", resolve));
    const nodePort = node.address().port;
    const nodeReceived = new Promise<Buffer>((resolve) =>
      node.once("message", (message) => resolve(message)),
    );

    await resendUntil(
      () => node.send("from node", port, "127.0.0.1"),
      () => atZmq.messages.length > 0,
      "the node datagram",
    );
    const [from, data] = atZmq.messages[0];
    expect(addressText(from)).toBe(`127.0.0.1:${nodePort}`);
    expect(data.toString()).toBe("from node");

    await zmq.send([`127.0.0.1:${nodePort}`, "from zmq"]);
    expect((await within(nodeReceived, 5000, "the zmq datagram")).toString()).toBe("from zmq");
  });
});

// --- CHANNEL and PEER -------------------------------------------------------------------------

describe.each(transports)("CHANNEL over %s", (transport) => {
  it("pairs two sockets and carries messages both ways", async () => {
    const a = track(new Channel({ linger: 0 }));
    const b = track(new Channel({ linger: 0 }));
    b.connect(await bindFresh(a, transport));
    await b.send("hi");
    expect(await within(a.receive())).toEqual([Buffer.from("hi")]);
    for (let i = 0; i < 3; i++) await a.send(`back ${i}`);
    for (let i = 0; i < 3; i++)
      expect(await within(b.receive())).toEqual([Buffer.from(`back ${i}`)]);
  });
});

describe.each(transports)("PEER over %s", (transport) => {
  it("binds, connects and refuses a send to an unknown routing id with EHOSTUNREACH", async () => {
    const a = track(new Peer({ linger: 0 }));
    const b = track(new Peer({ linger: 0 }));
    b.connect(await bindFresh(a, transport));
    const error = await rejection(() => a.send("lost", { routingId: 424242 }));
    expect(error).toMatchObject({ code: "EHOSTUNREACH" });
    expect(a.tryReceive()).toBeNull();
  });
});

// --- thread-safe draft sockets can be made at all ----------------------------------------------

describe("draft socket construction", () => {
  const draftTypes = (Object.keys(socketTypes) as SocketClassName[]).filter(
    (name) => socketTypes[name].draft,
  );
  it.each(draftTypes)("new %s() creates an open socket", (name) => {
    const make = (draft as unknown as Record<string, new () => Socket>)[name];
    const socket = track(new make());
    expect(socket.closed).toBe(false);
  });
});
