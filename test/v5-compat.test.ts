// The v5 API (zmq-napi/v5-compat) over real sockets: a Socket that is a plain constructor
// function (callable as `zmq.Socket.call(this, type)` by subclasses made with util.inherits),
// 'message' events with one argument per frame, send callbacks and ZMQ_SNDMORE, pause/resume,
// close semantics, the option conversions of setsockopt/getsockopt, monitor events and bind
// errors.
import { EventEmitter, once } from "node:events";
import * as util from "node:util";
import { describe, expect, it } from "vitest";

import { ZmqError } from "../src/index";
import * as zmq from "../src/v5-compat";
import { endpoint } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";
import { expectErrnoSync, thrown } from "./helpers/errors";

type V5Socket = zmq.Socket;

/** Binds synchronously to a fresh tcp port and returns the address to connect to. */
function bindTcp(socket: V5Socket): string {
  socket.bindSync(endpoint("tcp"));
  const address = socket.last_endpoint;
  if (address === null) throw new Error("no last_endpoint after bindSync");
  return address;
}

/** The next `count` messages `socket` emits, each as its frames' text. */
function nextMessages(socket: V5Socket, count: number): Promise<string[][]> {
  return new Promise((resolve) => {
    const messages: string[][] = [];
    const listener = (...frames: Buffer[]) => {
      messages.push(frames.map((frame) => frame.toString()));
      if (messages.length === count) {
        socket.removeListener("message", listener);
        resolve(messages);
      }
    };
    socket.on("message", listener);
  });
}

/** Resolves with the arguments of `socket`'s send callback. */
function sent(
  socket: V5Socket,
  message: Parameters<V5Socket["send"]>[0],
  flags?: number,
): Promise<{ self: unknown; args: unknown[] }> {
  return new Promise((resolve) => {
    socket.send(message, flags, function (this: unknown, ...args: unknown[]) {
      resolve({ self: this, args });
    });
  });
}

/** Waits until `socket` has a message libzmq can hand over now (ZMQ_EVENTS has ZMQ_POLLIN). */
async function untilReadable(socket: V5Socket): Promise<void> {
  await within(
    (async () => {
      while ((socket._ioevents & zmq.ZMQ_POLLIN) === 0) await sleep(2);
    })(),
    5000,
    "a readable socket",
  );
}

describe("v5-compat Socket as a constructor function", () => {
  it("initialises an object that inherits Socket.prototype: zmq.Socket.call(obj, type)", () => {
    const socket = Object.create(zmq.Socket.prototype) as V5Socket;
    const returned = zmq.Socket.call(socket, "req");
    track(socket);
    expect(returned).toBe(socket);
    expect(socket.type).toBe("req");
    expect(socket).toBeInstanceOf(zmq.Socket);
    expect(socket).toBeInstanceOf(EventEmitter);
    expect(socket.getsockopt(zmq.ZMQ_TYPE)).toBe(zmq.ZMQ_REQ);
    expect(socket.closed).toBe(false);
  });

  it("works with new, with a plain call, and by number", () => {
    const made = track(new zmq.Socket("pair"));
    const called = track(zmq.Socket("dealer"));
    const numbered = track(new zmq.Socket(zmq.ZMQ_ROUTER));
    expect(made).toBeInstanceOf(zmq.Socket);
    expect(called).toBeInstanceOf(zmq.Socket);
    expect(called.type).toBe("dealer");
    expect(numbered.type).toBe("router");
    expect(zmq.Socket.prototype.constructor).toBe(zmq.Socket);
    expect(made.constructor.name).toBe("Socket");
  });

  it("refuses an unknown socket type with a TypeError naming the known ones", () => {
    const error = thrown(() => zmq.socket("bogus" as zmq.SocketType));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/req.*router/);
  });

  it("explains a method called on an object the constructor never ran on", () => {
    const stray = Object.create(zmq.Socket.prototype) as V5Socket;
    const error = thrown(() => stray.send("x"));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/zmq\.Socket\.call\(this, type\)/);
  });

  it("carries a util.inherits subclass (jmp's pattern) through a request and reply", async () => {
    // A subclass as jmp 2.0 writes it: the v5 constructor called on `this`, methods
    // overridden and calling the parent's through the prototype chain.
    function Tagged(this: V5Socket & { tag: string }, type: zmq.SocketType, tag: string) {
      zmq.Socket.call(this, type);
      this.tag = tag;
    }
    util.inherits(Tagged, zmq.Socket);
    Tagged.prototype.send = function (this: V5Socket & { tag: string }, message: string) {
      return zmq.Socket.prototype.send.call(this, [this.tag, message]);
    };
    const TaggedSocket = Tagged as unknown as new (
      type: zmq.SocketType,
      tag: string,
    ) => V5Socket & { tag: string };

    const server = track(new TaggedSocket("rep", "server"));
    const client = track(new TaggedSocket("req", "client"));
    expect(server).toBeInstanceOf(zmq.Socket);
    // Only what v5 itself put on the object: the EventEmitter's fields, type, the subclass's.
    expect(Object.keys(server).sort()).toEqual(
      ["_events", "_eventsCount", "_maxListeners", "tag", "type"].sort(),
    );

    server.on("message", (tag: Buffer, body: Buffer) => {
      server.send(`${tag.toString()} said ${body.toString()}`);
    });
    client.connect(bindTcp(server));
    const reply = nextMessages(client, 1);
    client.send("hello");
    expect(await within(reply)).toEqual([["server", "client said hello"]]);

    server.removeAllListeners();
    expect(server.listenerCount("message")).toBe(0);
    expect(Object.keys((server as unknown as { _events: object })._events)).toEqual([]);
  });

  it("can be extended as an ES class", async () => {
    class Greeter extends zmq.Socket {
      constructor() {
        super("push");
      }
      greet(name: string): this {
        return this.send(`hello ${name}`);
      }
    }
    const pull = track(zmq.socket("pull"));
    const greeter = track(new Greeter());
    greeter.connect(bindTcp(pull));
    const received = nextMessages(pull, 1);
    greeter.greet("v5");
    expect(await within(received)).toEqual([["hello v5"]]);
  });
});

