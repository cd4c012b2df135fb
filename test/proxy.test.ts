// proxy() and Proxy over real sockets: the seed's ROUTER/DEALER broker between client and
// worker processes, capture, pause/resume/terminate/statistics, the sockets' state while a
// proxy owns them and after it ends, closing a socket or the context under a running proxy,
// the XSUB/XPUB forwarder and the PULL/PUSH streamer, and bad arguments.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import {
  Context,
  Dealer,
  Proxy,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
  proxy,
  type Socket,
} from "../src/index";
import { runFixture, type Child } from "./fixtures/reliability-helpers";
import { bindFresh, endpoint } from "./helpers/endpoints";
import { sleep, within } from "./helpers/lifecycle";
import { expectErrno } from "./helpers/errors";

// --- helpers ----------------------------------------------------------------------------------

const root = path.join(__dirname, "..");

const open: Array<{ close(): void }> = [];
const children: Child[] = [];

/** Registers a socket (or context) to be closed after the test. */
function track<T extends { close(): void }>(socket: T): T {
  open.push(socket);
  return socket;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const socket of open.splice(0).reverse()) socket.close();
});

/** Whether `promise` is still pending after `ms`. */
async function pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const pending = Symbol("pending");
  const result = await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    sleep(ms).then(() => pending),
  ]);
  return result === pending;
}

const text = (frames: Buffer[]) => frames.map((frame) => frame.toString());

