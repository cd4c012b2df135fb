// Behaviours of the `zeromq` v6 API that programs rely on, each found broken by running
// zeromq.js's own test suite or real programs against zmq-napi (issue 15, items 1–8).
import { describe, expect, it } from "vitest";

import { Dealer, Observer, Pair, Proxy, Pull, Push, Router, Subscriber } from "../src/index";
import { Dish, Radio } from "../src/draft";
import { bindFresh, endpoint } from "./helpers/endpoints";
import { track, within } from "./helpers/lifecycle";

describe("RADIO/DISH groups are bytes, never decoded", () => {
  it("a Buffer group that is not UTF-8 reaches only the DISH that joined exactly those bytes", async () => {
    const radio = track(new Radio({ linger: 0 }));
    const dish = track(new Dish({ linger: 0, receiveTimeout: 5000 }));
    dish.connect(await bindFresh(radio, "inproc"));
    const joined = Buffer.from([0xf6, 0x46, 0x1f, 0x03]);
    const other = Buffer.from([0xf7, 0x46, 0x1f, 0x03]); // the same after a lossy UTF-8 decode
    dish.join(joined);
    // Joins travel asynchronously: probe until one arrives, then send the real messages.
    for (;;) {
      await radio.send("probe", { group: joined });
      const probe = dish.tryReceive() ?? (await within(dish.receive(), 5000, "a probe"));
      if (probe[0].toString() === "probe") break;
    }
    while (dish.tryReceive() !== null);
    await radio.send("not for us", { group: other });
    await radio.send("for us", { group: joined });
    const [data, { group }] = await within(dish.receive(), 5000, "the message");
    expect(data.toString()).toBe("for us");
    expect(group.toString("hex")).toBe("f6461f03");
  });
});

describe("string options take Buffers", () => {
  it("a binary routing id (leading 0x00, bytes above 0x7f) reaches the ROUTER byte for byte", async () => {
    const router = track(new Router({ linger: 0 }));
    const address = await bindFresh(router, "inproc");
    const id = Buffer.from([0, 255, 16, 128]);
    const dealer = track(new Dealer({ routingId: id, linger: 0 }));
    dealer.connect(address);
    await dealer.send("hello");
    const [from, message] = await within(router.receive(), 5000, "receive");
    expect(from.equals(id)).toBe(true);
    expect(message.toString()).toBe("hello");
  });

  it("plainUsername, plainPassword and zapDomain accept Buffers too", () => {
    const dealer = track(
      new Dealer({
        plainUsername: Buffer.from("user"),
        plainPassword: Buffer.from("secret"),
        zapDomain: Buffer.from("global"),
      }),
    );
    expect(dealer.plainUsername).toBe("user");
    expect(dealer.zapDomain).toBe("global");
  });
});

describe("send() of values without a byte form sends String(value), as v6 does", () => {
  it("booleans, objects, bigints and dates arrive as their string form", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const push = track(new Push({ linger: 0 }));
    push.connect(await bindFresh(pull, "inproc"));
    const date = new Date(0);
    const values: unknown[] = [true, {}, 12n, date, [false, 7n]];
    for (const value of values) await push.send(value as never);
    const received: string[][] = [];
    for (let i = 0; i < values.length; i++) {
      received.push((await within(pull.receive(), 5000, "receive")).map(String));
    }
    expect(received).toEqual([
      ["true"],
      ["[object Object]"],
      ["12"],
      [String(date)],
      ["false", "7"],
    ]);
  });

  it("undefined and symbols are still refused with a TypeError", () => {
    const push = track(new Push({ linger: 0 }));
    expect(() => push.send(undefined as never)).toThrow(TypeError);
    expect(() => push.send(Symbol("s") as never)).toThrow(TypeError);
    expect(() => push.send(["ok", undefined] as never)).toThrow(TypeError);
  });
});

