// Semantics of send() and receive(): timeouts, back-pressure at the high water mark, ordering
// of concurrent operations, the REQ/REP state machine, AbortSignal, trySend beside queued
// sends, fairness towards the event loop, and the readable/writable getters.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";

import { Pair, Pull, Push, Reply, Request, ZmqError } from "../src/index";
import { bindFresh, endpoint, transports, type Transport } from "./helpers/endpoints";
import { track, within } from "./helpers/lifecycle";

/** A connected PUSH → PULL pair over `transport`. */
async function pipeline(
  transport: Transport,
  pushOptions: ConstructorParameters<typeof Push>[0] = {},
  pullOptions: ConstructorParameters<typeof Pull>[0] = {},
): Promise<{ push: Push; pull: Pull; address: string }> {
  const pull = track(new Pull({ linger: 0, ...pullOptions }));
  const push = track(new Push({ linger: 0, ...pushOptions }));
  const address = await bindFresh(pull, transport);
  push.connect(address);
  return { push, pull, address };
}

/** Checks that `operation` rejects with EAGAIN after 140 ms to 1 s (a 150 ms timeout). */
async function expectTimeoutAfter150ms(operation: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const error = await operation().then(
    () => null,
    (e: unknown) => e,
  );
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(ZmqError);
  expect(error).toMatchObject({ code: "EAGAIN" });
  expect(elapsed).toBeGreaterThanOrEqual(140);
  expect(elapsed).toBeLessThan(1000);
}

/** Resolves to "pending" when `promise` has not settled after a macrotask turn. */
async function state(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let result: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => (result = "fulfilled"),
    () => (result = "rejected"),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

function text(message: Buffer[]): string[] {
  return message.map((frame) => frame.toString());
}

describe("timeouts", () => {
  it("receive() rejects with EAGAIN after receiveTimeout", async () => {
    const pull = track(new Pull({ receiveTimeout: 150 }));
    await bindFresh(pull, "tcp");
    await expectTimeoutAfter150ms(() => pull.receive());
  });

  it("receiveTimeout set after construction applies to the next receive()", async () => {
    const pull = track(new Pull());
    await bindFresh(pull, "inproc");
    pull.receiveTimeout = 60;
    expect(pull.receiveTimeout).toBe(60);
    const started = performance.now();
    await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(1000);
  });

  it("a receive() that timed out does not swallow the next message", async () => {
    const { push, pull } = await pipeline("inproc", {}, { receiveTimeout: 50 });
    await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    await push.send("after-timeout");
    expect(text(await pull.receive())).toEqual(["after-timeout"]);
  });

  it("send() rejects with EAGAIN after sendTimeout on a PUSH with no peer", async () => {
    const push = track(new Push({ sendTimeout: 150, linger: 0 }));
    await expectTimeoutAfter150ms(() => push.send("nobody"));
  });

  it("a send() that timed out is never delivered later", async () => {
    const push = track(new Push({ sendTimeout: 50, linger: 0 }));
    await expect(push.send("timed-out")).rejects.toMatchObject({ code: "EAGAIN" });
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "inproc");
    push.sendTimeout = -1;
    push.connect(address);
    await push.send("delivered");
    expect(text(await pull.receive())).toEqual(["delivered"]);
    await sleep(30);
    expect(pull.tryReceive()).toBeNull();
  });
});

