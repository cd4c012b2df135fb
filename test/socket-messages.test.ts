// What a message is on the wire: every MessageLike input arrives byte-exact, multipart messages
// arrive whole, bad inputs are refused before anything is sent, and the receive side (promise,
// async iteration, try*, batches, options) hands over exactly what was sent, in order.
import { describe, expect, it } from "vitest";

import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Router,
  Subscriber,
  ZmqError,
  type MessageLike,
} from "../src/index";
import { bindFresh, transports } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";
import { rejection } from "./helpers/errors";

// --- helpers ----------------------------------------------------------------------------------

/** The bytes of a view as they are in memory. */
const bytesOf = (view: ArrayBufferView) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength);

/** A connected PUSH → PULL pair over `transport`. */
async function pipeline(transport: (typeof transports)[number]) {
  const pull = track(new Pull({ linger: 0 }));
  const push = track(new Push({ linger: 0 }));
  push.connect(await bindFresh(pull, transport));
  return { push, pull };
}

// Every input type, with the bytes it must arrive as. Factories, so each test gets fresh data.
const inputs: Array<[string, () => MessageLike, Buffer]> = [
  [
    "Buffer",
    () => Buffer.from([0, 1, 2, 0x7f, 0x80, 0xff]),
    Buffer.from([0, 1, 2, 0x7f, 0x80, 0xff]),
  ],
  [
    "Buffer sharing the allocation pool (non-zero byteOffset)",
    () => Buffer.from("pooled buffer slice").subarray(7, 13),
    Buffer.from("buffer"),
  ],
  ["Uint8Array", () => new Uint8Array([9, 8, 7, 0, 255]), Buffer.from([9, 8, 7, 0, 255])],
  ["Int8Array", () => new Int8Array([-1, -128, 127, 0]), Buffer.from([0xff, 0x80, 0x7f, 0x00])],
  ["Uint8ClampedArray", () => new Uint8ClampedArray([0, 128, 255]), Buffer.from([0, 128, 255])],
  [
    "Uint16Array (bytes as in memory)",
    () => new Uint16Array([0x0102, 0xfffe, 0]),
    bytesOf(new Uint16Array([0x0102, 0xfffe, 0])),
  ],
  ["Int32Array", () => new Int32Array([-2, 0x01020304]), bytesOf(new Int32Array([-2, 0x01020304]))],
  ["Float32Array", () => new Float32Array([1.5, -0]), bytesOf(new Float32Array([1.5, -0]))],
  [
    "Float64Array (bytes as in memory)",
    () => new Float64Array([Math.PI, -0, Number.NaN, Infinity]),
    bytesOf(new Float64Array([Math.PI, -0, Number.NaN, Infinity])),
  ],
  [
    "BigUint64Array",
    () => new BigUint64Array([1n, 2n ** 64n - 1n]),
    bytesOf(new BigUint64Array([1n, 2n ** 64n - 1n])),
  ],
  [
    "Uint8Array view at an offset into a larger buffer",
    () => new Uint8Array(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer, 3, 4),
    Buffer.from([3, 4, 5, 6]),
  ],
  [
    "Uint16Array subarray (offset view of a wider type)",
    () => new Uint16Array([0x1111, 0x2222, 0x3333, 0x4444]).subarray(1, 3),
    bytesOf(new Uint16Array([0x2222, 0x3333])),
  ],
  [
    "DataView at an offset",
    () => new DataView(Uint8Array.from([10, 11, 12, 13, 14, 15, 16]).buffer, 2, 3),
    Buffer.from([12, 13, 14]),
  ],
  ["ArrayBuffer", () => Uint8Array.from([5, 4, 3, 2, 1]).buffer, Buffer.from([5, 4, 3, 2, 1])],
  [
    "SharedArrayBuffer",
    () => {
      const shared = new SharedArrayBuffer(4);
      new Uint8Array(shared).set([0xde, 0xad, 0xbe, 0xef]);
      return shared;
    },
    Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  ],
  [
    "Uint8Array over a SharedArrayBuffer",
    () => {
      const shared = new SharedArrayBuffer(6);
      new Uint8Array(shared).set([1, 2, 3, 4, 5, 6]);
      return new Uint8Array(shared, 1, 3);
    },
    Buffer.from([2, 3, 4]),
  ],
  ["ASCII string", () => "hello", Buffer.from("hello")],
  [
    "non-ASCII string (UTF-8)",
    () => "héllo wörld — ✓ 日本 😀",
    // h é(c3 a9) llo w ö(c3 b6) rld space —(e2 80 94) space ✓(e2 9c 93) space 日本(e6 97 a5 e6 9c ac) space 😀(f0 9f 98 80)
    Buffer.from("68c3a96c6c6f2077c3b6726c6420e2809420e29c9320e697a5e69cac20f09f9880", "hex"),
  ],
  ["string with a NUL inside", () => "a\u0000b", Buffer.from([0x61, 0, 0x62])],
  ["string longer than 256 bytes", () => "é".repeat(300), Buffer.from("é".repeat(300))],
  ["empty string", () => "", Buffer.alloc(0)],
  ["integer", () => 42, Buffer.from("42")],
  ["negative fraction", () => -1.5, Buffer.from("-1.5")],
  ["zero", () => 0, Buffer.from("0")],
  ["float with a long decimal form", () => 0.1 + 0.2, Buffer.from("0.30000000000000004")],
  ["large number", () => 1e21, Buffer.from("1e+21")],
  ["null (an empty frame)", () => null, Buffer.alloc(0)],
];