interface Fixture {
  process: Child;
  /** The JSON lines the process printed so far. */
  lines(): Array<Record<string, unknown>>;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Runs test/fixtures/<name> in a node process of its own; it loads the package from lib/. */
function startFixture(name: string, args: string[]): Fixture {
  const child = runFixture(name, args, {
    stdin: true,
    timeoutMs: 60_000,
    name: `${name} ${args.at(1) ?? ""}`.trim(),
  });
  children.push(child);
  const lines = () =>
    child
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { process: child, lines, exited: child.done.then((result) => result.code) };
}

/**
 * libzmq's proxy copies the commands of its control socket (which zmq-napi uses for pause(),
 * resume(), terminate() and statistics()) to the capture socket too: one-frame messages.
 */
const controlCommands = new Set(["PAUSE", "RESUME", "TERMINATE", "STATISTICS"]);

/** The next message on a capture reader that is traffic, not a copied control command. */
async function receiveTraffic(reader: Pull): Promise<Buffer[]> {
  for (;;) {
    const message = await reader.receive();
    if (message.length !== 1 || !controlCommands.has(message[0].toString())) return message;
  }
}

/**
 * Sends probes from a PUSH until every connected PULL in `pulls` got one (a PUSH deals only to
 * the peers connected so far), then drains them: afterwards the PUSH deals to all of them.
 */
async function awaitPullPeers(push: Push, pulls: Pull[]): Promise<void> {
  const reached = new Set<Pull>();
  for (let attempt = 0; reached.size < pulls.length; attempt++) {
    if (attempt > 500) throw new Error("the PULL peers did not all connect");
    await push.send("probe");
    await sleep(5);
    for (const pull of pulls) {
      while (pull.tryReceive() !== null) reached.add(pull);
    }
  }
}

beforeAll(() => {
  // The fixture processes load the package's entry point, lib/ (`npx tsc -p tsconfig.build.json`).
  expect(fs.existsSync(path.join(root, "lib", "proxy.js")), "lib/ is not built").toBe(true);
});

// --- the broker ---------------------------------------------------------------------------------

describe("proxy(frontend, backend): the request broker", () => {
  it("answers every request of 3 REQ client processes exactly once through 2 REP worker processes", async () => {
    const clientIds = ["c1", "c2", "c3"];
    const workerIds = ["w1", "w2"];
    const requestsPerClient = 40;

    const frontend = track(new Router({ linger: 0 }));
    const backend = track(new Dealer({ linger: 0 }));
    const frontAddress = await bindFresh(frontend, "tcp");
    const backAddress = await bindFresh(backend, "tcp");

    const workers = workerIds.map((id) => startFixture("proxy-worker.cjs", [backAddress, id]));
    // A loaded machine may take seconds to start a node process.
    await Promise.all(
      workers.map((worker, i) =>
        worker.process.line(JSON.stringify({ ready: workerIds[i] }), 30_000),
      ),
    );

    // Before the broker runs, ping through the backend until both workers answered: a DEALER
    // deals only to the peers connected so far, and both should get a share of the requests.
    backend.receiveTimeout = 10_000;
    const pinged = new Set<string>();
    for (let attempt = 0; pinged.size < workerIds.length; attempt++) {
      if (attempt > 300) throw new Error(`workers not connected: ${[...pinged].join(", ")}`);
      await backend.send(["", "ping"]);
      const [empty, answer] = text(await backend.receive());
      expect(empty).toBe("");
      pinged.add(answer.split("|")[0]);
      if (pinged.size < workerIds.length) await sleep(10);
    }
    backend.receiveTimeout = -1;

    const running = proxy(frontend, backend);

    const clients = clientIds.map((id) =>
      startFixture("proxy-client.cjs", [frontAddress, id, String(requestsPerClient)]),
    );
    const clientCodes = await within(
      Promise.all(clients.map((client) => client.exited)),
      40_000,
      "the clients",
    );
    expect(clientCodes, clients.map((client) => client.process.errors()).join("\n")).toEqual([
      0, 0, 0,
    ]);

    // Every client got the right answer to each of its requests, in order.
    const servedBy = new Map<string, string>();
    for (const [index, client] of clients.entries()) {
      const id = clientIds[index];
      const result = client.lines().find((line) => line.client === id) as
        { replies: Array<{ request: string; reply: string }> } | undefined;
      expect(result, `client ${id} printed no result`).toBeDefined();
      expect(result!.replies.map((entry) => entry.request)).toEqual(
        Array.from({ length: requestsPerClient }, (_, n) => `${id}:${n}`),
      );
      for (const { request, reply } of result!.replies) {
        const [worker, echoed] = reply.split("|");
        expect(workerIds).toContain(worker);
        expect(echoed).toBe(request);
        servedBy.set(request, worker);
      }
    }

    // The workers end when their stdin closes; their reports hold every request exactly once.
    for (const worker of workers) worker.process.child.stdin!.end();
    const workerCodes = await within(
      Promise.all(workers.map((worker) => worker.exited)),
      15_000,
      "the workers",
    );
    expect(workerCodes, workers.map((worker) => worker.process.errors()).join("\n")).toEqual([
      0, 0,
    ]);

    const served = workers.map((worker) =>
      worker
        .lines()
        .filter((line) => typeof line.served === "string" && line.served !== "ping")
        .map((line) => line.served as string),
    );
    const all = clientIds.flatMap((id) =>
      Array.from({ length: requestsPerClient }, (_, n) => `${id}:${n}`),
    );
    expect([...served[0], ...served[1]].sort()).toEqual([...all].sort());
    for (const [index, requests] of served.entries()) {
      expect(requests.length, `worker ${workerIds[index]} served none`).toBeGreaterThan(0);
      for (const request of requests) expect(servedBy.get(request)).toBe(workerIds[index]);
    }

    // The seed stops the broker by closing a socket: run() then resolves, and (like the
    // zeromq package's Proxy) the proxy closes its backend too when it ends.
    frontend.close();
    await within(running, 5000, "proxy() after closing the frontend");
    expect(backend.closed).toBe(true);
  }, 120_000);

  it("copies all frames of both directions to the capture socket", async () => {
    const frontend = track(new Router({ linger: 0 }));
    const backend = track(new Dealer({ linger: 0 }));
    const capture = track(new Push({ linger: 0 }));
    const captured = track(new Pull({ linger: 0, receiveTimeout: 3000 }));
    const captureAddress = endpoint("inproc");
    await captured.bind(captureAddress);
    capture.connect(captureAddress);

    const client = track(new Request({ linger: 0, receiveTimeout: 3000 }));
    const worker = track(new Reply({ linger: 0, receiveTimeout: 3000 }));
    client.connect(await bindFresh(frontend, "tcp"));
    worker.connect(await bindFresh(backend, "tcp"));

    const broker = new Proxy(frontend, backend, { capture });
    const running = broker.run();

    const exchanges = 10;
    for (let n = 0; n < exchanges; n++) {
      await client.send(`request ${n}`);
      expect(text(await worker.receive())).toEqual([`request ${n}`]);
      await worker.send(`reply ${n}`);
      expect(text(await client.receive())).toEqual([`reply ${n}`]);
    }

    // Each direction is copied as it is forwarded: [routing id, "", body], as a multipart message.
    const copies: Buffer[][] = [];
    for (let n = 0; n < 2 * exchanges; n++) copies.push(await receiveTraffic(captured));
    await sleep(50);
    expect(captured.tryReceive()).toBeNull();

    const frames = copies.reduce((sum, message) => sum + message.length, 0);
    expect(frames).toBe(6 * exchanges);
    expect(copies.map((message) => message.at(-1)!.toString())).toEqual(
      Array.from({ length: exchanges }, (_, n) => [`request ${n}`, `reply ${n}`]).flat(),
    );
    for (const message of copies) {
      expect(message).toHaveLength(3);
      expect(message[0].length).toBeGreaterThan(0); // the ROUTER's routing id of the client
      expect(message[1].length).toBe(0); // the REQ envelope delimiter
    }
    const requests = copies.filter((message) => message[2].toString().startsWith("request"));
    const replies = copies.filter((message) => message[2].toString().startsWith("reply"));
    expect([requests.length, replies.length]).toEqual([exchanges, exchanges]);

    const statistics = await broker.statistics();
    expect(statistics.frontEnd.messagesIn).toBe(exchanges);
    expect(statistics.frontEnd.messagesOut).toBe(exchanges);
    expect(statistics.backEnd.messagesIn).toBe(exchanges);
    expect(statistics.backEnd.messagesOut).toBe(exchanges);

    broker.terminate();
    await within(running, 5000, "run() after terminate()");
  });
});

// --- steering -----------------------------------------------------------------------------------

describe("Proxy: pause, resume, terminate and statistics", () => {
  async function streamer() {
    const front = track(new Pull({ linger: 0 }));
    const back = track(new Push({ linger: 0 }));
    const producer = track(new Push({ linger: 0 }));
    const consumer = track(new Pull({ linger: 0, receiveTimeout: 5000 }));
    producer.connect(await bindFresh(front, "tcp"));
    consumer.connect(await bindFresh(back, "tcp"));
    return { front, back, producer, consumer };
  }

  it("lets nothing through while paused and forwards again after resume()", async () => {
    const { front, back, producer, consumer } = await streamer();
    const steered = new Proxy(front, back);
    const running = steered.run();

    await producer.send("before");
    expect(text(await consumer.receive())).toEqual(["before"]);

    steered.pause();
    // pause() only queues the command; a statistics round trip on the same control socket
    // returns once the proxy has handled it.
    await steered.statistics();
    await producer.send("while paused");
    consumer.receiveTimeout = 300;
    await expectErrno("EAGAIN", () => consumer.receive());

    steered.resume();
    consumer.receiveTimeout = 5000;
    expect(text(await consumer.receive())).toEqual(["while paused"]);

    steered.terminate();
    await within(running, 5000, "run() after terminate()");
  });

  it("counts messages and bytes per socket and direction", async () => {
    const { front, back, producer, consumer } = await streamer();
    const steered = new Proxy(front, back);
    const running = steered.run();

    expect(await steered.statistics()).toEqual({
      frontEnd: { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 },
      backEnd: { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 },
    });
    const messages = [["a"], ["bb", "ccc"], ["dddd"], [Buffer.alloc(1000)]];
    for (const message of messages) await producer.send(message);
    for (const message of messages) expect((await consumer.receive()).length).toBe(message.length);
    const bytes = messages.flat().reduce((sum, frame) => sum + frame.length, 0);

    // A multipart message counts once; its bytes are those of all its frames.
    expect(await steered.statistics()).toEqual({
      frontEnd: { messagesIn: messages.length, bytesIn: bytes, messagesOut: 0, bytesOut: 0 },
      backEnd: { messagesIn: 0, bytesIn: 0, messagesOut: messages.length, bytesOut: bytes },
    });

    steered.terminate();
    await within(running, 5000, "run() after terminate()");
  });

  it("terminate() ends run(), which closes frontEnd and backEnd but leaves the capture open", async () => {
    const { front, back, producer, consumer } = await streamer();
    const capture = track(new Push({ linger: 0 }));
    const captured = track(new Pull({ linger: 0, receiveTimeout: 3000 }));
    capture.connect(await bindFresh(captured, "inproc"));
    const steered = new Proxy(front, back, { capture });
    const running = steered.run();
    await producer.send("through the proxy");
    expect(text(await consumer.receive())).toEqual(["through the proxy"]);
    expect(text(await receiveTraffic(captured))).toEqual(["through the proxy"]);

    steered.terminate();
    await within(running, 5000, "run() after terminate()");

    // Like the zeromq package's Proxy, it closes frontEnd and backEnd when it ends; close()
    // again is a no-op, and using them fails with EBADF.
    expect([front.closed, back.closed]).toEqual([true, true]);
    await expectErrno("EBADF", () => back.trySend("x"));
    await expectErrno("EBADF", () => front.receive());
    front.close();
    back.close();
    // The capture socket is the caller's: open and usable again.
    expect(capture.closed).toBe(false);
    expect(capture.trySend("after the proxy")).toBe(true);
    expect(text(await receiveTraffic(captured))).toEqual(["after the proxy"]);

    // Steering needs a running proxy.
    await expectErrno("EBADF", () => steered.pause());
    await expectErrno("EBADF", () => steered.resume());
    await expectErrno("EBADF", () => steered.terminate());
    await expectErrno("EBADF", () => steered.statistics());
  });
});

// --- sockets owned by a running proxy -----------------------------------------------------------

describe("sockets while a proxy runs", () => {
  it("are busy (EBUSY) for sending, receiving, options, endpoints and another proxy", async () => {
    const front = track(new Router({ linger: 0 }));
    const back = track(new Dealer({ linger: 0 }));
    const capture = track(new Publisher({ linger: 0 }));
    await bindFresh(front, "tcp");
    await bindFresh(back, "tcp");
    const other = track(new Dealer({ linger: 0 }));

    const steered = new Proxy(front, back, { capture });
    const running = steered.run();

    await expectErrno("EBUSY", () => front.trySend(["id", "", "x"]));
    await expectErrno("EBUSY", () => front.send(["id", "", "x"]));
    await expectErrno("EBUSY", () => back.receive());
    await expectErrno("EBUSY", () => back.tryReceive());
    await expectErrno("EBUSY", () => capture.send("x"));
    await expectErrno("EBUSY", () => front.lastEndpoint);
    await expectErrno("EBUSY", () => back.bind("tcp://127.0.0.1:*"));
    await expectErrno("EBUSY", () => back.connect("tcp://127.0.0.1:1"));
    await expectErrno("EBUSY", () => steered.run());
    await expectErrno("EBUSY", () => proxy(front, other));
    await expectErrno("EBUSY", () => proxy(other, back));
    await expectErrno("EBUSY", () => proxy(other, track(new Dealer()), capture));
    expect(front.closed).toBe(false);

    steered.terminate();
    await within(running, 5000, "run() after terminate()");
    // No longer busy: frontEnd and backEnd are closed with the proxy, the capture is free.
    await expectErrno("EBADF", () => front.lastEndpoint);
    await expectErrno("EBADF", () => back.trySend(["x"]));
    expect(capture.closed).toBe(false);
    expect(capture.trySend("no subscriber")).toBe(true);
    expect(other.trySend(["no peer"])).toBe(false);
  });

  it.each(["frontEnd", "backEnd", "capture"] as const)(
    "closing the %s ends run() without a hang or a crash",
    async (which) => {
      const front = track(new Pull({ linger: 0 }));
      const back = track(new Push({ linger: 0 }));
      const producer = track(new Push({ linger: 0 }));
      const consumer = track(new Pull({ linger: 0, receiveTimeout: 3000 }));
      producer.connect(await bindFresh(front, "tcp"));
      consumer.connect(await bindFresh(back, "tcp"));
      // A PUSH capture with no peer would block the proxy thread: give it a reader.
      const capture = track(new Push({ linger: 0 }));
      const captured = track(new Pull({ linger: 0 }));
      capture.connect(await bindFresh(captured, "inproc"));

      const running = proxy(front, back, capture);
      await producer.send("forwarded");
      expect(text(await consumer.receive())).toEqual(["forwarded"]);

      const sockets: Record<typeof which, Socket> = { frontEnd: front, backEnd: back, capture };
      sockets[which].close();
      expect(sockets[which].closed).toBe(true);
      await within(running, 5000, `run() after closing the ${which}`);

      // frontEnd and backEnd end with the proxy; the capture is closed only if it was closed.
      expect({ frontEnd: front.closed, backEnd: back.closed, capture: capture.closed }).toEqual({
        frontEnd: true,
        backEnd: true,
        capture: which === "capture",
      });
      await expectErrno("EBADF", () => sockets[which].connect("tcp://127.0.0.1:1"));
      if (which !== "capture") {
        captured.receiveTimeout = 3000;
        expect(text(await receiveTraffic(captured))).toEqual(["forwarded"]);
        expect(capture.trySend("still usable")).toBe(true);
        expect(text(await receiveTraffic(captured))).toEqual(["still usable"]);
      }
    },
  );

  it("closing the context ends run() and leaves the proxy's sockets closed", async () => {
    const context = track(new Context());
    const front = new Pull({ context, linger: 0 });
    const back = new Push({ context, linger: 0 });
    const capture = new Push({ context, linger: 0 });
    const bystander = new Pull({ context, linger: 0 });
    await front.bind(endpoint("inproc"));
    await back.bind(endpoint("inproc"));

    const running = proxy(front, back, capture);
    expect(await pendingAfter(running, 50)).toBe(true);
    context.close();
    await within(running, 5000, "run() after closing the context");

    await expectErrno("EBADF", () => back.trySend("x"));
    await expectErrno("EBADF", () => front.receive());
    expect(bystander.closed).toBe(true);
    // Every socket of a closed context reports closed, those lent to the proxy included
    // (frontEnd and backEnd are closed by the proxy's end; the capture must be too).
    expect({ front: front.closed, back: back.closed, capture: capture.closed }).toEqual({
      front: true,
      back: true,
      capture: true,
    });
  });
});

// --- other proxies ------------------------------------------------------------------------------

describe("forwarder and streamer", () => {
  it("XSUB/XPUB forwards publications downstream and subscriptions upstream", async () => {
    const upstream = track(new XPublisher({ linger: 0, receiveTimeout: 5000 }));
    const xsub = track(new XSubscriber({ linger: 0 }));
    const xpub = track(new XPublisher({ linger: 0 }));
    const subscriber = track(new Subscriber({ linger: 0, receiveTimeout: 5000 }));
    xsub.connect(await bindFresh(upstream, "tcp"));
    const downstream = await bindFresh(xpub, "tcp");

    const forwarder = new Proxy(xsub, xpub);
    const running = forwarder.run();

    subscriber.connect(downstream);
    subscriber.subscribe("news");
    // The subscription crosses the forwarder to the publisher.
    expect(text(await upstream.receive())).toEqual(["\u0001news"]);

    for (let n = 0; n < 3; n++) {
      await upstream.send(["sport", `s${n}`]);
      await upstream.send(["news", `n${n}`]);
    }
    for (let n = 0; n < 3; n++) expect(text(await subscriber.receive())).toEqual(["news", `n${n}`]);
    await sleep(50);
    expect(subscriber.tryReceive()).toBeNull();

    subscriber.unsubscribe("news");
    expect(text(await upstream.receive())).toEqual(["\u0000news"]);

    expect(await forwarder.statistics()).toMatchObject({
      frontEnd: { messagesIn: 3, messagesOut: 2 },
      backEnd: { messagesIn: 2, messagesOut: 3 },
    });
    forwarder.terminate();
    await within(running, 5000, "run() after terminate()");
  });

  it("PULL/PUSH streams every message exactly once to the workers", async () => {
    const front = track(new Pull({ linger: 0 }));
    const back = track(new Push({ linger: 0 }));
    const producer = track(new Push({ linger: 0 }));
    const consumers = [track(new Pull({ linger: 0 })), track(new Pull({ linger: 0 }))];
    producer.connect(await bindFresh(front, "tcp"));
    const backAddress = await bindFresh(back, "tcp");
    for (const consumer of consumers) consumer.connect(backAddress);
    await awaitPullPeers(back, consumers);

    const running = proxy(front, back);
    const count = 100;
    for (let n = 0; n < count; n++) await producer.send(`task ${n}`);

    const received: string[][] = [[], []];
    const deadline = Date.now() + 5000;
    while (received[0].length + received[1].length < count && Date.now() < deadline) {
      for (const [index, consumer] of consumers.entries()) {
        let message: Buffer[] | null;
        while ((message = consumer.tryReceive()) !== null)
          received[index].push(message[0].toString());
      }
      await sleep(5);
    }
    expect([...received[0], ...received[1]].sort()).toEqual(
      Array.from({ length: count }, (_, n) => `task ${n}`).sort(),
    );
    expect(received[0].length).toBeGreaterThan(0);
    expect(received[1].length).toBeGreaterThan(0);

    front.close();
    await within(running, 5000, "proxy() after closing the frontend");
  });
});

// --- bad input ----------------------------------------------------------------------------------

describe("bad input", () => {
  it("throws TypeError for what is not a socket", () => {
    const socket = track(new Dealer());
    expect(() => proxy({} as unknown as Socket, socket)).toThrow(TypeError);
    expect(() => proxy(socket, "tcp://127.0.0.1:5555" as unknown as Socket)).toThrow(TypeError);
    expect(() => proxy(socket, track(new Dealer()), 42 as unknown as Socket)).toThrow(TypeError);
    expect(() => new Proxy(null as unknown as Socket, socket)).toThrow(TypeError);
    expect(socket.closed).toBe(false);
  });

  it("rejects a front or back end that is neither bound nor connected with EINVAL, as v6 does", async () => {
    // libzmq's proxy would wait forever on them; run() never settled.
    const bound = track(new Dealer({ linger: 0 }));
    await bindFresh(bound, "inproc");
    const front = await expectErrno("EINVAL", () => new Proxy(track(new Router()), bound).run());
    expect(front.message).toMatch(/Front-end/);
    const back = await expectErrno("EINVAL", () => new Proxy(bound, track(new Dealer())).run());
    expect(back.message).toMatch(/Back-end/);
    // Nothing was lent: the bound socket still works.
    expect(bound.trySend("x")).toBe(false);
  });

  it("rejects the same socket twice with a TypeError", async () => {
    const socket = track(new Dealer());
    const other = track(new Dealer());
    await expect(Promise.resolve().then(() => proxy(socket, socket))).rejects.toThrow(TypeError);
    await expect(Promise.resolve().then(() => proxy(socket, other, other))).rejects.toThrow(
      TypeError,
    );
    // Nothing was lent to a proxy.
    expect(socket.trySend("x")).toBe(false);
    expect(other.trySend("x")).toBe(false);
  });

  it("rejects a second run() of a running proxy with EBUSY", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const push = track(new Push({ linger: 0 }));
    await bindFresh(pull, "inproc");
    await bindFresh(push, "inproc");
    const steered = new Proxy(pull, push);
    const running = steered.run();
    await expectErrno("EBUSY", () => steered.run());
    expect(await pendingAfter(running, 20)).toBe(true);
    steered.terminate();
    await within(running, 5000, "run() after terminate()");
  });

  it.each(["frontEnd", "backEnd", "capture"] as const)(
    "fails with EBADF for a closed %s and lends nothing",
    async (which) => {
      const sockets = {
        frontEnd: track(new Pull()),
        backEnd: track(new Push()),
        capture: track(new Push()),
      };
      sockets[which].close();
      await expectErrno("EBADF", () => proxy(sockets.frontEnd, sockets.backEnd, sockets.capture));
      for (const [name, socket] of Object.entries(sockets)) {
        if (name === which) continue;
        // Still usable from JavaScript (not busy).
        expect(socket.closed).toBe(false);
        if (socket instanceof Push) expect(socket.trySend("x")).toBe(false);
        else expect(socket.tryReceive()).toBeNull();
      }
    },
  );
});
