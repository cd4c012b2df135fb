// ZeroCopyFrame over real sockets: its bytes arrive intact on every transport and in multipart
// mixes; nothing JavaScript does after the send (writing, detaching, transferring) can change
// what the peer receives, even while the message waits in libzmq's queue; frames that are not
// sendable are refused with a TypeError and nothing sent; `released` settles when libzmq frees
// the bytes; worker exit with frames in flight and garbage collection of unsent frames
// (test/fixtures/zero-copy-lifetimes.cjs in child processes). Deno and Bun:
// zero-copy-runtimes.test.ts.
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { MessageChannel } from "node:worker_threads";
import { describe, expect, expectTypeOf, it } from "vitest";

import { Publisher, Pull, Push, ZeroCopyFrame, type MessageLike } from "../src/index";
import { nativeSocketOf } from "../src/socket";
import { zeroCopyHandleOf } from "../src/zero-copy";
import { lastJson, runFixture } from "./fixtures/reliability-helpers";
import { bindFresh, endpoint, transports, type Transport } from "./helpers/endpoints";
import { expectArgumentError, rejection, thrown } from "./helpers/errors";
import { sleep, track, within } from "./helpers/lifecycle";
import { freePort } from "./helpers/ports";

/** A connected PUSH → PULL pair over `transport`. */
async function pipeline(transport: Transport) {
  const pull = track(new Pull({ linger: 0 }));
  const push = track(new Push({ linger: 0 }));
  push.connect(await bindFresh(pull, transport));
  return { push, pull };
}

/** `size` bytes of a recognisable pattern that starts at `seed`. */
function pattern(size: number, seed = 0): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}
/** A frame holding pattern(size, seed). */
function patterned(size: number, seed = 0): ZeroCopyFrame {
  const frame = ZeroCopyFrame.allocUnsafe(size);
  pattern(size, seed).copy(frame.buffer);
  return frame;
}

/**
 * ArrayBuffer.prototype.transfer: detaches its receiver and moves the bytes to a new
 * ArrayBuffer in the same thread. Standard from Node 22 (V8 11.4); Node 20 has it behind a V8
 * flag, which a new context picks up.
 */
const transferArrayBuffer: (buffer: ArrayBufferLike) => ArrayBuffer = (() => {
  const builtin = (ArrayBuffer.prototype as { transfer?: () => ArrayBuffer }).transfer;
  if (builtin) return (buffer) => builtin.call(buffer);
  v8.setFlagsFromString("--harmony-rab-gsab-transfer");
  const inContext = vm.runInNewContext("ArrayBuffer.prototype.transfer") as () => ArrayBuffer;
  return (buffer) => inContext.call(buffer);
})();

// For frames whose bytes the receiving side holds (inproc): collections let it go of them.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;
async function releasedAfterCollections(frame: ZeroCopyFrame): Promise<void> {
  let done = false;
  const released = frame.released.then(() => (done = true));
  while (!done) {
    collectGarbage();
    await sleep(10);
  }
  await released;
}

/**
 * Collects garbage until `target` is gone: a test that claims a queued frame outlives its
 * ZeroCopyFrame object must see that object really collected.
 */
async function collectedAway(target: WeakRef<object>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    collectGarbage();
    await sleep(10);
    if (target.deref() === undefined) return;
    // deref() keeps its target until the job ends: collect in the next one.
    await sleep(1);
  }
  expect(target.deref()).toBeUndefined();
}