// --- byte-exact input types -------------------------------------------------------------------

describe.each(transports)("message input types over %s", (transport) => {
  it.each(inputs)("%s arrives byte-exact", async (_name, make, expected) => {
    const { push, pull } = await pipeline(transport);
    await push.send(make());
    const message = await within(pull.receive());
    expect(message).toHaveLength(1);
    expect(Buffer.isBuffer(message[0])).toBe(true);
    expect(message[0]).toEqual(expected);
  });

  it("sends every input type as the frames of one multipart message", async () => {
    const { push, pull } = await pipeline(transport);
    await push.send(inputs.map(([, make]) => make()));
    const message = await within(pull.receive());
    expect(message).toEqual(inputs.map(([, , expected]) => expected));
  });

  it("trySend accepts the same input types", async () => {
    const { push, pull } = await pipeline(transport);
    // The PUSH has a pipe as soon as it connected; trySend may still meet a full pipe only at HWM.
    for (const [, make] of inputs) expect(push.trySend(make())).toBe(true);
    for (const [name, , expected] of inputs) {
      const [frame] = await within(pull.receive(), 5000, name);
      expect(frame, name).toEqual(expected);
    }
  });
});

// --- frames and multipart messages -------------------------------------------------------------

describe.each(transports)("frames over %s", (transport) => {
  it("receive() resolves an array of Buffers", async () => {
    const { push, pull } = await pipeline(transport);
    await push.send("one");
    await push.send(["two", "frames"]);
    for (const expected of [["one"], ["two", "frames"]]) {
      const message = await within(pull.receive());
      expect(Array.isArray(message)).toBe(true);
      for (const frame of message) expect(frame).toBeInstanceOf(Buffer);
      expect(message.map(String)).toEqual(expected);
    }
  });

  it("delivers multipart messages as the same frames, whole and never interleaved", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, transport);
    const pushers = [track(new Push({ linger: 0 })), track(new Push({ linger: 0 }))];
    for (const push of pushers) push.connect(address);

    const perPusher = 50;
    await Promise.all(
      pushers.map(async (push, p) => {
        for (let i = 0; i < perPusher; i++) {
          await push.send([`p${p}`, `${i}`, Buffer.alloc(i % 7, p), null, `end ${p}.${i}`]);
        }
      }),
    );
    const next = [0, 0];
    for (let n = 0; n < 2 * perPusher; n++) {
      const message = await within(pull.receive());
      expect(message).toHaveLength(5);
      const p = Number(message[0].toString().slice(1));
      const i = next[p]++;
      expect(message).toEqual([
        Buffer.from(`p${p}`),
        Buffer.from(`${i}`),
        Buffer.alloc(i % 7, p),
        Buffer.alloc(0),
        Buffer.from(`end ${p}.${i}`),
      ]);
    }
    expect(next).toEqual([perPusher, perPusher]);
  });

  it("a multipart message is never seen half-arrived by tryReceive", async () => {
    const { push, pull } = await pipeline(transport);
    const frames = Array.from({ length: 64 }, (_, i) => Buffer.alloc(4096, i));
    await push.send(frames);
    let message: Buffer[] | null = null;
    const deadline = Date.now() + 5000;
    while (message === null && Date.now() < deadline) {
      message = pull.tryReceive();
      if (message === null) await sleep(1);
    }
    // (compared as base64: deep equality of large Buffers is slow)
    expect(message?.map((f) => f.toString("base64"))).toEqual(
      frames.map((f) => f.toString("base64")),
    );
  });

  it("carries empty frames: alone, as null, and inside multipart messages", async () => {
    const { push, pull } = await pipeline(transport);
    await push.send("");
    await push.send(null);
    await push.send(Buffer.alloc(0));
    await push.send(new Uint8Array(0));
    await push.send(["", ""]);
    await push.send([null, "x", null]);
    const empty = Buffer.alloc(0);
    expect(await within(pull.receive())).toEqual([empty]);
    expect(await within(pull.receive())).toEqual([empty]);
    expect(await within(pull.receive())).toEqual([empty]);
    expect(await within(pull.receive())).toEqual([empty]);
    expect(await within(pull.receive())).toEqual([empty, empty]);
    expect(await within(pull.receive())).toEqual([empty, Buffer.from("x"), empty]);
  });

  it("carries a 10 MB message intact", async () => {
    const { push, pull } = await pipeline(transport);
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i ^ 0x9e3779b9) >>> 0, i);
    await push.send(["head", big, "tail"]);
    const [head, body, tail] = await within(pull.receive(), 10_000, "the 10 MB message");
    expect(head.toString()).toBe("head");
    expect(tail.toString()).toBe("tail");
    expect(body.length).toBe(big.length);
    expect(body.equals(big)).toBe(true);
  });

  it("copies a frame when sending: changing the source afterwards does not change what arrives", async () => {
    const { push, pull } = await pipeline(transport);
    const source = Buffer.from("original");
    await push.send(source);
    source.fill(0x21);
    expect((await within(pull.receive()))[0].toString()).toBe("original");
  });

  it("keeps messages in order across many sends", async () => {
    const { push, pull } = await pipeline(transport);
    const count = 1000;
    for (let i = 0; i < count; i++) await push.send(String(i));
    for (let i = 0; i < count; i++)
      expect((await within(pull.receive()))[0].toString()).toBe(String(i));
  });
});