describe("v5-compat messages and send callbacks", () => {
  it("emits every frame of a message as an argument, with ZMQ_SNDMORE joining sends", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    push.connect(bindTcp(pull));
    const received = nextMessages(pull, 2);
    push.send(["a", Buffer.from("b")], zmq.ZMQ_SNDMORE);
    push.send("c", zmq.ZMQ_SNDMORE);
    push.send(["d", "e"]);
    push.send([15.99, null, new Uint8Array([0x66])]);
    // v5 sent what is not bytes as its string form: null is "null", not an empty frame.
    expect(await within(received)).toEqual([
      ["a", "b", "c", "d", "e"],
      ["15.99", "null", "f"],
    ]);
  });

  it("calls back with the socket as this and no argument once libzmq took the message", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    // No peer yet: the message waits, and so does its callback.
    const callback = sent(push, "late");
    push.connect(bindTcp(pull));
    const result = await within(callback);
    expect(result.self).toBe(push);
    expect(result.args).toEqual([]);
    const [frame] = (await within(once(pull, "message"))) as [Buffer];
    expect(frame.toString()).toBe("late");
  });

  it("takes the callback in place of the flags: send(message, callback)", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    push.connect(bindTcp(pull));
    const called = new Promise<unknown[]>((resolve) => push.send("x", (...args) => resolve(args)));
    expect(await within(called)).toEqual([]);
  });

  it("calls back with the error, or emits 'error' without a callback", async () => {
    const router = track(zmq.socket("router"));
    router.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1);
    const result = await within(sent(router, ["nobody", "", "hi"]));
    expect(result.args[0]).toBeInstanceOf(ZmqError);
    expect((result.args[0] as ZmqError).code).toBe("EHOSTUNREACH");

    const emitted = once(router, "error");
    router.send(["nobody", "", "hi"]);
    const [error] = (await within(emitted)) as [ZmqError];
    expect(error.code).toBe("EHOSTUNREACH");
  });

  it("queues a REQ's requests until each reply has come", async () => {
    const rep = track(zmq.socket("rep"));
    const req = track(zmq.socket("req"));
    rep.on("message", (body: Buffer) => rep.send(`re: ${body.toString()}`));
    req.connect(bindTcp(rep));
    const replies = nextMessages(req, 4);
    for (const body of ["1", "2", "3", "4"]) req.send(body);
    expect(await within(replies)).toEqual([["re: 1"], ["re: 2"], ["re: 3"], ["re: 4"]]);
  });

  it("lets a REP reply later, outside its 'message' listener", async () => {
    const rep = track(zmq.socket("rep"));
    const req = track(zmq.socket("req"));
    rep.on("message", (body: Buffer) => {
      setImmediate(() => rep.send(`later: ${body.toString()}`));
    });
    req.connect(bindTcp(rep));
    const replies = nextMessages(req, 2);
    req.send("a");
    req.send("b");
    expect(await within(replies)).toEqual([["later: a"], ["later: b"]]);
  });

  it("rethrows what a 'message' listener throws and goes on delivering", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    const earlier = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      // As in v5: the exception is out before the next message comes.
      const second = new Promise<[string, number]>((resolve) => {
        let count = 0;
        pull.on("message", (frame: Buffer) => {
          if (++count === 1) throw new Error("listener failed");
          resolve([frame.toString(), thrown.length]);
        });
      });
      push.connect(bindTcp(pull));
      push.send("first");
      push.send("second");
      expect(await within(second)).toEqual(["second", 1]);
      expect((thrown[0] as Error).message).toBe("listener failed");
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      for (const listener of earlier) process.on("uncaughtException", listener);
    }
  });
});

