// Faults: peer processes killed (SIGKILL) and restarted at the same address while this process
// waits on them — REQ clients with and without relaxed/correlate (the Lazy Pirate pattern), a
// PUSH whose PULL peer dies mid-stream and comes back, a PULL whose PUSH peer does — and
// reconnectInterval / reconnectMaxInterval measured as the spacing of "connect:retry" events.
//
// Existing coverage not repeated: the connect/disconnect/retry event sequence and the
// interval of one retry (observer.test.ts), timeouts within one process
// (socket-semantics.test.ts), workers terminated mid-receive (worker-threads.test.ts).
import { describe, expect, it } from "vitest";

import { Pull, Push, Request, ZmqError, type EventOfType } from "../src/index";
import { lastJson, runFixture, sleep, within, type Child } from "./fixtures/reliability-helpers";
import { track, trackChild } from "./helpers/lifecycle";
import { expectErrno } from "./helpers/errors";
import { freePort } from "./helpers/ports";

function repServer(address: string, mode: "serve" | "hold" | "slow-first"): Child {
  return trackChild(
    runFixture("reliability-rep-server.cjs", [address, mode], { timeoutMs: 30_000 }),
  );
}

describe("a REP server process killed and restarted while REQ clients wait", () => {
  it(
    "with relaxed + correlate the client resends (Lazy Pirate) and gets the answer from the new server",
    { timeout: 30_000 },
    async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`;
      const first = repServer(address, "hold");
      await first.line("bound");
      const clients = Array.from({ length: 3 }, () =>
        track(
          new Request({
            relaxed: true,
            correlate: true,
            receiveTimeout: 400,
            linger: 0,
            reconnectInterval: 50,
          }),
        ),
      );
      for (const client of clients) client.connect(address);
      // One request reaches the server, which holds it; the others wait in REP's queue.
      const asked = clients.map((client, i) => client.send(`request-${i}`));
      await Promise.all(asked);
      await first.line(/^got request-/);
      first.kill("SIGKILL");
      await first.done;

      // The server is gone: no answer within receiveTimeout.
      for (const client of clients) await expectErrno("EAGAIN", () => client.receive());

      const second = repServer(address, "serve");
      await second.line("bound");
      // relaxed: a REQ may send again without an answer; correlate: only the answer to the
      // latest request is taken. Retry as the Lazy Pirate client does.
      const answers = await Promise.all(
        clients.map(async (client, i) => {
          for (let attempt = 1; attempt <= 20; attempt++) {
            await client.send(`request-${i}`);
            try {
              const [reply] = await client.receive();
              return { reply: reply.toString(), attempt };
            } catch (error) {
              if (!(error instanceof ZmqError) || error.code !== "EAGAIN") throw error;
            }
          }
          throw new Error(`client ${i}: no answer after 20 attempts`);
        }),
      );
      expect(answers.map((answer) => answer.reply)).toEqual([
        "reply:request-0",
        "reply:request-1",
        "reply:request-2",
      ]);
      // The clients go on working with the new server.
      for (const [i, client] of clients.entries()) {
        await client.send(`again-${i}`);
        expect((await client.receive())[0].toString()).toBe(`reply:again-${i}`);
      }
    },
  );

  it(
    "correlate discards the late answer to an abandoned request",
    { timeout: 20_000 },
    async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`;
      const server = repServer(address, "slow-first");
      await server.line("bound");
      const client = track(
        new Request({ relaxed: true, correlate: true, receiveTimeout: 300, linger: 0 }),
      );
      client.connect(address);
      await client.send("a");
      await expectErrno("EAGAIN", () => client.receive());
      // The answer to "a" comes 800 ms after it was asked, after "b" was sent: it must not be
      // taken for the answer to "b".
      await client.send("b");
      const replies: string[] = [];
      for (let i = 0; i < 10 && replies.length === 0; i++) {
        try {
          replies.push((await client.receive())[0].toString());
        } catch (error) {
          if (!(error instanceof ZmqError) || error.code !== "EAGAIN") throw error;
        }
      }
      expect(replies).toEqual(["reply:b"]);
    },
  );

  it(
    "without relaxed the receive times out with EAGAIN, a resend is EFSM, and the lost request stays unanswered",
    { timeout: 20_000 },
    async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`;
      const first = repServer(address, "hold");
      await first.line("bound");
      const client = track(new Request({ receiveTimeout: 400, linger: 0, reconnectInterval: 50 }));
      client.connect(address);
      await client.send("lost");
      await first.line("got lost");
      first.kill("SIGKILL");
      await first.done;
      const started = performance.now();
      await expectErrno("EAGAIN", () => client.receive());
      expect(performance.now() - started).toBeGreaterThanOrEqual(350);

      const second = repServer(address, "serve");
      await second.line("bound");
      await sleep(300); // time to reconnect
      // A strict REQ still waits for the answer to "lost": it may not send another request…
      await expectErrno("EFSM", () => client.send("another"));
      // …and the new server never saw "lost", so no answer comes.
      await expectErrno("EAGAIN", () => client.receive());
      expect(second.output()).not.toContain("got");
    },
  );
});

describe("a peer process killed mid-stream and restarted at the same address", () => {
  it(
    "PUSH survivor: its sends wait while the peer is gone and resume, in order, when a new peer binds",
    { timeout: 60_000 },
    async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`;
      const total = 40_000;
      const stopAfter = 5_000;
      const first = trackChild(
        runFixture("reliability-pull-peer.cjs", [address, String(stopAfter), "0"], {
          timeoutMs: 50_000,
        }),
      );
      await first.line("bound");
      const push = track(
        new Push({
          sendHighWaterMark: 100,
          reconnectInterval: 50,
          reconnectMaxInterval: 0,
          linger: 0,
        }),
      );
      push.connect(address);
      let accepted = 0;
      const sending = (async () => {
        for (let i = 0; i < total; i++) {
          // 1 KiB frames: what is in flight to the dead peer is bounded by HWMs and socket buffers.
          const frame = Buffer.alloc(1024);
          frame.writeUInt32LE(i);
          await push.send(frame);
          accepted = i + 1;
        }
      })();
      sending.catch(() => undefined);
      await first.line(`got ${stopAfter}`);
      await sleep(200);
      first.kill("SIGKILL");
      await first.done;
      await sleep(300);
      // With no peer, the survivor's sends wait: they neither fail nor complete.
      const acceptedWhileAlone = accepted;
      await sleep(300);
      expect(accepted).toBe(acceptedWhileAlone);
      expect(accepted).toBeLessThan(total);

      const second = trackChild(
        runFixture("reliability-pull-peer.cjs", [address, "0", String(total - 1)], {
          timeoutMs: 50_000,
        }),
      );
      await within(sending, 40_000, `sending resumed (${accepted} of ${total} accepted)`);
      const result = await second.done;
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = lastJson<{
        first: number;
        last: number;
        received: number;
        backwards: number;
        skipped: number;
      }>(result.stdout);
      const lost = report.first - stopAfter;
      console.log(
        `PUSH survivor: ${lost} messages of 1 KiB were in flight to the killed peer and lost; ${report.received} reached the new peer`,
      );
      // What was queued for the dead peer is lost (ZeroMQ does not resend); everything after it
      // arrives at the new peer exactly once and in order.
      expect(lost).toBeGreaterThanOrEqual(0);
      expect(report).toEqual({
        first: report.first,
        last: total - 1,
        received: total - report.first,
        backwards: 0,
        skipped: 0,
      });
    },
  );

  it(
    "PULL survivor: keeps receiving, and receives the new peer's stream whole after the old one died",
    { timeout: 60_000 },
    async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`;
      const pull = track(
        new Pull({
          receiveHighWaterMark: 10,
          reconnectInterval: 50,
          reconnectMaxInterval: 0,
          receiveTimeout: 15_000,
          linger: 0,
        }),
      );
      pull.connect(address);
      const first = trackChild(
        runFixture("reliability-push-sender.cjs", ["bind", address, "1000000", "10"], {
          timeoutMs: 50_000,
        }),
      );
      for (let i = 0; i < 10_000; i++) {
        const [frame] = await pull.receive();
        expect(frame.readUInt32LE(0)).toBe(i);
      }
      first.kill("SIGKILL");
      await first.done;
      const second = trackChild(
        runFixture("reliability-push-sender.cjs", ["bind", address, "20000", "10"], {
          timeoutMs: 50_000,
        }),
      );
      // What the old peer had written before it died (queued here or still in the kernel) comes
      // first, in order and without gaps; then the new peer's stream from its first message.
      let previous = 9_999;
      let value: number;
      for (;;) {
        value = (await pull.receive())[0].readUInt32LE(0);
        if (value !== previous + 1) break;
        previous = value;
      }
      console.log(
        `PULL survivor: ${previous - 9_999} messages of the killed peer arrived after it died`,
      );
      expect(value).toBe(0);
      for (let i = 1; i < 20_000; i++) {
        const [frame] = await pull.receive();
        expect(frame.readUInt32LE(0)).toBe(i);
      }
      const result = await second.done;
      expect(result.code).toBe(0);
      expect(pull.tryReceive()).toBeNull();
    },
  );
});

describe("reconnectInterval is honoured", () => {
  /** Collects "connect:retry" events (with the time they came) while connecting to a closed port. */
  async function retries(
    options: { reconnectInterval: number; reconnectMaxInterval?: number },
    ms: number,
  ) {
    const port = await freePort();
    const push = track(new Push({ linger: 0, ...options }));
    const seen: Array<{ at: number; event: EventOfType<"connect:retry"> }> = [];
    push.events.on("connect:retry", (event) => seen.push({ at: performance.now(), event }));
    push.connect(`tcp://127.0.0.1:${port}`);
    await sleep(ms);
    push.close();
    return seen;
  }

  /**
   * The time between two retries is the interval the first one announced (plus a failed
   * connect, which on loopback takes no time). Events reach JavaScript through the event loop,
   * so each arrival is a little late: single spacings get a margin, their sum a tight bound.
   */
  function expectSpacing(seen: Array<{ at: number; event: EventOfType<"connect:retry"> }>): void {
    let announced = 0;
    for (let i = 1; i < seen.length; i++) {
      const spacing = seen[i].at - seen[i - 1].at;
      expect(spacing).toBeGreaterThanOrEqual(seen[i - 1].event.interval - 50);
      expect(spacing).toBeLessThan(seen[i - 1].event.interval + 150);
      announced += seen[i - 1].event.interval;
    }
    const measured = seen[seen.length - 1].at - seen[0].at;
    expect(measured / announced).toBeGreaterThan(0.9);
    expect(measured / announced).toBeLessThan(1.25);
  }

  it(
    "reconnectInterval 100: retries come every 100–200 ms (libzmq adds up to one interval of jitter)",
    { timeout: 10_000 },
    async () => {
      const seen = await retries({ reconnectInterval: 100 }, 1600);
      expect(seen.length).toBeGreaterThanOrEqual(6);
      expect(seen.length).toBeLessThanOrEqual(17);
      for (const { event } of seen) {
        expect(event.interval).toBeGreaterThanOrEqual(100);
        expect(event.interval).toBeLessThan(200);
      }
      expectSpacing(seen);
    },
  );

  it(
    "reconnectInterval 400 retries about four times less often than 100",
    { timeout: 10_000 },
    async () => {
      const [fast, slow] = await Promise.all([
        retries({ reconnectInterval: 100 }, 2000),
        retries({ reconnectInterval: 400 }, 2000),
      ]);
      expect(slow.length).toBeGreaterThanOrEqual(2);
      expect(slow.length).toBeLessThanOrEqual(5);
      expect(fast.length).toBeGreaterThan(2 * slow.length);
      for (const { event } of slow) expect(event.interval).toBeGreaterThanOrEqual(400);
    },
  );

  it(
    "reconnectMaxInterval: the interval doubles from reconnectInterval up to the maximum",
    { timeout: 10_000 },
    async () => {
      const seen = await retries({ reconnectInterval: 50, reconnectMaxInterval: 400 }, 2600);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      // libzmq's n-th interval: min(50 * 2^n, 400) plus a jitter below the base interval (50).
      seen.forEach(({ event }, n) => {
        const base = Math.min(50 * 2 ** n, 400);
        expect(event.interval).toBeGreaterThanOrEqual(base);
        expect(event.interval).toBeLessThan(base + 50);
      });
      expectSpacing(seen);
    },
  );
});
