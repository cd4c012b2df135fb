// Observer and socket.events over real tcp sockets: the events of a connect / disconnect /
// reconnect cycle, handshakes (and a failed one), bind errors, the close of an unbound
// listener, the end of the async iterator when the socket closes, the EventEmitter mode, and
// what happens when an Observer is not used or is closed.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import {
  Observer,
  Pair,
  Pull,
  Push,
  Request,
  Reply,
  ZmqError,
  curveKeyPair,
  type Event,
  type EventOfType,
  type EventType,
} from "../src/index";
import { runFixture } from "./fixtures/reliability-helpers";
import { describeExit } from "./helpers/children";
import { bindFresh } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";

// --- helpers ----------------------------------------------------------------------------------

const root = path.join(__dirname, "..");

/** Consumes an Observer with `for await` and keeps every event, to wait for and inspect. */
class Recorder {
  readonly events: Event[] = [];
  /** Settles when the iteration has ended (after "end"). */
  readonly finished: Promise<void>;

  constructor(readonly observer: Observer) {
    this.finished = (async () => {
      for await (const event of observer) this.events.push(event);
    })();
  }

  get types(): EventType[] {
    return this.events.map((event) => event.type);
  }

  /** The index of the first event of `type` at or after `from`, waiting up to `ms` for it. */
  async next<T extends EventType>(
    type: T,
    from = 0,
    ms = 5000,
  ): Promise<{ index: number; event: EventOfType<T> }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.events.findIndex(
        (event, position) => position >= from && event.type === type,
      );
      if (index >= 0) return { index, event: this.events[index] as EventOfType<T> };
      if (Date.now() > deadline) {
        throw new Error(
          `no "${type}" event after #${from} within ${ms} ms; saw: ${this.types.join(", ")}`,
        );
      }
      await sleep(5);
    }
  }
}

// --- the connection cycle -----------------------------------------------------------------------

describe("events of a tcp connect / disconnect / reconnect cycle", () => {
  it("reports bind, accept, connect and handshakes; disconnect and retries; and connect again", async () => {
    const server = track(new Pair({ linger: 0, receiveTimeout: 3000 }));
    const serverEvents = new Recorder(server.events);
    const address = await bindFresh(server, "tcp");

    const client = track(new Pair({ linger: 0, reconnectInterval: 50, receiveTimeout: 3000 }));
    const clientEvents = new Recorder(client.events);
    client.connect(address);

    // The server: "bind", then "accept", then "handshake", all for the bound address.
    const bind = await serverEvents.next("bind");
    const accept = await serverEvents.next("accept", bind.index + 1);
    const serverHandshake = await serverEvents.next("handshake", accept.index + 1);
    for (const { event } of [bind, accept, serverHandshake]) expect(event.address).toBe(address);

    // The client: maybe "connect:delay" (connecting asynchronously), then "connect", then
    // "handshake".
    const connect = await clientEvents.next("connect");
    const clientHandshake = await clientEvents.next("handshake", connect.index + 1);
    expect(connect.event.address).toBe(address);
    expect(clientHandshake.event.address).toBe(address);
    expect(
      clientEvents.types.slice(0, connect.index).every((type) => type === "connect:delay"),
    ).toBe(true);

    await client.send("first");
    expect((await server.receive()).map(String)).toEqual(["first"]);

    // The server goes away: its iteration ends with "end"; the client sees "disconnect",
    // then "connect:retry" with the interval until the next attempt (reconnectInterval plus
    // a random jitter below it).
    server.close();
    await within(serverEvents.finished, 5000, "the server observer's iteration");
    expect(serverEvents.types.at(-1)).toBe("end");
    expect(serverEvents.types.filter((type) => type === "end")).toHaveLength(1);
    expect(serverEvents.observer.closed).toBe(true);

    const disconnect = await clientEvents.next("disconnect", clientHandshake.index + 1);
    expect(disconnect.event.address).toBe(address);
    const retry = await clientEvents.next("connect:retry", disconnect.index + 1);
    expect(retry.event.address).toBe(address);
    expect(typeof retry.event.interval).toBe("number");
    expect(retry.event.interval).toBeGreaterThanOrEqual(50);
    expect(retry.event.interval).toBeLessThan(100);

    // While nobody listens, the attempts go on: more retries.
    await clientEvents.next("connect:retry", retry.index + 1, 3000);

    // A new server on the same address: the client connects again.
    const again = track(new Pair({ linger: 0, receiveTimeout: 3000 }));
    const againEvents = new Recorder(again.events);
    await again.bind(address);
    const rebind = await againEvents.next("bind");
    expect(rebind.event.address).toBe(address);
    const reaccept = await againEvents.next("accept", rebind.index + 1);
    await againEvents.next("handshake", reaccept.index + 1);

    const reconnect = await clientEvents.next("connect", disconnect.index + 1);
    expect(reconnect.event.address).toBe(address);
    await clientEvents.next("handshake", reconnect.index + 1);

    await client.send("second");
    expect((await again.receive()).map(String)).toEqual(["second"]);

    client.close();
    await within(clientEvents.finished, 5000, "the client observer's iteration");
    expect(clientEvents.types.at(-1)).toBe("end");
    again.close();
    await within(againEvents.finished, 5000, "the second server observer's iteration");
  });

  it("reports a failed handshake with its ZMTP protocol error on both sides", async () => {
    const keys = curveKeyPair();
    const server = track(
      new Pair({ linger: 0, curveServer: true, curveSecretKey: keys.secretKey }),
    );
    const serverEvents = new Recorder(server.events);
    const address = await bindFresh(server, "tcp");
    // A client without CURVE: the security mechanisms do not match.
    const client = track(new Pair({ linger: 0, reconnectInterval: 5000 }));
    const clientEvents = new Recorder(client.events);
    client.connect(address);

    for (const recorder of [serverEvents, clientEvents]) {
      const failed = await recorder.next("handshake:error:protocol");
      expect(failed.event.address).toBe(address);
      expect(failed.event.error).toBeInstanceOf(Error);
      expect(failed.event.error.code).toBe("ERR_ZMTP_MECHANISM_MISMATCH");
      await recorder.next("disconnect", failed.index + 1);
      expect(recorder.types).not.toContain("handshake");
    }
  });
});