describe("v5-compat pause, resume and read", () => {
  it("keeps messages in libzmq while paused and emits them, in order, on resume", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    let emitted = 0;
    pull.on("message", () => emitted++);
    pull.pause();
    push.connect(bindTcp(pull));
    for (const body of ["a", "b", "c"]) await within(sent(push, body));
    await untilReadable(pull);
    expect(emitted).toBe(0);

    const received = nextMessages(pull, 3);
    pull.resume();
    expect(await within(received)).toEqual([["a"], ["b"], ["c"]]);
  });

  it("hands messages over with read() while paused", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    pull.pause();
    push.connect(bindTcp(pull));
    await within(sent(push, ["x", "y"]));
    await untilReadable(pull);
    const message = pull.read();
    expect(message?.map((frame) => frame.toString())).toEqual(["x", "y"]);
    expect(pull.read()).toBeNull();
  });

  it("holds sends while paused and sends them on resume", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    push.connect(bindTcp(pull));
    push.pause();
    let called = false;
    push.send("held", 0, () => (called = true));
    await sleep(20);
    expect(called).toBe(false);
    const received = nextMessages(pull, 1);
    push.resume();
    expect(await within(received)).toEqual([["held"]]);
    expect(called).toBe(true);
  });
});

describe("v5-compat close", () => {
  it("is idempotent and reports closed", () => {
    const socket = zmq.socket("dealer");
    expect(socket.close()).toBe(socket);
    expect(socket.close()).toBe(socket);
    expect(socket.closed).toBe(true);
  });

  it("drops queued messages without calling back, and refuses later sends without 'error'", async () => {
    const push = zmq.socket("push", { linger: 0 });
    let queuedCallback = false;
    push.send("never", 0, () => (queuedCallback = true));
    push.close();

    let errorEvent = false;
    push.on("error", () => (errorEvent = true));
    push.send("after close");
    const result = await within(sent(push, "after close"));
    expect((result.args[0] as ZmqError).code).toBe("EBADF");
    expect(queuedCallback).toBe(false);
    expect(errorEvent).toBe(false);
  });

  it("emits no message after close, even from the middle of a burst", async () => {
    const pull = track(zmq.socket("pull"));
    const push = track(zmq.socket("push"));
    let afterClose = 0;
    const first = new Promise<void>((resolve) => {
      pull.on("message", () => {
        if (pull.closed) afterClose++;
        pull.close();
        resolve();
      });
    });
    push.connect(bindTcp(pull));
    for (let i = 0; i < 50; i++) push.send(`m${i}`);
    await within(first);
    await sleep(20);
    expect(afterClose).toBe(0);
  });
});

