// The Poller: only ready sockets are returned (also among 1,000), the timeout, AbortSignal,
// fairness when several are ready, both directions, the thread-safe draft sockets, sockets
// closed or added while a poll waits, the interplay with a pending receive(), argument checks,
// and no CPU spent by an idle wait. The oracle is what the test itself sent where.
import { describe, expect, it } from "vitest";

import { Client, Gather, Scatter, Server } from "../src/draft";
import { Context, Poller, Pull, Push, ZmqError, type ReadySocket } from "../src/index";
import { pollWatchers, type Socket } from "../src/socket";
import { bindFresh, endpoint, transports } from "./helpers/endpoints";
import { rejection } from "./helpers/errors";
import { sleep, track, within } from "./helpers/lifecycle";

/** `count` PULL sockets bound on inproc in `context`, and a PUSH connected to each. */
function pipes(count: number, context?: Context): Array<{ pull: Pull; push: Push }> {
  return Array.from({ length: count }, () => {
    const pull = track(new Pull({ linger: 0, context }));
    const address = endpoint("inproc");
    pull.bindSync(address);
    const push = track(new Push({ linger: 0, context }));
    push.connect(address);
    return { pull, push };
  });
}

/** Which of `sockets` a poll result names, by index, in the order given. */
function indices(ready: ReadySocket[], sockets: readonly Socket[]): number[] {
  return ready.map(({ socket }) => sockets.indexOf(socket));
}

