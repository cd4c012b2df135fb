// The life of a socket: closing (idempotence, what fails afterwards, what pending operations
// do), contexts closing their sockets, disposal, asynchronous bind/unbind, garbage collection
// of dropped sockets, and how sockets affect the exit of the process that owns them.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";

import { Context, Pair, Pull, Push, Router, Subscriber, ZmqError } from "../src/index";
import { bindFresh, endpoint } from "./helpers/endpoints";
import { track, within } from "./helpers/lifecycle";
import { runFixture, type Child } from "./fixtures/reliability-helpers";
import { expectErrnoSync } from "./helpers/errors";

async function state(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let result: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => (result = "fulfilled"),
    () => (result = "rejected"),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe("close()", () => {
  it("is idempotent and sets closed", () => {
    const push = new Push();
    expect(push.closed).toBe(false);
    push.close();
    expect(push.closed).toBe(true);
    expect(() => push.close()).not.toThrow();
    expect(push.closed).toBe(true);
  });

  it("makes every later operation fail with EBADF", async () => {
    const pair = new Pair();
    pair.close();
    expectErrnoSync("EBADF", () => pair.send("x"));
    expectErrnoSync("EBADF", () => pair.receive());
    expectErrnoSync("EBADF", () => pair.bind(endpoint("tcp")));
    expectErrnoSync("EBADF", () => pair.unbind("tcp://127.0.0.1:5555"));
    await expect(pair.sendBatch(["a", "b"])).rejects.toMatchObject({ code: "EBADF" });
    await expect(pair.receiveBatch()).rejects.toMatchObject({ code: "EBADF" });
    expectErrnoSync("EBADF", () => pair.connect("tcp://127.0.0.1:5555"));
    expectErrnoSync("EBADF", () => pair.disconnect("tcp://127.0.0.1:5555"));
    expectErrnoSync("EBADF", () => pair.bindSync(endpoint("inproc")));
    expectErrnoSync("EBADF", () => pair.trySend("x"));
    expectErrnoSync("EBADF", () => pair.tryReceive());
    expectErrnoSync("EBADF", () => pair.linger);
    expectErrnoSync("EBADF", () => (pair.linger = 0));
    expectErrnoSync("EBADF", () => pair.sendHighWaterMark);
    expectErrnoSync("EBADF", () => (pair.receiveTimeout = 10));
    expectErrnoSync("EBADF", () => pair.lastEndpoint);
  });

  it("throws EBADF synchronously from send, receive, bind and unbind, as zeromq v6 does", () => {
    // A fire-and-forget send() after close (a logger routed into a socket) must not become an
    // unhandled rejection: a program that logs those by sending again would loop forever.
    const pair = new Pair();
    pair.close();
    const calls: Array<() => Promise<unknown>> = [
      () => pair.send("x"),
      () => pair.receive(),
      () => pair.bind(endpoint("tcp")),
      () => pair.unbind("tcp://127.0.0.1:5555"),
    ];
    for (const call of calls) {
      expectErrnoSync("EBADF", call);
    }
  });

  it("rejects a pending receive() with EAGAIN", async () => {
    const pull = new Pull();
    await bindFresh(pull, "inproc");
    const pending = pull.receive();
    expect(await state(pending)).toBe("pending");
    pull.close();
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EAGAIN" });
  });

  it("rejects every pending send() with EAGAIN", async () => {
    const push = new Push({ linger: 0 });
    const pending = [push.send("a"), push.send("b"), push.send(["c", "d"])];
    expect(await state(pending[0])).toBe("pending");
    push.close();
    for (const send of pending) {
      await expect(send).rejects.toMatchObject({ code: "EAGAIN" });
    }
  });

  it("ends a for-await loop cleanly when the socket is closed elsewhere", async () => {
    const pull = new Pull();
    const push = track(new Push());
    push.connect(await bindFresh(pull, "tcp"));
    const seen: string[] = [];
    const loop = (async () => {
      for await (const [frame] of pull) seen.push(frame.toString());
      return "ended";
    })();
    for (const word of ["a", "b", "c"]) await push.send(word);
    while (seen.length < 3) await sleep(5);
    setTimeout(() => pull.close(), 20);
    expect(await within(loop, 2000, "for-await loop")).toBe("ended");
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("ends a for-await loop on a socket that is already closed at once", async () => {
    const pull = new Pull();
    pull.close();
    const seen: unknown[] = [];
    for await (const message of pull) seen.push(message);
    expect(seen).toEqual([]);
  });
});

describe("Context.close()", () => {
  it("closes the context's sockets: pending receives reject and closed becomes true", async () => {
    const context = new Context();
    const pull = new Pull({ context });
    const push = new Push({ context, linger: 0 });
    const idle = new Subscriber({ context });
    push.connect(await bindFresh(pull, "inproc"));
    // The pair works before the context closes.
    await push.send("before");
    expect((await within(pull.receive(), 2000, "receive before close"))[0].toString()).toBe(
      "before",
    );
    const pending = pull.receive();
    expect(await state(pending)).toBe("pending");
    context.close();
    expect(context.closed).toBe(true);
    expect(pull.closed).toBe(true);
    expect(push.closed).toBe(true);
    expect(idle.closed).toBe(true);
    const error = await within(pending, 2000, "receive pending at context close").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZmqError);
    expect(error).toMatchObject({ code: "EAGAIN" });
    // Everything is closed for good.
    expectErrnoSync("EBADF", () => pull.tryReceive());
    expectErrnoSync("EBADF", () => push.send("after"));
  });

  it("closes a socket whose bind is still in progress, and rejects what waits on it", async () => {
    const context = new Context();
    const pull = new Pull({ context });
    const binding = pull.bind(endpoint("tcp"));
    const pending = pull.receive(); // queued behind the bind
    binding.catch(() => undefined);
    pending.catch(() => undefined);
    context.close();
    await within(
      binding.then(
        () => undefined,
        () => undefined,
      ),
      2000,
      "bind interrupted by Context.close()",
    );
    expect(pull.closed).toBe(true);
    await expect(within(pending, 2000, "receive queued behind the bind")).rejects.toMatchObject({
      code: "EAGAIN",
    });
  });

  it("rejects a pending send on one of its sockets", async () => {
    const context = new Context();
    const push = new Push({ context, linger: 0 });
    const pending = push.send("nobody");
    expect(await state(pending)).toBe("pending");
    context.close();
    expect(push.closed).toBe(true);
    await expect(within(pending, 2000, "send pending at context close")).rejects.toMatchObject({
      code: "EAGAIN",
    });
  });

  it("ends a for-await loop over one of its sockets", async () => {
    const context = new Context();
    const pull = new Pull({ context });
    await bindFresh(pull, "inproc");
    const loop = (async () => {
      for await (const _ of pull) {
        /* nothing arrives */
      }
      return "ended";
    })();
    await sleep(10);
    context.close();
    expect(await within(loop, 2000, "for-await loop at context close")).toBe("ended");
  });

  it("is idempotent, and a closed context makes no new sockets", () => {
    const context = new Context();
    context.close();
    expect(() => context.close()).not.toThrow();
    expectErrnoSync("ETERM", () => new Push({ context }));
  });

  it("leaves sockets of other contexts alone", async () => {
    const context = new Context();
    const doomed = new Pull({ context });
    const pull = track(new Pull());
    const push = track(new Push());
    push.connect(await bindFresh(pull, "inproc"));
    context.close();
    expect(doomed.closed).toBe(true);
    expect(pull.closed).toBe(false);
    await push.send("unaffected");
    expect((await pull.receive())[0].toString()).toBe("unaffected");
  });
});

describe("disposal", () => {
  it("`using` closes the socket at the end of the block", () => {
    let socket: Push;
    {
      using push = new Push();
      socket = push;
      expect(push.closed).toBe(false);
    }
    expect(socket.closed).toBe(true);
  });

  it("`await using` closes the socket at the end of the block", async () => {
    let socket: Pull;
    {
      await using pull = new Pull();
      socket = pull;
      await bindFresh(pull, "inproc");
    }
    expect(socket.closed).toBe(true);
  });

  it("Symbol.dispose and Symbol.asyncDispose close the socket and are idempotent", async () => {
    const push = new Push();
    push[Symbol.dispose]();
    expect(push.closed).toBe(true);
    expect(() => push[Symbol.dispose]()).not.toThrow();

    const pull = new Pull();
    const result = pull[Symbol.asyncDispose]();
    expect(result).toBeInstanceOf(Promise);
    await result;
    expect(pull.closed).toBe(true);
    await expect(pull[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it("disposal rejects a pending receive like close()", async () => {
    const pull = new Pull();
    await bindFresh(pull, "inproc");
    const pending = pull.receive();
    pull[Symbol.dispose]();
    await expect(pending).rejects.toMatchObject({ code: "EAGAIN" });
  });
});

describe("bind() and unbind()", () => {
  it("bind() takes effect at the call: the endpoint is taken before its promise settles", async () => {
    const first = track(new Pull());
    const address = endpoint("inproc");
    const binding = first.bind(address);
    const second = track(new Pull());
    expectErrnoSync("EADDRINUSE", () => second.bindSync(address));
    await binding;
  });

  it("unbind() takes effect at the call: another socket can bind before its promise settles", async () => {
    const first = track(new Pull());
    const address = endpoint("inproc");
    first.bindSync(address);
    const unbinding = first.unbind(address);
    const second = track(new Pull());
    second.bindSync(address);
    await unbinding;
    expect(second.lastEndpoint).toBe(address);
  });

  it("bind() and unbind() settle asynchronously, never before bind() returns", async () => {
    const pull = track(new Pull());
    let settled = false;
    const bound = pull.bind(endpoint("tcp")).then(() => (settled = true));
    expect(settled).toBe(false);
    await bound;
    const unbound = pull.unbind(pull.lastEndpoint!).then(() => (settled = false));
    expect(settled).toBe(true);
    await unbound;
  });

  it("with libuv's thread pool stuck, bind() and unbind() of numeric, ipc and inproc addresses still settle; a host name waits for the pool", async () => {
    const report = await withChild(
      runFixture("bind-busy-pool.cjs", [], { env: { UV_THREADPOOL_SIZE: "1" } }),
      async (child) => {
        const result = await child.done;
        expect(result.stderr).toBe("");
        return JSON.parse(result.stdout.trim()) as Record<string, string>;
      },
    );
    expect(report).toEqual({
      numeric: "bound",
      // Bound at the call, the port stayed taken though the first socket closed right after.
      sameAddressBeforeClose: "EADDRINUSE",
      ipc: "bound",
      unbind: "bound",
      hostNameWhileStuck: "pending",
      hostNameAfter: "bound",
    });
  });

  /** Checks that `pull`, bound to tcp://localhost:*, reports an address and receives on it. */
  async function expectCarriesViaLocalhost(pull: Pull): Promise<void> {
    const address = pull.lastEndpoint!;
    expect(address).toMatch(/^tcp:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
    const push = track(new Push());
    push.connect(address);
    await push.send("via localhost");
    expect((await within(pull.receive(), 2000, "receive"))[0].toString()).toBe("via localhost");
  }

  it("binds to a host name (tcp://localhost:*) and carries messages", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://localhost:*");
    await expectCarriesViaLocalhost(pull);
  });

  it("bindSync() binds to a host name too (resolved on the calling thread)", async () => {
    const pull = track(new Pull());
    pull.bindSync("tcp://localhost:*");
    await expectCarriesViaLocalhost(pull);
  });

  it("while a bind to a host name runs, trySend and connect throw EBUSY until it settles", async () => {
    const pair = track(new Pair());
    let settled = false;
    const binding = pair.bind("tcp://localhost:*").finally(() => (settled = true));
    const outcomes = new Set<string>();
    while (!settled) {
      for (const action of [() => pair.trySend("x"), () => pair.connect("tcp://127.0.0.1:9")]) {
        try {
          action();
          outcomes.add("went through");
        } catch (error) {
          outcomes.add((error as ZmqError).code);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await binding;
    expect([...outcomes]).toEqual(["EBUSY"]);
  });

  it("unbind() of an ipc endpoint lets another socket bind the same path", async () => {
    const first = track(new Pull());
    const address = endpoint("ipc");
    await first.bind(address);
    await first.unbind(address);
    const second = track(new Pull());
    await second.bind(address);
    const push = track(new Push());
    push.connect(address);
    await push.send("to the second");
    expect((await within(second.receive(), 2000, "receive"))[0].toString()).toBe("to the second");
    expect(first.tryReceive()).toBeNull();
  });

  it("unbind() of a tcp port lets another socket bind the same port", async () => {
    const first = track(new Pull());
    const address = await bindFresh(first, "tcp");
    const busy = track(new Pull());
    await expect(busy.bind(address)).rejects.toMatchObject({ code: "EADDRINUSE" });
    await first.unbind(address);
    // libzmq closes the listener on its I/O thread after zmq_unbind() returns, so on a busy
    // machine the port can stay taken for a moment: the bind must succeed once it is released.
    const second = track(new Pull());
    const deadline = performance.now() + 10_000;
    for (;;) {
      const error = await second.bind(address).then(
        () => null,
        (e: unknown) => e,
      );
      if (error === null) break;
      expect(error).toMatchObject({ code: "EADDRINUSE" });
      expect(performance.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(second.lastEndpoint).toBe(address);
  });

  it("while a bind runs, send() and receive() wait for it and then work", async () => {
    const pair = track(new Pair());
    const binding = pair.bind(endpoint("tcp"));
    const send = pair.send("queued during bind");
    const receive = pair.receive();
    await binding;
    const peer = track(new Pair());
    peer.connect(pair.lastEndpoint!);
    expect((await within(peer.receive(), 2000, "peer receive"))[0].toString()).toBe(
      "queued during bind",
    );
    await within(send, 2000, "send queued during bind");
    await peer.send("answer");
    expect((await within(receive, 2000, "receive queued during bind"))[0].toString()).toBe(
      "answer",
    );
  });

  it("while a bind runs, trySend, tryReceive and connect throw EBUSY", async () => {
    const pair = track(new Pair());
    const binding = pair.bind(endpoint("tcp"));
    for (const action of [
      () => pair.trySend("x"),
      () => pair.tryReceive(),
      () => pair.connect("tcp://127.0.0.1:1"),
    ]) {
      expectErrnoSync("EBUSY", action);
    }
    await binding;
    expect(pair.trySend("x")).toBe(false);
  });

  it("bindSync() on a socket with a pending receive() does not stall that receive()", async () => {
    const pull = track(new Pull());
    const push = track(new Push());
    push.connect(await bindFresh(pull, "inproc"));
    const pending = pull.receive();
    await push.send("arrived");
    pull.bindSync(endpoint("inproc"));
    expect((await within(pending, 2000, "receive() after bindSync()"))[0].toString()).toBe(
      "arrived",
    );
  });

  it("two binds issued back to back both succeed", async () => {
    const pull = track(new Pull());
    const a = pull.bind(endpoint("ipc"));
    const b = pull.bind(endpoint("inproc"));
    await Promise.all([a, b]);
    expect(pull.lastEndpoint).toMatch(/^inproc:\/\//);
  });

  it("close() during a bind: the bind completes first, then the socket closes (as in v6)", async () => {
    const pull = new Pull();
    const binding = pull.bind("tcp://localhost:*");
    pull.close();
    expect(pull.closed).toBe(false);
    await within(binding, 2000, "the bind");
    expect(pull.closed).toBe(true);
    expectErrnoSync("EBADF", () => pull.tryReceive());
  });
});

// Each test here runs child processes; they run concurrently, so each closes its own sockets
// and kills its own child (in finally, whatever happened).
async function withChild<T>(child: Child, use: (child: Child) => Promise<T>): Promise<T> {
  try {
    return await use(child);
  } finally {
    child.kill("SIGKILL");
  }
}

describe.concurrent("garbage collection and process exit", () => {
  it("sockets dropped without close() are collected and release their resources", async ({
    expect,
  }) => {
    const result = await withChild(
      runFixture("gc-sockets.cjs", [], { nodeArgs: ["--expose-gc"] }),
      (child) => child.done,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      created: number;
      fdsBefore: number;
      fdsAfter: number;
      fdsAfterWaits: number;
      rssWarm: number;
      rssAfter: number;
      portRebound: boolean;
    };
    expect(report.created).toBe(2000);
    // Every socket holds descriptors (its mailbox); collected sockets must give them back.
    expect(report.fdsAfter - report.fdsBefore).toBeLessThan(50);
    // So do sockets that waited for a receive or a send that timed out or was aborted.
    expect(report.fdsAfterWaits - report.fdsBefore).toBeLessThan(50);
    // Memory after 2000 sockets stays near what it was after the first batches.
    expect(report.rssAfter - report.rssWarm).toBeLessThan(64 * 1024 * 1024);
    // A collected socket that was bound releases its port.
    expect(report.portRebound).toBe(true);
  });

  it("the native socket's own methods, kept past its collection or close, fail with EBADF", async ({
    expect,
  }) => {
    const result = await withChild(
      runFixture("direct-methods-after-gc.cjs", [], { nodeArgs: ["--expose-gc"] }),
      (child) => child.done,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      collected: boolean;
      afterCollection: Record<string, unknown>;
      afterClose: Record<string, unknown>;
    };
    // EBADF is errno 9 on Linux (errno.h), the closed-socket error.
    const ebadf = { code: "EBADF", errno: 9 };
    expect(report.collected).toBe(true);
    expect(report.afterCollection).toEqual({ trySend: ebadf, receiveBatch: ebadf, watch: ebadf });
    // watch() on a closed socket reports nothing ready, as it always has.
    expect(report.afterClose).toEqual({
      trySend: ebadf,
      receiveBatch: ebadf,
      watch: { returned: "0" },
    });
  });

  it("a process with 100 idle bound sockets exits by itself promptly", async ({ expect }) => {
    const { result, exitDelay } = await withChild(
      runFixture("idle-sockets.cjs", ["100"]),
      async (child) => {
        await child.line("bound 100", 60_000);
        const bound = performance.now();
        const result = await within(child.done, 30_000, "exit after binding");
        return { result, exitDelay: performance.now() - bound };
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(exitDelay).toBeLessThan(30_000);
  });

  it("a process with a pending receive() stays alive", async ({ expect }) => {
    const { stillAlive, result } = await withChild(
      runFixture("pending-receive.cjs"),
      async (child) => {
        await child.line("waiting", 60_000);
        await sleep(1000);
        const stillAlive = child.child.exitCode === null && child.child.signalCode === null;
        child.kill("SIGKILL");
        return { stillAlive, result: await child.done };
      },
    );
    expect(stillAlive).toBe(true);
    expect(result.signal).toBe("SIGKILL");
  });

  it("messages sent with linger before close() reach a peer after the sender exits", async ({
    expect,
  }) => {
    const pull = new Pull();
    try {
      const address = await bindFresh(pull, "tcp");
      const count = 200;
      const result = await withChild(
        runFixture("linger-sender.cjs", [address, String(count), "natural"]),
        (child) => child.done,
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const received: string[] = [];
      for (let i = 0; i < count; i++) {
        received.push((await within(pull.receive(), 3000, `message ${i}`))[0].toString());
      }
      expect(received).toEqual(Array.from({ length: count }, (_, i) => `msg-${i}`));
    } finally {
      pull.close();
    }
  });

  // The peer binds only after the sender closed its socket: the messages can only arrive if
  // the exiting process keeps them for their linger.
  it.for(["natural", "process.exit"] as const)(
    "an exiting process (%s exit) keeps closed sockets' messages for their linger",
    async (how, { expect }) => {
      const reserve = new Pull();
      const address = await bindFresh(reserve, "tcp");
      await reserve.unbind(address);
      reserve.close();
      const count = 50;
      // This tests linger itself, so the exit timeout must not be what ends the wait.
      const child = runFixture("linger-sender.cjs", [address, String(count), how, "3000"], {
        env: { ZMQ_NAPI_EXIT_TIMEOUT: "20000" },
      });
      const received: string[] = [];
      const result = await withChild(child, async () => {
        await child.line("closed", 60_000);
        await sleep(200);
        const pull = new Pull();
        try {
          await pull.bind(address);
          for (let i = 0; i < count; i++) {
            received.push((await within(pull.receive(), 10_000, `message ${i}`))[0].toString());
          }
        } catch {
          // Reported by the expectation below.
        } finally {
          pull.close();
        }
        return child.done;
      });
      // Nothing but the warning that the exit waits, which a slow machine may reach.
      expect(result.stderr.replace(/^\(node:\d+\) WARNING: .*\n/gm, "")).toBe("");
      expect(result.code).toBe(0);
      expect(received).toEqual(Array.from({ length: count }, (_, i) => `msg-${i}`));
    },
  );
});

describe("a socket type with its own connect()", () => {
  it("Router.connect after close throws EBADF too", () => {
    const router = new Router();
    router.close();
    expectErrnoSync("EBADF", () => router.connect("tcp://127.0.0.1:1", { routingId: "x" }));
  });
});