// --- bad inputs -------------------------------------------------------------------------------

const badInputs: Array<[string, unknown]> = [
  ["undefined", undefined],
  ["a symbol", Symbol("frame")],
  ["an array containing undefined", ["good", undefined]],
  ["an array containing a symbol", [Symbol("frame"), "good"]],
];

// Values without a byte form are sent as String(value), as zeromq v6 does.
const stringFormInputs: Array<[string, unknown, string[]]> = [
  ["a boolean", true, ["true"]],
  ["false", false, ["false"]],
  ["a plain object", { length: 3 }, ["[object Object]"]],
  ["a function", () => "frame", ['() => "frame"']],
  ["a bigint", 12n, ["12"]],
  ["an array containing a boolean", ["good", true, "frames"], ["good", "true", "frames"]],
  ["an array containing an object", [{}, "good"], ["[object Object]", "good"]],
];

describe.each(transports)("received frames belong to their receiver over %s", (transport) => {
  // Over inproc, libzmq hands every subscriber the same message buffer (reference-counted):
  // a received frame must still be the receiver's own bytes, as it is over tcp and ipc.
  it.each([16 * 1024, 1 << 20])(
    "a subscriber writing into a received %s-byte frame does not change another's",
    async (size) => {
      const pub = track(new Publisher({ linger: 0 }));
      const address = await bindFresh(pub, transport);
      const subscribers = [0, 1].map(() => {
        const sub = track(new Subscriber({ linger: 0 }));
        sub.subscribe();
        sub.connect(address);
        return sub;
      });
      // Subscriptions arrive asynchronously: publish probes until both have seen one.
      const seen = new Set<Subscriber>();
      while (seen.size < subscribers.length) {
        await pub.send("probe");
        await sleep(10);
        for (const sub of subscribers) if (sub.tryReceive() !== null) seen.add(sub);
      }
      await pub.send(Buffer.alloc(size, 0x61));
      const data = async (sub: Subscriber) => {
        for (;;) {
          const [frame] = await within(sub.receive());
          if (frame.length === size) return frame;
        }
      };
      const first = await data(subscribers[0]);
      first.fill(0x7a);
      const second = await data(subscribers[1]);
      expect(second.equals(Buffer.alloc(size, 0x61))).toBe(true);
    },
  );
});