describe("a bind in progress", () => {
  it("completes when the socket is closed meanwhile: the promise resolves", async () => {
    const pull = new Pull({ linger: 0 });
    const binding = pull.bind(endpoint("tcp"));
    pull.close();
    await expect(within(binding, 5000, "bind")).resolves.toBeUndefined();
    expect(pull.closed).toBe(true);
  });

  it("leaves options, subscriptions and events usable (v6 refuses only endpoints and I/O)", async () => {
    const subscriber = track(new Subscriber({ linger: 0 }));
    const binding = subscriber.bind("tcp://localhost:*");
    subscriber.receiveHighWaterMark = 5;
    expect(subscriber.receiveHighWaterMark).toBe(5);
    subscriber.subscribe("topic");
    expect(subscriber.events).toBeInstanceOf(Observer);
    expect(() => subscriber.connect("tcp://127.0.0.1:1")).toThrow(
      expect.objectContaining({ code: "EBUSY" }),
    );
    await within(binding, 5000, "bind");
    expect(subscriber.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("a proxy needs endpoints", () => {
  it("run() of a proxy whose front end has no endpoint rejects EINVAL instead of never settling", async () => {
    const back = track(new Dealer({ linger: 0 }));
    await bindFresh(back, "inproc");
    const result = await within(
      new Proxy(track(new Router({ linger: 0 })), back).run().catch((e: unknown) => e),
      5000,
      "run()",
    );
    expect(result).toMatchObject({ code: "EINVAL" });
  });
});

describe("an observer after its end event", () => {
  it("is closed at once, and a further receive() rejects EBADF", async () => {
    const socket = new Pair({ linger: 0 });
    const events = socket.events;
    socket.close();
    let event = await within(events.receive(), 5000, "an event");
    while (event.type !== "end") event = await within(events.receive(), 5000, "an event");
    expect(events.closed).toBe(true);
    await expect(events.receive()).rejects.toMatchObject({ code: "EBADF" });
  });
});

describe("operations on a closed socket", () => {
  it("send() throws EBADF synchronously: a fire-and-forget send after close is no rejection", () => {
    const push = new Push();
    push.close();
    expect(() => push.send("late log line")).toThrow(expect.objectContaining({ code: "EBADF" }));
  });
});

describe("options by libzmq id, for subclasses (v6's protected accessors)", () => {
  class Raw extends Dealer {
    readRoutingIdBytes(): string | null {
      return this.getStringOption(5); // ZMQ_ROUTING_ID
    }
    writeRoutingIdBytes(value: Buffer | string | null): void {
      this.setStringOption(5, value);
    }
    readImmediate(): boolean {
      return this.getBoolOption(39); // ZMQ_IMMEDIATE
    }
    writeImmediate(value: boolean): void {
      this.setBoolOption(39, value);
    }
    readMaxMessageSize(): number {
      return this.getInt64Option(22); // ZMQ_MAXMSGSIZE
    }
    writeMaxMessageSize(value: number): void {
      this.setInt64Option(22, value);
    }
    readAffinity(): number {
      return this.getUint64Option(4); // ZMQ_AFFINITY
    }
    writeAffinity(value: number): void {
      this.setUint64Option(4, value);
    }
  }

  it("read and write the same libzmq options as the named properties", async () => {
    const socket = track(new Raw({ linger: 0 }));
    expect(socket.readRoutingIdBytes()).toBeNull();
    socket.writeRoutingIdBytes(Buffer.from("åbç"));
    expect(socket.readRoutingIdBytes()).toBe("åbç");
    expect(socket.routingId).toBe("åbç");
    expect(socket.readImmediate()).toBe(false);
    socket.writeImmediate(true);
    expect(socket.immediate).toBe(true);
    expect(socket.readMaxMessageSize()).toBe(-1);
    socket.writeMaxMessageSize(0xffffffffffff);
    expect(socket.maxMessageSize).toBe(0xffffffffffff);
    // 0xffffffffffffffff is 2^64 as a double: every bit set, read back as the nearest number.
    // eslint-disable-next-line no-loss-of-precision -- what a program writes for every bit set
    socket.writeAffinity(0xffffffffffffffff);
    const warned = new Promise<Error>((resolve) => process.once("warning", resolve));
    expect(socket.readAffinity()).toBe(2 ** 64);
    // Above Number.MAX_SAFE_INTEGER, as v6 does.
    expect((await within(warned, 5000, "the warning")).message).toMatch(/MAX_SAFE_INTEGER/);
    expect(socket.affinity).toBe(2 ** 64);
  });

  it("a subclass takes its base class's options in the constructor and may add fields", () => {
    class Named extends Push {
      label = "mine";
    }
    const socket = track(new Named({ linger: 0, sendHighWaterMark: 7 }));
    expect(socket.sendHighWaterMark).toBe(7);
    expect(socket.label).toBe("mine");
  });
});

describe("zmq-napi's own socket classes are sealed, as in v6", () => {
  it("a misspelt option assignment throws instead of being ignored", () => {
    const socket = track(new Dealer());
    expect(() => {
      (socket as unknown as Record<string, unknown>).lnger = 0;
    }).toThrow(TypeError);
    expect(Object.isSealed(socket)).toBe(true);
  });
});

describe("setting an option that only takes effect at the next bind or connect", () => {
  async function warningsOf(action: () => Promise<void> | void): Promise<string[]> {
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.message);
    process.on("warning", listener);
    try {
      await action();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listener);
    }
    return warnings;
  }
  const late = "Socket option will not take effect until next connect/bind.";

  it("warns after connect and during a bind, not before, and not for immediate options", async () => {
    expect(
      await warningsOf(() => {
        const socket = track(new Dealer({ linger: 0 }));
        socket.routingId = "early";
        socket.connect("inproc://warned-after-connect");
        socket.linger = 10; // takes effect at once
        socket.routingId = "late";
      }),
    ).toEqual([late]);
    expect(
      await warningsOf(async () => {
        const socket = track(new Dealer({ linger: 0 }));
        const binding = socket.bind(endpoint("tcp"));
        socket.routingId = "while binding";
        await binding;
      }),
    ).toEqual([late]);
  });
});
