// What a seeded fuzzer of the public API found (2,000 cases): inputs that aborted the process,
// blocked the event loop, kept the process alive or leaked sockets. Each test failed before
// its fix.
import { describe, expect, it } from "vitest";

import { Pull, Push } from "../src/index";
import { bindFresh, transports } from "./helpers/endpoints";
import { track, trackChild, within } from "./helpers/lifecycle";
import { runFixture } from "./fixtures/reliability-helpers";

function runMode(mode: string, timeoutMs = 20_000) {
  const child = runFixture("fuzz-findings.cjs", [mode], { nodeArgs: ["--expose-gc"], timeoutMs });
  trackChild(child);
  return child.done;
}

describe("a context with every socket slot taken and a pending inproc connect", () => {
  for (const [mode, how] of [
    ["max-sockets-close", "ctx.close()"],
    ["max-sockets-gc", "garbage collection"],
    ["max-sockets-exit", "process.exit()"],
  ] as const) {
    it(`terminates on ${how} instead of aborting (libzmq asserted in ctx_t::terminate)`, async () => {
      const result = await runMode(mode);
      expect(result.signal, result.stderr).toBeNull();
      expect(result.stderr).not.toMatch(/Assertion failed/);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe("ok");
    });
  }
});

describe("sparse arrays are refused at their first hole", () => {
  it("sendBatch() of a sparse array of length 2**32-1 rejects with a TypeError at once", async () => {
    const push = track(new Push({ linger: 0 }));
    await bindFresh(push, "inproc");
    const sparse: unknown[] = new Array(2 ** 32 - 1);
    // Before the fix, normalising walked all four billion indices (about two minutes).
    const error = await within(
      push.sendBatch(sparse as never).then(
        () => undefined,
        (caught: unknown) => caught,
      ),
      5000,
      "sendBatch of a sparse array",
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/messages\[0\]/);
  });

  it("send() of a sparse multipart message of length 2**32-1 throws a TypeError naming it", () => {
    const push = track(new Push({ linger: 0 }));
    const sparse: unknown[] = new Array(2 ** 32 - 1);
    sparse[0] = "present";
    expect(() => push.send(sparse as never)).toThrow(TypeError);
    expect(() => push.trySend(sparse as never)).toThrow(/message/);
  });
});

describe("socket.events costs nothing until someone listens", () => {
  it("reading .events without a listener does not keep the process alive", async () => {
    const result = await runMode("events-unread");
    expect(result.timedOut, "the process never exited").toBe(false);
    expect(result.code, result.stderr).toBe(0);
  });

  it("300 dropped sockets whose .events was read are collected with their descriptors", async () => {
    const result = await runMode("events-dropped", 60_000);
    expect(result.code, result.stderr).toBe(0);
    const { before, peak, after } = JSON.parse(result.stdout) as Record<string, number>;
    expect(peak).toBeGreaterThan(before + 300); // the sockets and monitors did exist
    expect(after).toBeLessThan(before + 20);
  });
});

describe("messages have no frame limit but memory (libzmq has none)", () => {
  const FRAMES = 70_000; // above the 65,536 the library used to refuse

  for (const transport of transports) {
    it(`a message of ${FRAMES} frames arrives whole over ${transport}, sent alone or in a batch`, async () => {
      const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 0 }));
      const push = track(new Push({ linger: 0, sendHighWaterMark: 0 }));
      const address = await bindFresh(pull, transport);
      push.connect(address);
      const frames = Array.from({ length: FRAMES }, (_, i) => String(i));
      await within(push.send(frames), 20_000, "send");
      await within(push.sendBatch([["before"], frames, ["after"]]), 20_000, "sendBatch");
      const received = [
        await within(pull.receive(), 20_000, "receive"),
        ...(await within(pull.receiveBatch(), 20_000, "receiveBatch")),
      ];
      while (received.length < 4) received.push(await within(pull.receive(), 20_000, "receive"));
      expect(received.map((message) => message.length)).toEqual([FRAMES, 1, FRAMES, 1]);
      for (const message of [received[0], received[2]]) {
        expect(message.every((frame, i) => frame.toString() === String(i))).toBe(true);
      }
      expect(received[1].map(String)).toEqual(["before"]);
      expect(received[3].map(String)).toEqual(["after"]);
    });
  }
});