describe.each(transports)("bad message inputs over %s", (transport) => {
  it.each(badInputs)(
    "send(%s) throws ERR_INVALID_ARG_TYPE and sends nothing",
    async (_name, bad) => {
      const { push, pull } = await pipeline(transport);
      const error = await rejection(() => push.send(bad as MessageLike));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: "ERR_INVALID_ARG_TYPE" });

      // Nothing arrives…
      await sleep(30);
      expect(pull.tryReceive()).toBeNull();
      // …and the socket still works: the next message is the next one received.
      await push.send("after");
      expect((await within(pull.receive())).map(String)).toEqual(["after"]);
      expect(pull.tryReceive()).toBeNull();
    },
  );

  it.each(badInputs)(
    "trySend(%s) throws ERR_INVALID_ARG_TYPE and sends nothing",
    async (_name, bad) => {
      const { push, pull } = await pipeline(transport);
      const error = await rejection(() => push.trySend(bad as MessageLike));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: "ERR_INVALID_ARG_TYPE" });
      await push.send("after");
      expect((await within(pull.receive())).map(String)).toEqual(["after"]);
      expect(pull.tryReceive()).toBeNull();
    },
  );

  it.each(stringFormInputs)("send(%s) sends its string form", async (_name, value, expected) => {
    const { push, pull } = await pipeline(transport);
    await push.send(value as MessageLike);
    expect(push.trySend(value as MessageLike)).toBe(true);
    for (let i = 0; i < 2; i++) {
      expect((await within(pull.receive())).map(String)).toEqual(expected);
    }
  });

  it("send([]) throws a TypeError and sends nothing", async () => {
    const { push, pull } = await pipeline(transport);
    const error = await rejection(() => push.send([]));
    expect(error).toBeInstanceOf(TypeError);
    await push.send("after");
    expect((await within(pull.receive())).map(String)).toEqual(["after"]);
  });
});

// --- trySend / tryReceive ---------------------------------------------------------------------