describe("back-pressure at the high water mark", () => {
  it.each(["inproc", "ipc"] as const)(
    "send() waits (not drops) at HWM 1 and everything arrives in order over %s",
    async (transport) => {
      const { push, pull } = await pipeline(
        transport,
        { sendHighWaterMark: 1 },
        { receiveHighWaterMark: 1 },
      );
      // 40 frames of 64 KiB exceed what the kernel buffers of an ipc connection hold.
      const count = 40;
      const payload = (i: number) => Buffer.alloc(64 * 1024, i);
      const settled: number[] = [];
      const sends = Array.from({ length: count }, (_, i) =>
        push.send([String(i), payload(i)]).then(() => settled.push(i)),
      );
      await sleep(100);
      // A slow consumer: nothing read yet, so libzmq must push back on most of them.
      expect(settled.length).toBeGreaterThan(0);
      expect(settled.length).toBeLessThan(count);
      expect(push.writable).toBe(false);

      const received: string[] = [];
      for (let i = 0; i < count; i++) {
        const [index, body] = await pull.receive();
        received.push(index.toString());
        expect(body.equals(payload(i))).toBe(true);
      }
      await Promise.all(sends);
      expect(received).toEqual(Array.from({ length: count }, (_, i) => String(i)));
      expect(settled).toEqual(Array.from({ length: count }, (_, i) => i));
    },
  );

  it("over tcp with large messages, no message is lost or reordered", async () => {
    const { push, pull } = await pipeline(
      "tcp",
      { sendHighWaterMark: 1 },
      { receiveHighWaterMark: 1 },
    );
    const count = 48;
    // 48 MiB in total: more than loopback socket buffers can absorb (tcp_rmem and tcp_wmem
    // allow at most 32 MiB and 4 MiB by default on Linux).
    const size = 1024 * 1024;
    const settled: number[] = [];
    const sends = Array.from({ length: count }, (_, i) =>
      push.send(Buffer.alloc(size, i)).then(() => settled.push(i)),
    );
    await sleep(150);
    expect(settled.length).toBeLessThan(count);
    for (let i = 0; i < count; i++) {
      const [frame] = await pull.receive();
      expect(frame.length).toBe(size);
      expect(frame[0]).toBe(i);
      expect(frame[size - 1]).toBe(i);
    }
    await Promise.all(sends);
    expect(settled).toEqual(Array.from({ length: count }, (_, i) => i));
  });
});

describe("ordering of concurrent operations", () => {
  it.each(transports)(
    "concurrent send() calls complete in call order and arrive in order (%s)",
    async (transport) => {
      // No peer yet: every send waits, then all are released at once.
      const pull = track(new Pull({ linger: 0 }));
      const push = track(new Push({ linger: 0 }));
      const completed: number[] = [];
      const count = 50;
      const sends = Array.from({ length: count }, (_, i) =>
        push.send(`m${i}`).then(() => completed.push(i)),
      );
      await sleep(20);
      expect(completed).toEqual([]);
      const address = await bindFresh(pull, transport);
      push.connect(address);
      await within(Promise.all(sends), 2000, "queued sends after connect()");
      expect(completed).toEqual(Array.from({ length: count }, (_, i) => i));
      const received: string[] = [];
      for (let i = 0; i < count; i++) received.push(...text(await pull.receive()));
      expect(received).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
    },
  );

  it("a send() queued with no peer completes once connect() attaches a bound inproc peer", async () => {
    const push = track(new Push({ linger: 0 }));
    const pull = track(new Pull({ linger: 0 }));
    const queued = push.send("waited for a peer");
    expect(await state(queued)).toBe("pending");
    await pull.bind(endpoint("inproc"));
    push.connect(pull.lastEndpoint!);
    await within(queued, 2000, "send queued before an inproc connect()");
    expect(text(await within(pull.receive(), 2000, "receive"))).toEqual(["waited for a peer"]);
  });

  it("sends accepted at once and sends that wait still complete in call order", async () => {
    const { push, pull } = await pipeline(
      "inproc",
      { sendHighWaterMark: 2 },
      { receiveHighWaterMark: 2 },
    );
    const completed: number[] = [];
    const count = 30;
    const sends = Array.from({ length: count }, (_, i) =>
      push.send(String(i)).then(() => completed.push(i)),
    );
    const received: string[] = [];
    for (let i = 0; i < count; i++) {
      received.push(...text(await pull.receive()));
      // Interleave a later send with the waiting ones: it must queue behind them.
      if (i === 5) sends.push(push.send("late").then(() => completed.push(count)));
    }
    received.push(...text(await pull.receive()));
    await Promise.all(sends);
    expect(completed).toEqual(Array.from({ length: count + 1 }, (_, i) => i));
    expect(received).toEqual([...Array.from({ length: count }, (_, i) => String(i)), "late"]);
  });

  it.each(transports)("concurrent receive() calls resolve in order (%s)", async (transport) => {
    const { push, pull } = await pipeline(transport);
    const count = 20;
    const resolved: number[] = [];
    const receives = Array.from({ length: count }, (_, i) =>
      pull.receive().then((message) => {
        resolved.push(i);
        return text(message)[0];
      }),
    );
    await sleep(10);
    expect(resolved).toEqual([]);
    for (let i = 0; i < count; i++) await push.send(`r${i}`);
    expect(await Promise.all(receives)).toEqual(Array.from({ length: count }, (_, i) => `r${i}`));
    expect(resolved).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it("a receive() issued while others wait is served after them", async () => {
    const { push, pull } = await pipeline("inproc");
    const first = pull.receive();
    const second = pull.receive();
    await push.send("a");
    await push.send("b");
    await push.send("c");
    const third = pull.receive();
    expect(text(await first)).toEqual(["a"]);
    expect(text(await second)).toEqual(["b"]);
    expect(text(await third)).toEqual(["c"]);
  });
});

describe("REQ/REP state machine", () => {
  async function reqRep(): Promise<{ req: Request; rep: Reply }> {
    const rep = track(new Reply({ linger: 0 }));
    const req = track(new Request({ linger: 0 }));
    req.connect(await bindFresh(rep, "inproc"));
    return { req, rep };
  }

  it("REQ send, send rejects the second with EFSM", async () => {
    const { req, rep } = await reqRep();
    await req.send("one");
    const error = await req.send("two").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EFSM" });
    // The state machine is intact: the first request still gets its reply.
    expect(text(await rep.receive())).toEqual(["one"]);
    await rep.send("reply");
    expect(text(await req.receive())).toEqual(["reply"]);
  });

  it("REP send before receive rejects with EFSM", async () => {
    const { rep } = await reqRep();
    const error = await rep.send("no request yet").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EFSM" });
  });

  it("REQ receive before send rejects (asynchronously) with EFSM", async () => {
    const { req } = await reqRep();
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = req.receive();
    }).not.toThrow();
    await expect(promise).rejects.toMatchObject({ code: "EFSM" });
  });
});