// --- binding ------------------------------------------------------------------------------------

describe("bind events", () => {
  it("a bind to an address in use rejects with EADDRINUSE and is reported as bind:error", async () => {
    const holder = track(new Pair({ linger: 0 }));
    const address = await bindFresh(holder, "tcp");
    const port = address.slice(address.lastIndexOf(":") + 1);

    const socket = track(new Pair({ linger: 0 }));
    const events = new Recorder(socket.events);
    let failure: unknown;
    await socket.bind(address).catch((error: unknown) => {
      failure = error;
    });
    expect(failure).toBeInstanceOf(ZmqError);
    expect((failure as ZmqError).code).toBe("EADDRINUSE");

    // libzmq reports it through the monitor as well (ZMQ_EVENT_BIND_FAILED), with the errno
    // as an error; its address is the endpoint without the "tcp://" scheme.
    const failed = await events.next("bind:error");
    expect(failed.event.error).toBeInstanceOf(ZmqError);
    expect(failed.event.error.code).toBe("EADDRINUSE");
    expect(failed.event.address.endsWith(`:${port}`)).toBe(true);
    expect(events.types).not.toContain("bind");

    // The synchronous variant fails the same way.
    expect(() => socket.bindSync(address)).toThrow(expect.objectContaining({ code: "EADDRINUSE" }));
    await events.next("bind:error", failed.index + 1);
  });

  it("unbind() closes the listener: a close event for the address", async () => {
    const socket = track(new Pair({ linger: 0 }));
    const events = new Recorder(socket.events);
    const address = await bindFresh(socket, "tcp");
    const bind = await events.next("bind");
    expect(bind.event.address).toBe(address);

    await socket.unbind(address);
    const close = await events.next("close", bind.index + 1);
    expect(close.event.address).toBe(address);

    // The listener is gone: the address can be bound by another socket now.
    const next = track(new Pair({ linger: 0 }));
    await next.bind(address);
    expect(next.lastEndpoint).toBe(address);
  });
});

// --- the Observer's life ------------------------------------------------------------------------