describe.each(transports)("trySend/tryReceive over %s", (transport) => {
  it("tryReceive returns null when nothing is waiting, the message once it arrived", async () => {
    const { push, pull } = await pipeline(transport);
    expect(pull.tryReceive()).toBeNull();
    expect(push.trySend(["x", "y"])).toBe(true);
    let message: Buffer[] | null = null;
    const deadline = Date.now() + 5000;
    while (message === null && Date.now() < deadline) {
      message = pull.tryReceive();
      if (message === null) await sleep(1);
    }
    expect(message?.map(String)).toEqual(["x", "y"]);
    expect(pull.tryReceive()).toBeNull();
  });

  it("trySend returns false on a PUSH with no peer and queues nothing", async () => {
    const push = track(new Push({ linger: 0 }));
    expect(push.trySend("nobody there")).toBe(false);
    expect(push.writable).toBe(false);

    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, transport));
    await push.send("sent after connecting");
    // The message trySend refused was not queued: only the later one arrives.
    expect((await within(pull.receive())).map(String)).toEqual(["sent after connecting"]);
    await sleep(20);
    expect(pull.tryReceive()).toBeNull();
  });

  it("a send() waiting for a peer completes once the socket connects to a bound peer", async () => {
    const push = track(new Push({ linger: 0 }));
    const pending = push.send("delivered later");
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, transport);
    push.connect(address);
    await within(pending, 2000, "the waiting send");
    expect((await within(pull.receive())).map(String)).toEqual(["delivered later"]);
  });

  it("a send() waiting for a peer completes once a peer connects to the bound socket", async () => {
    const push = track(new Push({ linger: 0 }));
    const address = await bindFresh(push, transport);
    const pending = push.send("delivered later");
    const pull = track(new Pull({ linger: 0 }));
    pull.connect(address);
    await within(pending, 2000, "the waiting send");
    expect((await within(pull.receive())).map(String)).toEqual(["delivered later"]);
  });

  it("trySend returns false at the high water mark; everything it accepted arrives", async () => {
    const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 1, receiveBufferSize: 4096 }));
    const push = track(new Push({ linger: 0, sendHighWaterMark: 1, sendBufferSize: 4096 }));
    push.connect(await bindFresh(pull, transport));

    const frame = Buffer.alloc(16 * 1024, 7);
    let accepted = 0;
    // Fill the pipe (bounded): the kernel buffers of tcp/ipc hold some messages too.
    for (let attempt = 0; attempt < 5000; attempt++) {
      if (push.trySend(frame)) accepted++;
      else if (accepted > 0) break;
      else await sleep(1); // not connected yet
    }
    expect(accepted).toBeGreaterThan(0);
    expect(push.trySend(frame)).toBe(false);

    for (let i = 0; i < accepted; i++) {
      const message = await within(pull.receive());
      expect(message).toHaveLength(1);
      expect(message[0].equals(frame)).toBe(true);
    }
    await sleep(20);
    expect(pull.tryReceive()).toBeNull();
  });

  it("tryReceive takes messages in order, one per call", async () => {
    const { push, pull } = await pipeline(transport);
    for (let i = 0; i < 20; i++) await push.send(`m${i}`);
    const got: string[] = [];
    const deadline = Date.now() + 5000;
    while (got.length < 20 && Date.now() < deadline) {
      const message = pull.tryReceive();
      if (message === null) await sleep(1);
      else got.push(message[0].toString());
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});

// --- batches ----------------------------------------------------------------------------------

describe.each(transports)("sendBatch/receiveBatch over %s", (transport) => {
  it("sendBatch delivers every message in order, multipart ones whole", async () => {
    const { push, pull } = await pipeline(transport);
    const messages: (string | null)[][] = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? [`b${i}`, "second", null] : [`b${i}`],
    );
    await within(push.sendBatch(messages), 5000, "sendBatch");
    for (const expected of messages) {
      const message = await within(pull.receive());
      expect(message.map(String)).toEqual(
        expected.map((frame) => (frame === null ? "" : String(frame))),
      );
    }
  });

  it("sendBatch takes single-frame messages as well as arrays", async () => {
    const { push, pull } = await pipeline(transport);
    await push.sendBatch(["a", Buffer.from("b"), 3, ["d", "e"]]);
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await within(pull.receive())).map(String));
    expect(got).toEqual([["a"], ["b"], ["3"], ["d", "e"]]);
  });

  it("sendBatch waits at the high water mark and still delivers everything in order", async () => {
    const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 2, receiveBufferSize: 4096 }));
    const push = track(new Push({ linger: 0, sendHighWaterMark: 2, sendBufferSize: 4096 }));
    push.connect(await bindFresh(pull, transport));
    const count = 300;
    const payload = Buffer.alloc(8 * 1024, 1);
    const sent = push.sendBatch(Array.from({ length: count }, (_, i) => [String(i), payload]));
    for (let i = 0; i < count; i++) {
      const [index, body] = await within(pull.receive(), 5000, `batch message ${i}`);
      expect(index.toString()).toBe(String(i));
      expect(body.length).toBe(payload.length);
    }
    await within(sent, 5000, "sendBatch");
  });

  it("receiveBatch returns at least one and at most max messages, in order", async () => {
    const { push, pull } = await pipeline(transport);
    const count = 200;
    await push.sendBatch(Array.from({ length: count }, (_, i) => [`r${i}`, `${i}`]));
    const got: string[] = [];
    let batches = 0;
    while (got.length < count) {
      const batch = await within(pull.receiveBatch(16));
      batches++;
      expect(batch.length).toBeGreaterThanOrEqual(1);
      expect(batch.length).toBeLessThanOrEqual(16);
      for (const message of batch) {
        expect(message).toHaveLength(2);
        got.push(message[0].toString());
      }
    }
    expect(got).toEqual(Array.from({ length: count }, (_, i) => `r${i}`));
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(count / 16));
  });

  it("receiveBatch waits for the first message", async () => {
    const { push, pull } = await pipeline(transport);
    const batch = pull.receiveBatch();
    await sleep(10);
    await push.send("late");
    expect((await within(batch)).map((m) => m.map(String))).toEqual([["late"]]);
  });
});

// --- async iteration --------------------------------------------------------------------------