describe("AbortSignal", () => {
  it("aborting a pending receive() rejects it with an AbortError; the socket still works", async () => {
    const { push, pull } = await pipeline("inproc");
    const controller = new AbortController();
    const pending = pull.receive({ signal: controller.signal });
    await sleep(10);
    expect(await state(pending)).toBe("pending");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await push.send("still works");
    expect(text(await pull.receive())).toEqual(["still works"]);
  });

  it("aborting rejects with the signal's reason when one is given", async () => {
    const { pull } = await pipeline("inproc");
    const controller = new AbortController();
    const reason = new Error("custom reason");
    const pending = pull.receive({ signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("an aborted receive() between other receives does not take a message", async () => {
    const { push, pull } = await pipeline("inproc");
    const controller = new AbortController();
    const first = pull.receive();
    const aborted = pull.receive({ signal: controller.signal });
    const third = pull.receive();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    await push.send("1");
    await push.send("2");
    expect(text(await first)).toEqual(["1"]);
    expect(text(await third)).toEqual(["2"]);
  });

  it("aborting a pending send() rejects it with an AbortError and it is never sent", async () => {
    const push = track(new Push({ linger: 0 }));
    const controller = new AbortController();
    const before = push.send("before");
    const aborted = push.send("aborted", { signal: controller.signal });
    const after = push.send("after");
    await sleep(10);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, "tcp"));
    await within(before, 2000, "send queued before the abort");
    await within(after, 2000, "send queued after the abort");
    expect(text(await pull.receive())).toEqual(["before"]);
    expect(text(await pull.receive())).toEqual(["after"]);
    await push.send("later");
    expect(text(await pull.receive())).toEqual(["later"]);
  });

  it("an already-aborted signal rejects a receive() at once, even with a message ready", async () => {
    const { push, pull } = await pipeline("inproc");
    await push.send("kept");
    await sleep(10);
    expect(pull.readable).toBe(true);
    const controller = new AbortController();
    controller.abort();
    await expect(pull.receive({ signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    // The message was not consumed by the aborted call.
    expect(text(await pull.receive())).toEqual(["kept"]);
  });

  it("an already-aborted signal rejects a receive() at once when nothing is ready", async () => {
    const { pull } = await pipeline("inproc");
    const controller = new AbortController();
    controller.abort();
    const pending = pull.receive({ signal: controller.signal });
    expect(await state(pending)).toBe("rejected");
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("an already-aborted signal rejects a send() at once and nothing is sent, even when writable", async () => {
    const { push, pull } = await pipeline("inproc");
    expect(push.writable).toBe(true);
    const controller = new AbortController();
    controller.abort();
    await expect(
      push.send("must not be sent", { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
    await push.send("next");
    expect(text(await pull.receive())).toEqual(["next"]);
  });

  it("an already-aborted signal rejects a send() at once when the send would wait", async () => {
    const push = track(new Push({ linger: 0 }));
    const controller = new AbortController();
    controller.abort();
    const pending = push.send("x", { signal: controller.signal });
    pending.catch(() => undefined);
    expect(await state(pending)).toBe("rejected");
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("trySend beside queued sends", () => {
  it("returns false while a send() is queued, even when libzmq could take the message", async () => {
    const { push, pull } = await pipeline(
      "inproc",
      { sendHighWaterMark: 1 },
      { receiveHighWaterMark: 1 },
    );
    const filled: string[] = [];
    for (let i = 0; push.trySend(`fill${i}`); i++) filled.push(`fill${i}`);
    expect(filled.length).toBeGreaterThan(0);
    const queued = push.send("queued");
    expect(await state(queued)).toBe("pending");
    // Make room in the pipe, and before the queued send is flushed try to jump the queue.
    const first = pull.tryReceive();
    expect(first === null ? null : text(first)).toEqual([filled[0]]);
    expect(push.trySend("jumps the queue")).toBe(false);
    const received: string[] = [text(first!)[0]];
    while (received.length < filled.length + 1)
      received.push(...text(await within(pull.receive(), 2000, "receive")));
    await within(queued, 2000, "queued send");
    expect(received).toEqual([...filled, "queued"]);
    await sleep(20);
    expect(pull.tryReceive()).toBeNull();
    // With the queue empty, trySend goes straight to libzmq.
    expect(push.trySend("direct")).toBe(true);
    expect(text(await pull.receive())).toEqual(["direct"]);
  });

  it("refuses a bad message with a TypeError also while sends are queued", async () => {
    const push = track(new Push({ linger: 0 }));
    const queued = push.send("waits: no peer");
    expect(await state(queued)).toBe("pending");
    for (const bad of [undefined, Symbol("frame"), []]) {
      expect(() => push.trySend(bad as never)).toThrow(TypeError);
      expect(() => push.send(bad as never)).toThrow(TypeError);
    }
    // A good one still waits its turn.
    expect(push.trySend("good")).toBe(false);
  });

  it("returns false with no peer and true once one is connected", async () => {
    const push = track(new Push({ linger: 0 }));
    expect(push.trySend("nobody")).toBe(false);
    const pull = track(new Pull({ linger: 0 }));
    push.connect(await bindFresh(pull, "inproc"));
    expect(push.trySend("somebody")).toBe(true);
    expect(text(await pull.receive())).toEqual(["somebody"]);
  });
});

describe("fairness towards the event loop", () => {
  async function timerDelayDuring(
    loop: (stop: () => boolean) => Promise<unknown>,
  ): Promise<number> {
    let stopped = false;
    const started = performance.now();
    // The budget ends a loop that starves the event loop (no timer could ever stop it).
    const running = loop(() => stopped || performance.now() - started > 2000);
    const fired = await new Promise<number>((resolve) => {
      setTimeout(() => resolve(performance.now() - started), 10);
    });
    stopped = true;
    await running;
    return fired;
  }

  it("`while (!stop) await push.send(x)` with a draining consumer lets a timer fire", async () => {
    const { push, pull } = await pipeline("inproc");
    let draining = true;
    let received = 0;
    const consumer = (async () => {
      while (draining) {
        const batch = await pull.receiveBatch();
        received += batch.length;
      }
    })();
    let sent = 0;
    const delay = await timerDelayDuring(async (stop) => {
      while (!stop()) {
        await push.send("x");
        sent++;
      }
    });
    expect(delay).toBeLessThan(500);
    expect(sent).toBeGreaterThan(0);
    draining = false;
    await push.send("last");
    await consumer;
    expect(received).toBeGreaterThan(0);
  });

  it("`while (!stop) await push.send(x)` with an unbounded HWM lets a timer fire", async () => {
    const { push } = await pipeline(
      "inproc",
      { sendHighWaterMark: 0 },
      { receiveHighWaterMark: 0 },
    );
    let sent = 0;
    const delay = await timerDelayDuring(async (stop) => {
      while (!stop()) {
        await push.send("x");
        sent++;
      }
    });
    expect(delay).toBeLessThan(500);
    // More than one burst went through, so the loop was really always ready.
    expect(sent).toBeGreaterThan(512);
  });

  it("`while (!stop) await pull.receive()` with a full inbox lets a timer fire", async () => {
    const { push, pull } = await pipeline(
      "inproc",
      { sendHighWaterMark: 0 },
      { receiveHighWaterMark: 0 },
    );
    const total = 50_000;
    await push.sendBatch(Array.from({ length: total }, (_, i) => String(i)));
    let received = 0;
    const delay = await timerDelayDuring(async (stop) => {
      while (!stop() && received < total) {
        await pull.receive();
        received++;
      }
    });
    expect(delay).toBeLessThan(500);
    expect(received).toBeGreaterThan(512);
  });

  // zeromq.js's "should not starve event loop" counts 1 ms timer ticks during 2,500 sends, which
  // measures speed as much as fairness. What it means to check is how often the event loop
  // turns; a setImmediate chain counts that whatever the speed: a loop that never yields gives 0.
  async function loopTurnsDuring(operations: () => Promise<void>): Promise<number> {
    let turns = 0;
    let counting = true;
    const count = (): void => {
      if (!counting) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    await operations();
    counting = false;
    return turns;
  }

  it("2,500 sends and 2,500 receives that complete at once each let the event loop turn 4 times", async () => {
    const { push, pull } = await pipeline(
      "inproc",
      { sendHighWaterMark: 5000 },
      { receiveHighWaterMark: 5000 },
    );
    const sendTurns = await loopTurnsDuring(async () => {
      for (let i = 0; i < 2500; i++) await push.send("x");
    });
    await sleep(20);
    const receiveTurns = await loopTurnsDuring(async () => {
      for (let i = 0; i < 2500; i++) await pull.receive();
    });
    // One turn per 512 operations: floor(2500 / 512) = 4 at least, whatever the counter held.
    expect(sendTurns).toBeGreaterThanOrEqual(4);
    expect(receiveTurns).toBeGreaterThanOrEqual(4);
  });
});

describe("readable and writable", () => {
  it("readable reflects whether a message is waiting", async () => {
    const { push, pull } = await pipeline("inproc");
    expect(pull.readable).toBe(false);
    await push.send("a");
    await push.send("b");
    await sleep(10);
    expect(pull.readable).toBe(true);
    expect(text(await pull.receive())).toEqual(["a"]);
    expect(pull.readable).toBe(true);
    expect(text(await pull.receive())).toEqual(["b"]);
    expect(pull.readable).toBe(false);
    pull.close();
    expect(pull.readable).toBe(false);
  });

  it("writable reflects whether a send would go through now", async () => {
    const push = track(new Push({ linger: 0, sendHighWaterMark: 1 }));
    expect(push.writable).toBe(false);
    const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 1 }));
    push.connect(await bindFresh(pull, "inproc"));
    expect(push.writable).toBe(true);
    // Fill the pipe, then queue one more: not writable while a send waits.
    let filled = 0;
    while (push.trySend("fill")) filled++;
    expect(filled).toBeGreaterThan(0);
    expect(push.writable).toBe(false);
    const waiting = push.send("waiting");
    expect(push.writable).toBe(false);
    // Drain everything: writable again.
    for (let i = 0; i < filled + 1; i++) await within(pull.receive(), 2000, `receive ${i}`);
    await within(waiting, 2000, "the waiting send");
    await sleep(10);
    expect(push.writable).toBe(true);
    push.close();
    expect(push.writable).toBe(false);
  });

  it("reading readable while a receive() is pending does not stall that receive()", async () => {
    const { push, pull } = await pipeline("inproc");
    const pending = pull.receive();
    await push.send("arrived");
    // The message is there; looking at it must not swallow the wake-up the receive waits for.
    expect(pull.readable).toBe(true);
    expect(text(await within(pending, 2000, "receive() after reading readable"))).toEqual([
      "arrived",
    ]);
  });

  it("reading writable while a receive() is pending does not stall that receive()", async () => {
    const a = track(new Pair({ linger: 0 }));
    const b = track(new Pair({ linger: 0 }));
    b.connect(await bindFresh(a, "inproc"));
    const pending = a.receive();
    await b.send("arrived");
    expect(a.writable).toBe(true);
    expect(text(await within(pending, 2000, "receive() after reading writable"))).toEqual([
      "arrived",
    ]);
  });

  it("a socket bound to a fresh endpoint of every transport starts not readable", async () => {
    for (const transport of transports) {
      const pull = track(new Pull({ linger: 0 }));
      await pull.bind(endpoint(transport));
      expect(pull.readable).toBe(false);
    }
  });
});