async function settledState(promise: Promise<unknown>): Promise<"pending" | "fulfilled"> {
  let state: "pending" | "fulfilled" = "pending";
  void promise.then(() => (state = "fulfilled"));
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

function expectUnsendable(error: unknown, problem: string): void {
  expect(error).toBeInstanceOf(TypeError);
  expect((error as { code?: string }).code).toBe("ERR_INVALID_ARG_VALUE");
  expect((error as Error).message).toContain("for message");
  expect((error as Error).message).toContain(problem);
}

/** The refused frame is still unsent, and nothing reached the peer. */
async function expectNothingSent(frame: ZeroCopyFrame, pull: Pull): Promise<void> {
  expect(frame.sent).toBe(false);
  await sleep(20);
  expect(pull.tryReceive()).toBeNull();
}

describe("ZeroCopyFrame: allocation", () => {
  it("alloc zero-fills; allocUnsafe has the size asked for; both start writable", () => {
    const zeroed = ZeroCopyFrame.alloc(4096);
    expect(zeroed.byteLength).toBe(4096);
    expect(zeroed.buffer.equals(Buffer.alloc(4096))).toBe(true);
    expect(zeroed.sent).toBe(false);
    const unsafe = ZeroCopyFrame.allocUnsafe(0);
    expect(unsafe.buffer.length).toBe(0);
    expect(unsafe.buffer).toBe(unsafe.buffer);
  });

  it("refuses a size that is not an integer in range, and the constructor", () => {
    expectArgumentError(TypeError, "size", () => ZeroCopyFrame.alloc("8" as unknown as number));
    expectArgumentError(RangeError, "size", () => ZeroCopyFrame.alloc(-1));
    expectArgumentError(RangeError, "size", () => ZeroCopyFrame.allocUnsafe(1.5));
    expectArgumentError(RangeError, "size", () => ZeroCopyFrame.allocUnsafe(2 ** 60));
    const Frame = ZeroCopyFrame as unknown as new (size: number) => ZeroCopyFrame;
    expect(thrown(() => new Frame(8))).toBeInstanceOf(TypeError);
  });

  it("is a MessageLike, in its types too", () => {
    expectTypeOf<ZeroCopyFrame>().toMatchTypeOf<MessageLike>();
    expectTypeOf(ZeroCopyFrame.alloc).returns.toEqualTypeOf<ZeroCopyFrame>();
    expectTypeOf<ZeroCopyFrame["released"]>().toEqualTypeOf<Promise<void>>();
  });
});

describe.each(transports)("ZeroCopyFrame over %s", (transport) => {
  it("arrives intact, alone and in multipart messages mixed with copied frames", async () => {
    const { push, pull } = await pipeline(transport);
    await push.send(patterned(100_000, 1));
    await push.send(["head", patterned(70_000, 2), Buffer.from("copied"), patterned(1, 3)]);
    push.trySend([patterned(9000, 4)]);
    await push.sendBatch([patterned(5, 5), [null, patterned(40_000, 6)]]);
    const received = [];
    for (let i = 0; i < 5; i++) received.push(await within(pull.receive(), 5000, "receive"));
    expect(received[0]).toEqual([pattern(100_000, 1)]);
    expect(received[1]).toEqual([
      Buffer.from("head"),
      pattern(70_000, 2),
      Buffer.from("copied"),
      pattern(1, 3),
    ]);
    expect(received[2]).toEqual([pattern(9000, 4)]);
    expect(received[3]).toEqual([pattern(5, 5)]);
    expect(received[4]).toEqual([Buffer.alloc(0), pattern(40_000, 6)]);
  });

  it("what the program writes after the send never reaches the peer", async () => {
    const { push, pull } = await pipeline(transport);
    const frame = patterned(65_536, 7);
    const buffer = frame.buffer;
    const view = new Uint8Array(buffer.buffer, buffer.byteOffset, 100);
    await push.send(frame);
    // Every view is cut off from the bytes: writes throw or go nowhere.
    expect(buffer.length).toBe(0);
    expect(view.length).toBe(0);
    expect(() => buffer.fill(0xee)).toThrow(TypeError);
    view[0] = 0xee;
    expect(buffer.write("overwritten")).toBe(0);
    expect(thrown(() => frame.buffer)).toMatchObject({ code: "ERR_INVALID_STATE" });
    expect(frame.sent).toBe(true);
    expect((await within(pull.receive(), 5000, "receive"))[0].equals(pattern(65_536, 7))).toBe(
      true,
    );
    // Over inproc the receiver holds the same bytes, which libzmq frees when it lets go of them.
    await within(releasedAfterCollections(frame), 5000, "released");
  });
});

describe("ZeroCopyFrame: while the message waits in libzmq's queue", () => {
  it("writes to the old buffer cannot change it, and it arrives when the peer comes", async () => {
    const port = await freePort();
    const push = track(new Push({ linger: 0 }));
    push.connect(`tcp://127.0.0.1:${port}`);
    const frames = [patterned(200_000, 8), patterned(200_000, 9)];
    const buffers = frames.map((frame) => frame.buffer);
    for (const frame of frames) await push.send(frame); // queued: nobody listens yet
    for (const buffer of buffers) {
      expect(() => buffer.fill(0)).toThrow(TypeError);
      buffer[0] = 0;
    }
    expect(await settledState(frames[0].released)).toBe("pending");
    const pull = track(new Pull({ linger: 0 }));
    await pull.bind(`tcp://127.0.0.1:${port}`);
    expect((await within(pull.receive(), 5000, "receive"))[0].equals(pattern(200_000, 8))).toBe(
      true,
    );
    expect((await within(pull.receive(), 5000, "receive"))[0].equals(pattern(200_000, 9))).toBe(
      true,
    );
    await within(Promise.all(frames.map((frame) => frame.released)), 5000, "released");
  });

  it("arrives intact when its ZeroCopyFrame object was collected while it waited", async () => {
    // A send waiting for a peer holds the frame's native handle only: the bytes must not
    // depend on the object the program dropped.
    const push = track(new Push({ linger: 0 })); // no peer: send() waits in our queue
    const { sending, frame } = (() => {
      const dropped = patterned(5000, 13);
      return { sending: push.send(dropped), frame: new WeakRef(dropped) };
    })();
    await collectedAway(frame);
    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, "inproc"));
    await within(sending, 5000, "send");
    const [received] = await within(pull.receive(), 5000, "receive");
    expect(received.equals(pattern(5000, 13))).toBe(true);
  });

  it("released resolves when a Publisher with no subscriber drops the message at once", async () => {
    const pub = track(new Publisher({ linger: 0 }));
    await pub.bind(endpoint("inproc"));
    const frame = patterned(20_000);
    await pub.send(["topic", frame]);
    expect(frame.sent).toBe(true);
    await within(frame.released, 5000, "released");
  });

  it("released resolves when a close with linger 0 drops the message", async () => {
    const push = new Push({ linger: 0 });
    push.connect(`tcp://127.0.0.1:${await freePort()}`);
    const frame = patterned(50_000);
    await push.send(frame);
    const released = frame.released;
    expect(await settledState(released)).toBe("pending");
    push.close();
    await within(released, 5000, "released after close");
    expect(frame.sent).toBe(true);
  });
});