/** Resolves to "pending" when `promise` has not settled after a few macrotask turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("Poller: which sockets are ready", () => {
  it.each(transports)("returns only the sockets that have a message (%s)", async (transport) => {
    const pulls = [0, 1, 2].map(() => track(new Pull({ linger: 0 })));
    const push = track(new Push({ linger: 0 }));
    push.connect(await bindFresh(pulls[1], transport));
    const poller = new Poller<Pull>();
    for (const pull of pulls) poller.add(pull, "readable");

    expect(await poller.poll({ timeout: 0 })).toEqual([]);
    const waiting = poller.poll();
    await push.send("hello");
    const ready = await within(waiting, 5000, "poll");
    expect(ready).toEqual([{ socket: pulls[1], readable: true, writable: false }]);
    // Reported readable: the message is there to take without waiting.
    expect(pulls[1].tryReceive()?.toString()).toBe("hello");
    expect(await poller.poll({ timeout: 0 })).toEqual([]);
  });

  it("among 1,000 PULL sockets, returns exactly the 7 that were sent messages", async () => {
    const context = new Context({ maxSockets: 2100 });
    try {
      const all = pipes(1000, context);
      const pulls = all.map(({ pull }) => pull);
      const poller = new Poller<Pull>();
      for (const pull of pulls) poller.add(pull, "readable");
      const chosen = [3, 141, 142, 500, 777, 998, 999];

      const waiting = poller.poll();
      expect(await settled(waiting)).toBe(false);
      for (const index of chosen) await all[index].push.send(`to ${index}`);

      // Every poll returns only sockets with a message; together they are the chosen ones.
      const seen: number[] = [];
      let ready = await within(waiting, 5000, "poll of 1,000 sockets");
      while (ready.length > 0) {
        for (const index of indices(ready, pulls)) {
          expect(pulls[index].tryReceive()?.toString()).toBe(`to ${index}`);
          seen.push(index);
        }
        ready = await poller.poll({ timeout: seen.length < chosen.length ? 5000 : 0 });
      }
      expect(seen.sort((a, b) => a - b)).toEqual(chosen);
    } finally {
      context.close();
    }
  });

  it("reports writable sockets: a PUSH with a peer, not one without", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const lonely = track(new Push({ linger: 0 }));
    const connected = track(new Push({ linger: 0 }));
    const address = endpoint("inproc");
    await pull.bind(address);
    connected.connect(address);
    // `lonely` has no peer (an inproc connect would give it one: a pipe that queues until bind).
    const poller = new Poller<Push>().add(lonely, "writable").add(connected, "writable");
    expect(await poller.poll()).toEqual([{ socket: connected, readable: false, writable: true }]);

    // A wait for room: the lonely PUSH becomes writable once a peer binds its endpoint.
    poller.remove(connected);
    const waiting = poller.poll();
    expect(await settled(waiting)).toBe(false);
    const late = track(new Pull({ linger: 0 }));
    const lateAddress = endpoint("inproc");
    await late.bind(lateAddress);
    lonely.connect(lateAddress);
    expect(await within(waiting, 5000, "poll for writable")).toEqual([
      { socket: lonely, readable: false, writable: true },
    ]);
  });

  it('"both" reports each direction that is ready', async () => {
    const server = track(new Server({ linger: 0 }));
    const client = track(new Client({ linger: 0 }));
    client.connect(await bindFresh(server, "tcp"));
    const poller = new Poller<Client>().add(client, "both");
    // Connected: room to send, nothing to receive.
    await within(
      (async () => {
        while (!client.writable) await sleep(5);
      })(),
      5000,
      "client connection",
    );
    expect(await poller.poll()).toEqual([{ socket: client, readable: false, writable: true }]);
    await client.send("ping");
    const [, { routingId }] = await server.receive();
    await server.send("pong", { routingId });
    await within(
      (async () => {
        while (!(await poller.poll())[0].readable) await sleep(5);
      })(),
      5000,
      "reply",
    );
    expect(await poller.poll()).toEqual([{ socket: client, readable: true, writable: true }]);
  });
});

describe("Poller: waiting", () => {
  it("resolves with an empty array when the timeout passes with nothing ready", async () => {
    const [{ pull }] = pipes(1);
    const poller = new Poller().add(pull, "readable");
    expect(await within(poller.poll({ timeout: 30 }), 5000, "poll with timeout")).toEqual([]);
    expect(await poller.poll({ timeout: 0 })).toEqual([]);
    // The wait is over: the socket no longer watches for the poller.
    expect(pull[pollWatchers].mask).toBe(0);
  });

  it("a message that comes before the timeout ends the wait with that socket", async () => {
    const [{ pull, push }] = pipes(1);
    const poller = new Poller().add(pull, "readable");
    const waiting = poller.poll({ timeout: 60_000 });
    setTimeout(() => void push.send("late"), 20);
    expect(indices(await within(waiting, 5000, "poll"), [pull])).toEqual([0]);
  });

  it("rejects with an AbortError when its signal aborts, and stops watching", async () => {
    const [{ pull }] = pipes(1);
    const poller = new Poller().add(pull, "readable");
    const controller = new AbortController();
    const waiting = poller.poll({ signal: controller.signal });
    expect(await settled(waiting)).toBe(false);
    controller.abort();
    const error = await rejection(() => waiting);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(pull[pollWatchers].mask).toBe(0);

    // An aborted signal rejects at once, with its reason when it has one.
    const reason = new Error("stop");
    expect(await rejection(() => poller.poll({ signal: AbortSignal.abort(reason) }))).toBe(reason);
  });

  it("is fair: every ready socket is returned by every poll, none starves", async () => {
    const all = pipes(3);
    const pulls = all.map(({ pull }) => pull);
    for (const { push } of all) for (let i = 0; i < 50; i++) await push.send(String(i));
    const poller = new Poller<Pull>();
    for (const pull of pulls) poller.add(pull, "readable");

    // Take one message from each ready socket per round: all three drain in lockstep.
    const taken = [0, 0, 0];
    for (let round = 0; round < 50; round++) {
      const ready = await poller.poll({ timeout: 5000 });
      expect(indices(ready, pulls)).toEqual([0, 1, 2]);
      for (const { socket } of ready) {
        const index = pulls.indexOf(socket);
        expect(socket.tryReceive()?.toString()).toBe(String(taken[index]++));
      }
    }
    expect(await poller.poll({ timeout: 0 })).toEqual([]);
  });

  it("for await yields the ready sockets until the last one closes", async () => {
    const all = pipes(2);
    const poller = new Poller<Pull>().add(all[0].pull, "readable").add(all[1].pull, "readable");
    const received: string[] = [];
    const loop = (async () => {
      for await (const ready of poller) {
        for (const { socket } of ready) {
          const message = socket.tryReceive()!.toString();
          received.push(message);
          if (message === "last") socket.close();
        }
      }
    })();
    await all[0].push.send("a");
    await all[1].push.send("b");
    await all[0].push.send("last");
    await all[1].push.send("last");
    await within(loop, 5000, "iteration to end");
    expect(received.filter((m) => m !== "last").sort()).toEqual(["a", "b"]);
    expect(poller.size).toBe(0);
  });
});

describe("Poller: sockets that change while it waits", () => {
  it("a socket closed while registered leaves the poller; the poll waits on the others", async () => {
    const all = pipes(2);
    const poller = new Poller<Pull>().add(all[0].pull, "readable").add(all[1].pull, "readable");
    const waiting = poller.poll();
    all[0].pull.close();
    expect(await settled(waiting)).toBe(false);
    expect(poller.has(all[0].pull)).toBe(false);
    await all[1].push.send("still here");
    expect(await within(waiting, 5000, "poll")).toEqual([
      { socket: all[1].pull, readable: true, writable: false },
    ]);
    // The last socket closing ends a wait without a timeout: nothing is left to wait for.
    all[1].pull.tryReceive();
    const last = poller.poll();
    expect(await settled(last)).toBe(false);
    all[1].pull.close();
    expect(await within(last, 5000, "poll of closed sockets")).toEqual([]);
    expect(poller.size).toBe(0);
  });

  it("closing the context of the polled sockets ends the wait", async () => {
    const context = new Context();
    const [{ pull }] = pipes(1, context);
    const poller = new Poller().add(pull, "readable");
    const waiting = poller.poll();
    context.close();
    expect(await within(waiting, 5000, "poll")).toEqual([]);
  });

  it("a socket added, or removed, while a poll waits is waited on from then on, or not", async () => {
    const all = pipes(3);
    const poller = new Poller<Pull>().add(all[0].pull, "readable").add(all[1].pull, "readable");
    const waiting = poller.poll();
    poller.add(all[2].pull, "readable");
    poller.remove(all[1].pull);
    await all[1].push.send("removed");
    expect(await settled(waiting)).toBe(false);
    await all[2].push.send("added");
    expect(
      indices(await within(waiting, 5000, "poll"), [all[0].pull, all[1].pull, all[2].pull]),
    ).toEqual([2]);
    expect(all[1].pull[pollWatchers].mask).toBe(0);
  });

  it("a socket with a bind in progress is polled once the bind is done", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = endpoint("inproc");
    const binding = pull.bind(address);
    const poller = new Poller().add(pull, "readable");
    const waiting = poller.poll();
    await binding;
    const push = track(new Push({ linger: 0 }));
    push.connect(address);
    await push.send("after bind");
    expect(indices(await within(waiting, 5000, "poll"), [pull])).toEqual([0]);
    expect(pull.tryReceive()?.toString()).toBe("after bind");
  });

  it("messages a direct receive leaves in the socket's inbox wake a waiting poll", async () => {
    for (const take of ["tryReceive", "receive"] as const) {
      const [{ pull, push }] = pipes(1);
      const poller = new Poller().add(pull, "readable");
      const waiting = poller.poll();
      await push.send("one");
      await push.send("two");
      // Before the poll hears of them, a receive takes both from libzmq and one from the inbox
      // (this reads the socket's commands: ZMQ_FD will not announce the messages any more).
      const first = take === "tryReceive" ? pull.tryReceive() : await pull.receive();
      expect(first?.toString()).toBe("one");
      expect(indices(await within(waiting, 5000, `poll after ${take}()`), [pull])).toEqual([0]);
      expect(pull.tryReceive()?.toString()).toBe("two");
    }
  });

  it("a pending receive() takes the message first; the poller reports what is left", async () => {
    const [{ pull, push }] = pipes(1);
    const poller = new Poller().add(pull, "readable");
    const receiving = pull.receive();
    const polling = poller.poll({ timeout: 200 });
    await push.send("first");
    expect((await within(receiving, 5000, "receive")).toString()).toBe("first");
    expect(await within(polling, 5000, "poll")).toEqual([]);
    await push.send("second");
    expect(indices(await within(poller.poll(), 5000, "poll"), [pull])).toEqual([0]);
    expect(pull.tryReceive()?.toString()).toBe("second");
  });
});

describe("Poller: thread-safe draft sockets", () => {
  it("waits on SERVER and GATHER sockets (no ZMQ_FD) like on any other", async () => {
    const server = track(new Server({ linger: 0 }));
    const client = track(new Client({ linger: 0 }));
    client.connect(await bindFresh(server, "inproc"));
    const gather = track(new Gather({ linger: 0 }));
    const scatter = track(new Scatter({ linger: 0 }));
    scatter.connect(await bindFresh(gather, "inproc"));
    const poller = new Poller<Server | Gather>().add(server, "readable").add(gather, "readable");

    const waiting = poller.poll();
    expect(await settled(waiting)).toBe(false);
    await scatter.send("gathered");
    expect(await within(waiting, 5000, "poll")).toEqual([
      { socket: gather, readable: true, writable: false },
    ]);
    expect(gather.tryReceive()?.toString()).toBe("gathered");

    const next = poller.poll();
    await client.send("served");
    expect(await within(next, 5000, "poll")).toEqual([
      { socket: server, readable: true, writable: false },
    ]);
    const [message, { routingId }] = server.tryReceive()!;
    expect(message.toString()).toBe("served");
    expect(routingId).toBeGreaterThan(0);
  });
});

describe("Poller: resources", () => {
  it("an idle wait on 1,000 sockets costs (almost) no CPU", async () => {
    const context = new Context({ maxSockets: 2100 });
    try {
      const poller = new Poller();
      for (const { pull } of pipes(900, context)) poller.add(pull, "readable");
      for (let i = 0; i < 100; i++) {
        const gather = track(new Gather({ linger: 0, context }));
        gather.bindSync(endpoint("inproc"));
        poller.add(gather, "readable");
      }
      expect(poller.size).toBe(1000);
      // The first wait starts each socket's poll handle (an epoll_ctl each, once per socket).
      expect(await poller.poll({ timeout: 20 })).toEqual([]);
      // poll() looks at every socket and arms its watcher before it returns; from then on the
      // process only waits (the last look, when the timeout passes, is counted below).
      const waiting = poller.poll({ timeout: 1000 });
      const before = process.cpuUsage();
      expect(await waiting).toEqual([]);
      const used = process.cpuUsage(before);
      const cpuMs = (used.user + used.system) / 1000;
      // A resource bound, not a speed one: a busy loop would spend the whole second.
      expect(cpuMs, `CPU time over a 1 s idle poll: ${cpuMs} ms`).toBeLessThan(100);
    } finally {
      context.close();
    }
  });
});

describe("Poller: bad input", () => {
  it("refuses what is not a socket, an unknown interest, or one the type cannot have", () => {
    const poller = new Poller();
    const push = track(new Push());
    const pull = track(new Pull());
    expect(() => poller.add({} as Pull, "readable")).toThrow(/Expected a Socket for socket/);
    expect(() => poller.add(pull, "read" as "readable")).toThrow(TypeError);
    expect(() => poller.add(pull, "read" as "readable")).toThrow(/for interest/);
    expect(() => poller.add(push, "readable")).toThrow(/Push socket never receives/);
    expect(() => poller.add(push, "both")).toThrow(TypeError);
    expect(() => poller.add(pull, "writable")).toThrow(/Pull socket never sends/);
    pull.close();
    expect(() => poller.add(pull, "readable")).toThrow(ZmqError);
    expect(() => poller.add(pull, "readable")).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(poller.size).toBe(0);
  });

  it("refuses a bad timeout or signal, naming it", () => {
    const poller = new Poller();
    expect(() => poller.poll({ timeout: -2 })).toThrow(RangeError);
    expect(() => poller.poll({ timeout: 1.5 })).toThrow(/for timeout/);
    expect(() => poller.poll({ timeout: "1" as unknown as number })).toThrow(TypeError);
    expect(() => poller.poll({ signal: {} as AbortSignal })).toThrow(/AbortSignal for signal/);
    expect(() => poller.poll(5 as never)).toThrow(/for options/);
  });

  it("an empty poller resolves at once with nothing, and its iteration ends", async () => {
    const poller = new Poller();
    expect(await within(poller.poll(), 1000, "poll")).toEqual([]);
    const results: unknown[] = [];
    for await (const ready of poller) results.push(ready);
    expect(results).toEqual([]);
  });
});