describe.each(transports)("async iteration over %s", (transport) => {
  it("receives in order and the loop ends when the socket is closed", async () => {
    const { push, pull } = await pipeline(transport);
    const got: string[] = [];
    let reachedFive = () => {};
    const five = new Promise<void>((resolve) => (reachedFive = resolve));
    const loop = (async () => {
      for await (const [frame] of pull) {
        got.push(frame.toString());
        if (got.length === 5) reachedFive();
      }
      return "ended";
    })();

    for (let i = 0; i < 5; i++) await push.send(`it${i}`);
    await within(five, 5000, "five messages");
    pull.close();
    expect(await within(loop, 5000, "the for-await loop ending")).toBe("ended");
    expect(got).toEqual(["it0", "it1", "it2", "it3", "it4"]);
  });

  it("ends a loop that is waiting with nothing received", async () => {
    const { pull } = await pipeline(transport);
    const loop = (async () => {
      let count = 0;
      for await (const _ of pull) count++;
      return count;
    })();
    await sleep(10);
    pull.close();
    expect(await within(loop, 5000, "the idle loop ending")).toBe(0);
  });

  it("break leaves the socket open and the remaining messages receivable", async () => {
    const { push, pull } = await pipeline(transport);
    for (let i = 0; i < 3; i++) await push.send(`k${i}`);
    for await (const [frame] of pull) {
      expect(frame.toString()).toBe("k0");
      break;
    }
    expect(pull.closed).toBe(false);
    expect((await within(pull.receive())).map(String)).toEqual(["k1"]);
    expect((await within(pull.receive())).map(String)).toEqual(["k2"]);
  });
});

// --- receive options, closing and disposal -----------------------------------------------------

describe.each(transports)("receive and send lifecycle over %s", (transport) => {
  it("serves concurrent receive() calls in the order they were made", async () => {
    const { push, pull } = await pipeline(transport);
    const pending = [pull.receive(), pull.receive(), pull.receive()];
    await push.send("first");
    await push.send("second");
    await push.send("third");
    const got = await within(Promise.all(pending));
    expect(got.map((m) => m[0].toString())).toEqual(["first", "second", "third"]);
  });

  it("an aborted receive rejects with the signal's reason and loses no message", async () => {
    const { push, pull } = await pipeline(transport);
    const controller = new AbortController();
    const reason = new Error("stop waiting");
    const aborted = pull.receive({ signal: controller.signal });
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);

    await push.send("kept");
    expect((await within(pull.receive())).map(String)).toEqual(["kept"]);
  });

  it("a receive with an already-aborted signal rejects at once", async () => {
    const { pull } = await pipeline(transport);
    const error = await rejection(() => pull.receive({ signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
  });

  it("receiveTimeout rejects a receive with EAGAIN", async () => {
    const pull = track(new Pull({ linger: 0, receiveTimeout: 30 }));
    await bindFresh(pull, transport);
    const started = Date.now();
    const error = await rejection(() => pull.receive());
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EAGAIN" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("close() rejects a pending receive with EAGAIN, later ones with EBADF", async () => {
    const { pull } = await pipeline(transport);
    const pending = pull.receive();
    pull.close();
    await expect(pending).rejects.toMatchObject({ code: "EAGAIN" });
    // Thrown at once, as in zeromq v6.
    expect(() => pull.receive()).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(pull.closed).toBe(true);
  });

  it("Symbol.dispose closes the socket", async () => {
    const { push } = await pipeline(transport);
    push[Symbol.dispose]();
    expect(push.closed).toBe(true);
    const error = await rejection(() => push.send("x"));
    expect(error).toMatchObject({ code: "EBADF" });
  });
});

// --- other socket types carry the same frames ---------------------------------------------------

describe.each(transports)("frames through ROUTER/DEALER and PAIR over %s", (transport) => {
  it("a ROUTER sees the dealer's frames after the routing id, byte-exact", async () => {
    const router = track(new Router({ linger: 0 }));
    const dealer = track(new Dealer({ linger: 0, routingId: "d" }));
    dealer.connect(await bindFresh(router, transport));
    await dealer.send(inputs.map(([, make]) => make()));
    const [id, ...frames] = await within(router.receive());
    expect(id.toString()).toBe("d");
    expect(frames).toEqual(inputs.map(([, , expected]) => expected));
  });

  it("PAIR carries every input type both ways", async () => {
    const a = track(new Pair({ linger: 0 }));
    const b = track(new Pair({ linger: 0 }));
    b.connect(await bindFresh(a, transport));
    for (const [name, make, expected] of inputs) {
      await a.send(make());
      expect(await within(b.receive(), 5000, name), name).toEqual([expected]);
      await b.send(make());
      expect(await within(a.receive(), 5000, name), name).toEqual([expected]);
    }
  });
});