describe("ZeroCopyFrame: frames that cannot be sent are refused, with nothing sent", () => {
  it("sent twice: in two sends, twice in one message, on another socket", async () => {
    const { push, pull } = await pipeline("inproc");
    const other = track(new Push({ linger: 0 }));
    other.connect(`tcp://127.0.0.1:${await freePort()}`);
    const frame = patterned(1000);
    await push.send(frame);
    expectUnsendable(await rejection(() => push.send(frame)), "sent already");
    expectUnsendable(
      thrown(() => other.trySend(frame)),
      "sent already",
    );
    const twice = patterned(10);
    expectUnsendable(await rejection(() => push.send([twice, "x", twice])), "twice");
    expect(twice.sent).toBe(false);
    await push.send(twice);
    expect((await pull.receive())[0].equals(pattern(1000))).toBe(true);
    expect((await pull.receive())[0].equals(pattern(10))).toBe(true);
    expect(pull.tryReceive()).toBeNull();
  });

  it("in two messages of one sendBatch: refused before the first is sent", async () => {
    const { push, pull } = await pipeline("inproc");
    const frame = patterned(100);
    expectUnsendable(
      await rejection(() => push.sendBatch([["first", frame], "between", [frame]])),
      "twice",
    );
    await expectNothingSent(frame, pull);
  });

  it("its buffer detached or transferred in this thread before the send", async () => {
    const { push, pull } = await pipeline("inproc");
    const frame = patterned(1000);
    const moved = new Uint8Array(transferArrayBuffer(frame.buffer.buffer));
    expect(moved[1]).toBe(31); // the bytes are reachable through `moved` now
    expectUnsendable(await rejection(() => push.send(frame)), "detached or transferred");
    expectUnsendable(
      thrown(() => push.trySend(["a", frame])),
      "detached or transferred",
    );
    await expectNothingSent(frame, pull);
  });

  it("its buffer transferred by an element getter after the addon took the frame", async () => {
    // send() hands the addon a copy of an array holding frames, so only a direct caller of the
    // native layer can run JavaScript between taking a frame and sending it: the addon checks
    // again before anything leaves.
    const { push, pull } = await pipeline("inproc");
    const frame = patterned(1000);
    const message: unknown[] = [zeroCopyHandleOf(frame), "tail"];
    Object.defineProperty(message, 1, {
      get() {
        transferArrayBuffer(frame.buffer.buffer);
        return "tail";
      },
    });
    expectUnsendable(
      thrown(() => nativeSocketOf(push).trySend(message)),
      "detached",
    );
    await expectNothingSent(frame, pull);
  });

  it("transferred while it waits for a peer, then collected: refused when its turn comes", async () => {
    // What refuses it must not weaken once the program drops the frame and its buffer: the
    // bytes stay reachable through the ArrayBuffer they were moved to.
    const push = track(new Push({ linger: 0 })); // no peer: send() waits in our queue
    const { outcome, moved, frame } = (() => {
      const dropped = patterned(5000, 14);
      const sending = push.send(dropped);
      return {
        outcome: sending.then(
          () => "sent",
          (error: unknown) => error,
        ),
        // The failed first attempt detached the old buffer: this is a new one over the bytes.
        moved: new Uint8Array(transferArrayBuffer(dropped.buffer.buffer)),
        frame: new WeakRef(dropped),
      };
    })();
    await collectedAway(frame);
    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, "inproc"));
    expectUnsendable(await within(outcome, 5000, "send"), "detached or transferred");
    await sleep(20);
    expect(pull.tryReceive()).toBeNull();
    expect(Buffer.from(moved).equals(pattern(5000, 14))).toBe(true);
  });

  it("transferring its buffer to a worker leaves it in place: Node refuses to move it", async () => {
    const { push, pull } = await pipeline("inproc");
    const frame = patterned(1000);
    const { port1, port2 } = new MessageChannel();
    try {
      // Node marks external ArrayBuffers untransferable: before Node 21 the transfer list
      // ignores it (the worker gets a copy), from 21 on postMessage throws.
      try {
        port1.postMessage(frame.buffer, [frame.buffer.buffer as ArrayBuffer]);
      } catch (error) {
        expect((error as Error).name).toBe("DataCloneError");
      }
    } finally {
      port1.close();
      port2.close();
    }
    expect(frame.buffer.length).toBe(1000);
    await push.send(frame);
    expect((await pull.receive())[0].equals(pattern(1000))).toBe(true);
  });

  it("a send that does not happen leaves it sendable, its bytes intact in a new buffer", async () => {
    const push = track(new Push({ linger: 0 }));
    const frame = patterned(3000, 11);
    const before = frame.buffer;
    expect(push.trySend(frame)).toBe(false); // no peer: back-pressure
    expect(frame.sent).toBe(false);
    expect(before.length).toBe(0);
    expect(frame.buffer === before).toBe(false);
    // The detached buffer is collected meanwhile: the frame still holds its bytes.
    await sleep(10);
    collectGarbage();
    await sleep(10);
    expect(frame.buffer.equals(pattern(3000, 11))).toBe(true);
    frame.buffer[0] = 0xab;
    // send() waits for a peer, then sends the frame as it is then.
    const sending = push.send(frame);
    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, "inproc"));
    await within(sending, 5000, "send");
    const [received] = await within(pull.receive(), 5000, "receive");
    expect(received[0]).toBe(0xab);
    expect(received.subarray(1).equals(pattern(3000, 11).subarray(1))).toBe(true);
  });
});

describe("ZeroCopyFrame: lifetimes (child processes)", () => {
  it("a worker that exits with frames in flight leaves the process healthy", async () => {
    const child = runFixture("zero-copy-lifetimes.cjs", ["worker-exit"], { timeoutMs: 60_000 });
    const result = await child.done;
    expect(result.code, result.stderr).toBe(0);
    expect(lastJson<{ intact: number; expected: number }>(result.stdout)).toEqual({
      intact: 20,
      expected: 20,
    });
  }, 70_000);

  it("unsent frames are freed when collected, even without an explicit collection", async () => {
    const child = runFixture("zero-copy-lifetimes.cjs", ["gc"], {
      nodeArgs: ["--expose-gc"],
      timeoutMs: 60_000,
    });
    const result = await child.done;
    expect(result.code, result.stderr).toBe(0);
    const report = lastJson<{ allocatedMiB: number; rssGrowthMiB: number; released: boolean }>(
      result.stdout,
    );
    expect(report.released).toBe(true);
    // 1 GiB of 1 MiB frames allocated, never sent, never collected by hand.
    expect(report.allocatedMiB).toBe(1024);
    expect(report.rssGrowthMiB).toBeLessThan(400);
  }, 70_000);
});