describe("Observer", () => {
  it("socket.events is one lazily created Observer per socket; the iteration ends with end", async () => {
    const socket = new Pair({ linger: 0 });
    const observer = socket.events;
    expect(observer).toBeInstanceOf(Observer);
    expect(socket.events).toBe(observer);
    expect(observer.closed).toBe(false);

    const seen: EventType[] = [];
    const iteration = (async () => {
      for await (const event of observer) seen.push(event.type);
      return "ended";
    })();
    await bindFresh(socket, "tcp");
    socket.close();
    await expect(within(iteration, 5000, "the iteration")).resolves.toBe("ended");
    // Closing the socket closes its listener ("close"), then the monitor stops ("end").
    expect(seen).toEqual(["bind", "close", "end"]);
    expect(observer.closed).toBe(true);
  });

  it("receive() gives the events one by one, then end when the socket closes", async () => {
    const socket = new Pair({ linger: 0 });
    const observer = new Observer(socket);
    const address = await bindFresh(socket, "tcp");
    expect(await within(observer.receive())).toEqual({ type: "bind", address });
    socket.close();
    expect(await within(observer.receive())).toEqual({ type: "close", address });
    expect(await within(observer.receive())).toEqual({ type: "end" });
    expect(observer.closed).toBe(true);
  });

  it("on()/off(): listeners per event type; receive() then throws", async () => {
    const server = track(new Pair({ linger: 0 }));
    const observer = server.events;
    const binds: Array<EventOfType<"bind">> = [];
    const accepts: Array<EventOfType<"accept">> = [];
    const removed: Event[] = [];
    const onRemoved = (event: Event) => removed.push(event);
    const ended = new Promise<EventOfType<"end">>((resolve) => observer.on("end", resolve));
    expect(observer.on("bind", (event) => binds.push(event))).toBe(observer);
    observer.on("accept", (event) => accepts.push(event));
    observer.on("bind", onRemoved).on("accept", onRemoved);
    expect(observer.off("bind", onRemoved).off("accept", onRemoved)).toBe(observer);

    // Thrown, not rejected, as in zeromq v6.
    expect(() => observer.receive()).toThrow(/emitter mode/);

    const address = await bindFresh(server, "tcp");
    const client = track(new Pair({ linger: 0 }));
    client.connect(address);
    const deadline = Date.now() + 5000;
    while ((binds.length < 1 || accepts.length < 1) && Date.now() < deadline) await sleep(5);
    expect(binds).toEqual([{ type: "bind", address }]);
    expect(accepts).toEqual([{ type: "accept", address }]);
    expect(removed).toEqual([]);

    server.close();
    expect(await within(ended, 5000, "the end event")).toEqual({ type: "end" });
    expect(observer.closed).toBe(true);
  });

  it("rejects what is not an open socket", () => {
    expect(() => new Observer({} as never)).toThrow(TypeError);
    const closed = new Pair();
    closed.close();
    expect(() => new Observer(closed)).toThrow(expect.objectContaining({ code: "EBADF" }));
  });

  it("costs nothing unless used: sockets whose events nobody reads work normally", async () => {
    // Nothing here touches .events: no monitor exists, and none is needed for the traffic.
    const reply = track(new Reply({ linger: 0, receiveTimeout: 3000 }));
    const request = track(new Request({ linger: 0, receiveTimeout: 3000, reconnectInterval: 20 }));
    const address = await bindFresh(reply, "tcp");
    request.connect(address);
    for (let n = 0; n < 20; n++) {
      await request.send(`ping ${n}`);
      expect((await reply.receive()).map(String)).toEqual([`ping ${n}`]);
      await reply.send(`pong ${n}`);
      expect((await request.receive()).map(String)).toEqual([`pong ${n}`]);
    }
    // Disconnects and reconnects, which would be events, need no reader either.
    const push = track(new Push({ linger: 0, reconnectInterval: 10 }));
    const pull = track(new Pull({ linger: 0, receiveTimeout: 3000 }));
    const pushAddress = await bindFresh(pull, "tcp");
    for (let n = 0; n < 5; n++) {
      push.connect(pushAddress);
      await push.send(`round ${n}`);
      expect((await pull.receive()).map(String)).toEqual([`round ${n}`]);
      push.disconnect(pushAddress);
    }
  });

  it("close() stops observing; the socket goes on working and can be observed again", async () => {
    // In a process of its own (test/fixtures/observer-close.cjs): if a libzmq thread blocked
    // after the observer closed, every socket of this process's context would stall.
    expect(fs.existsSync(path.join(root, "lib", "observer.js")), "lib/ is not built").toBe(true);
    const result = await runFixture("observer-close.cjs", [], { timeoutMs: 30_000 }).done;
    const steps = result.stdout
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(steps, describeExit(result)).toEqual([
      { step: "observer closed", closed: true },
      { step: "bound" },
      { step: "received", message: "hello" },
      { step: "observing again", fresh: true },
      { step: "event", type: "close", address: true },
      { step: "done" },
    ]);
    expect(result.code).toBe(0);
  }, 40_000);
});
