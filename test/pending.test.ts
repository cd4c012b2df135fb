// The queue of waiting operations (src/pending.ts), without sockets: order, timeouts, abort
// signals, and what closing does to them. The socket tests cover the same through libzmq.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ZmqError } from "../src/errors";
import { PendingQueue, type Pending } from "../src/pending";

/** An operation whose outcome the test can read synchronously. */
function operation() {
  const outcome: { value?: unknown; error?: unknown; settled: boolean } = { settled: false };
  const entry: Pending<void> & { id?: number } = {
    settled: false,
    resolve: (value) => Object.assign(outcome, { value, settled: true }),
    reject: (error) => Object.assign(outcome, { error, settled: true }),
  };
  return { entry, outcome };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("PendingQueue", () => {
  it("serves operations first in, first out", () => {
    const queue = new PendingQueue<Pending<void> & { id?: number }>("send", () => {});
    const ops = [1, 2, 3].map((id) => {
      const op = operation();
      op.entry.id = id;
      queue.add(op.entry, undefined);
      return op;
    });
    expect(queue.pending).toBe(3);
    expect(queue.take().id).toBe(1);
    expect(queue.peek()!.id).toBe(2);
    expect(queue.take().id).toBe(2);
    expect(queue.take().id).toBe(3);
    expect(queue.pending).toBe(0);
    expect(ops.every((op) => !op.outcome.settled)).toBe(true); // take() leaves settling to the caller
  });

  it("rejects an operation with EAGAIN once its timeout passes, and tells the owner", () => {
    const settledEarly = vi.fn();
    const queue = new PendingQueue<Pending<void>>("receive", settledEarly);
    queue.timeout = 50;
    const op = operation();
    queue.add(op.entry, undefined);
    vi.advanceTimersByTime(49);
    expect(op.outcome.settled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(op.outcome.error).toBeInstanceOf(ZmqError);
    expect(op.outcome.error).toMatchObject({
      code: "EAGAIN",
      message: "Timed out after 50 ms waiting to receive",
    });
    expect(settledEarly).toHaveBeenCalledTimes(1);
    // Settled early, it stays counted in size until it reaches the front, but no longer waits.
    expect(queue.size).toBe(1);
    expect(queue.pending).toBe(0);
    expect(queue.size).toBe(0);
  });

  it("uses the timeout set when the operation was queued, and none with -1", () => {
    const queue = new PendingQueue<Pending<void>>("send", () => {});
    const forever = operation();
    queue.add(forever.entry, undefined); // timeout -1 (the default): waits forever
    queue.timeout = 10;
    const bounded = operation();
    queue.add(bounded.entry, undefined);
    queue.timeout = -1;
    vi.advanceTimersByTime(1_000_000);
    expect(forever.outcome.settled).toBe(false);
    expect(bounded.outcome.error).toMatchObject({ code: "EAGAIN" });
  });

  it("rejects an aborted operation with the signal's reason and skips it", () => {
    const queue = new PendingQueue<Pending<void> & { id?: number }>("send", () => {});
    const controller = new AbortController();
    const first = operation();
    first.entry.id = 1;
    const second = operation();
    second.entry.id = 2;
    queue.add(first.entry, controller.signal);
    queue.add(second.entry, undefined);
    const reason = new Error("changed my mind");
    controller.abort(reason);
    expect(first.outcome.error).toBe(reason);
    expect(queue.peek()!.id).toBe(2);
  });

  it("an operation taken from the queue no longer reacts to its timeout or signal", () => {
    const settledEarly = vi.fn();
    const queue = new PendingQueue<Pending<void>>("send", settledEarly);
    queue.timeout = 5;
    const controller = new AbortController();
    const op = operation();
    queue.add(op.entry, controller.signal);
    queue.take().resolve();
    controller.abort();
    vi.advanceTimersByTime(100);
    expect(op.outcome).toEqual({ value: undefined, settled: true });
    expect(settledEarly).not.toHaveBeenCalled();
  });

  it("flush resolves what is taken, rejects what throws, and stops at the first refusal", () => {
    const queue = new PendingQueue<Pending<void> & { id?: number }>("send", () => {});
    const ops = [1, 2, 3, 4].map((id) => {
      const op = operation();
      op.entry.id = id;
      queue.add(op.entry, undefined);
      return op;
    });
    const failure = new ZmqError("EHOSTUNREACH", "Host unreachable");
    const offered: number[] = [];
    const progress = queue.flush((entry) => {
      offered.push(entry.id!);
      if (entry.id === 2) throw failure;
      return entry.id !== 3;
    });
    expect(progress).toBe(true);
    expect(offered).toEqual([1, 2, 3]);
    expect(ops.map((op) => op.outcome)).toEqual([
      { value: undefined, settled: true },
      { error: failure, settled: true },
      { settled: false },
      { settled: false },
    ]);
    expect(queue.pending).toBe(2);
    expect(queue.flush(() => false)).toBe(false);
  });

  it("rejectAll rejects each waiting operation with its own error, skipping settled ones", () => {
    const queue = new PendingQueue<Pending<void>>("send", () => {});
    queue.timeout = 1;
    const timedOut = operation();
    queue.add(timedOut.entry, undefined);
    vi.advanceTimersByTime(1);
    queue.timeout = -1;
    const a = operation();
    const b = operation();
    queue.add(a.entry, undefined);
    queue.add(b.entry, undefined);
    let made = 0;
    queue.rejectAll(() => new ZmqError("EAGAIN", `closed ${++made}`));
    expect(made).toBe(2);
    expect(timedOut.outcome.error).toMatchObject({
      message: "Timed out after 1 ms waiting to send",
    });
    expect(a.outcome.error).toMatchObject({ code: "EAGAIN", message: "closed 1" });
    expect(b.outcome.error).toMatchObject({ code: "EAGAIN", message: "closed 2" });
    expect(queue.size).toBe(0);
  });
});