describe("v5-compat options", () => {
  it("reads and writes by number, short name, long name and property", () => {
    const socket = track(zmq.socket("dealer", { linger: 0, backlog: 30 }));
    expect(socket.getsockopt(zmq.ZMQ_LINGER)).toBe(0);
    expect(socket.getsockopt("backlog")).toBe(30);
    expect(socket.setsockopt("ZMQ_BACKLOG", 40)).toBe(socket);
    expect(socket.backlog).toBe(40);
    socket.reconnect_ivl = 250;
    expect(socket.getsockopt(zmq.ZMQ_RECONNECT_IVL)).toBe(250);
  });

  it("converts booleans to 1/0, ZMQ_IPV4ONLY to ipv6, identities to strings", () => {
    const router = track(zmq.socket("router"));
    expect(router.getsockopt(zmq.ZMQ_IPV6)).toBe(0);
    expect(router.getsockopt(zmq.ZMQ_IPV4ONLY)).toBe(1);
    router.setsockopt(zmq.ZMQ_IPV4ONLY, 0);
    expect(router.getsockopt(zmq.ZMQ_IPV6)).toBe(1);
    router.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1);
    expect(router.getsockopt(zmq.ZMQ_ROUTER_MANDATORY)).toBe(1);
    router.setsockopt(zmq.ZMQ_IDENTITY, Buffer.from("id-1"));
    expect(router.identity).toBe("id-1");
    router.identity = "id-2";
    expect(router.getsockopt("identity")).toBe("id-2");
    expect(router.mechanism).toBe(0);
  });

  it("refuses an identity that is not UTF-8 rather than changing it", () => {
    const dealer = track(zmq.socket("dealer"));
    const error = thrown(() => dealer.setsockopt(zmq.ZMQ_IDENTITY, Buffer.from([0xff, 0xfe])));
    expect(error).toBeInstanceOf(TypeError);
  });

  it("keeps options libzmq takes on every socket type where they have no effect", () => {
    // jp-kernel sets an identity on its PUB socket; libzmq accepts ZMQ_SNDHWM on a PULL.
    const pub = track(zmq.socket("pub"));
    expect(pub.identity).toBeNull();
    pub.identity = "kernel";
    expect(pub.identity).toBe("kernel");
    const pull = track(zmq.socket("pull"));
    expect(pull.getsockopt(zmq.ZMQ_SNDHWM)).toBe(1000);
    pull.setsockopt(zmq.ZMQ_SNDHWM, 5);
    expect(pull.getsockopt(zmq.ZMQ_SNDHWM)).toBe(5);
  });

  it("refuses options of other socket types and unknown ones with EINVAL", () => {
    const dealer = track(zmq.socket("dealer"));
    for (const attempt of [
      () => dealer.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1),
      () => dealer.setsockopt(9999, 1),
      () => dealer.getsockopt("no_such_option"),
      () => dealer.subscribe("topic"),
      () => dealer.getsockopt(zmq.ZMQ_FD),
    ]) {
      expectErrnoSync("EINVAL", attempt);
    }
  });

  it("subscribes through subscribe() and through ZMQ_SUBSCRIBE", async () => {
    const pub = track(zmq.socket("pub"));
    const sub = track(zmq.socket("sub"));
    sub.subscribe("a");
    sub.setsockopt(zmq.ZMQ_SUBSCRIBE, Buffer.from("b"));
    sub.connect(bindTcp(pub));
    const received = nextMessages(sub, 2);
    // The slow joiner: publish until the subscription has arrived.
    const timer = setInterval(() => {
      pub.send("c-skipped");
      pub.send("a1");
      pub.send("b1");
    }, 10);
    try {
      const messages = (await within(received)).map(([frame]) => frame);
      expect(messages.every((body) => body === "a1" || body === "b1")).toBe(true);
    } finally {
      clearInterval(timer);
    }
  });
});

describe("v5-compat bind, monitor, module", () => {
  it("emits 'bind' then calls back, and passes a bind error to the callback", async () => {
    const first = track(zmq.socket("rep"));
    const bound = once(first, "bind");
    const callback = new Promise<unknown[]>((resolve) =>
      first.bind(endpoint("tcp"), (...args) => resolve(args)),
    );
    expect(await within(callback)).toEqual([]);
    const [address] = (await bound) as [string];
    expect(address).toBe("tcp://127.0.0.1:*");

    const second = track(zmq.socket("rep"));
    const [error] = await within(
      new Promise<unknown[]>((resolve) =>
        second.bind(first.last_endpoint!, (...args) => resolve(args)),
      ),
    );
    expect((error as ZmqError).code).toBe("EADDRINUSE");
  });

  it("reports a bind error to 'error' listeners, and to nobody without one (as v5)", async () => {
    const first = track(zmq.socket("rep"));
    const address = bindTcp(first);
    const listened = track(zmq.socket("rep"));
    const emitted = once(listened, "error");
    listened.bind(address);
    const [error] = (await within(emitted)) as [ZmqError];
    expect(error.code).toBe("EADDRINUSE");
    const unheard = track(zmq.socket("rep"));
    unheard.bind(address); // no callback, no listener: must not throw anywhere
    await sleep(20);
  });

  it("emits monitor events under v5's names with the endpoint, until unmonitor()", async () => {
    const rep = track(zmq.socket("rep"));
    rep.monitor(10, 0);
    const listening = once(rep, "listen");
    const address = bindTcp(rep);
    const [, listenAddress] = (await within(listening)) as [unknown, string];
    expect(listenAddress).toBe(address);

    const accepted = once(rep, "accept");
    const req = track(zmq.socket("req"));
    req.connect(address);
    const [, acceptAddress] = (await within(accepted)) as [unknown, string];
    expect(acceptAddress).toBe(address);
    expect(rep.unmonitor()).toBe(rep);
  });

  it("exports v5's module surface", () => {
    expect(zmq.createSocket).toBe(zmq.socket);
    expect(zmq.types.router).toBe(zmq.ZMQ_ROUTER);
    expect(zmq.options.linger).toBe(zmq.ZMQ_LINGER);
    expect(zmq.version).toMatch(/^\d+\.\d+\.\d+$/);
    const keys = zmq.curveKeypair();
    expect(keys.public).toHaveLength(40);
    expect(keys.secret).toHaveLength(40);
    expect(() => new (zmq.Context as unknown as new () => unknown)()).toThrow(/one context/);
    const xsub = track(zmq.socket("xsub"));
    const xpub = track(zmq.socket("xpub"));
    expect(() => zmq.proxy(xsub, xpub)).toThrow("wrong socket order to proxy");
  });
});
