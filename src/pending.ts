// Operations waiting for a socket: the sends that libzmq pushed back and the receives that
// found nothing, in the order they were made, each with its timeout (ZMQ_SNDTIMEO /
// ZMQ_RCVTIMEO, enforced here rather than by libzmq, which is only ever called without
// blocking) and its AbortSignal. The socket's readiness loop serves them; this module knows
// nothing of sockets.
import { ZmqError } from "./errors";
import { Queue } from "./util/queue";

/** A waiting operation: its promise's settle functions and what can settle it early. */
export interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  settled: boolean;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A waiting send: the message, converted already, and its routing id or group if any. */
export interface PendingSend extends Pending<void> {
  message: unknown;
  routingId?: number;
  group?: Buffer | string;
}

/** What an aborted operation rejects with: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * A FIFO of waiting operations. An operation settled by its timeout or signal stays in the
 * queue, marked, until it reaches the front (see `pending`): removing it from the middle would
 * cost a search, and nothing but the front is ever served.
 */
export class PendingQueue<P extends Pending<never> | Pending<void> | Pending<unknown>> {
  /** How long an operation may wait, ms; -1 forever. The socket options keep it in step. */
  timeout = -1;
  readonly #queue = new Queue<P>();

  /**
   * @param what the operation, for the timeout's message ("send", "receive")
   * @param onSettledEarly called after an operation was settled by its timeout or signal
   */
  constructor(
    private readonly what: string,
    private readonly onSettledEarly: () => void,
  ) {}

  /** How many operations the queue holds, counting those settled early but not yet dropped. */
  get size(): number {
    return this.#queue.size;
  }

  /** How many operations still wait (dropping those settled early from the front). */
  get pending(): number {
    return this.#dropSettled();
  }

  /** The first operation that still waits, left in the queue. */
  peek(): P | undefined {
    return this.pending > 0 ? this.#queue.peek() : undefined;
  }

  /** Queues an operation and starts its timeout and abort listener. */
  add(entry: P, signal: AbortSignal | undefined): void {
    const operation = entry as Pending<unknown>;
    const timeout = this.timeout;
    if (timeout >= 0) {
      operation.timer = setTimeout(() => {
        this.#settleEarly(
          operation,
          new ZmqError("EAGAIN", `Timed out after ${timeout} ms waiting to ${this.what}`),
        );
      }, timeout);
    }
    if (signal !== undefined) {
      operation.signal = signal;
      operation.onAbort = () => this.#settleEarly(operation, abortReason(signal));
      signal.addEventListener("abort", operation.onAbort, { once: true });
    }
    this.#queue.push(entry);
  }

  /**
   * Removes the first operation that still waits, its timeout and listener stopped, for the
   * caller to settle. The queue must have one (check `pending`).
   */
  take(): P {
    this.#dropSettled();
    const entry = this.#queue.shift()!;
    finish(entry);
    return entry;
  }

  /**
   * Offers the waiting operations to `offer` in order until it declines one (false): those it
   * takes resolve, those it throws for reject with the error. Returns whether any settled.
   */
  flush(this: PendingQueue<P & Pending<void>>, offer: (entry: P) => boolean): boolean {
    let progress = false;
    for (let entry = this.peek(); entry !== undefined; entry = this.peek()) {
      let taken: boolean;
      try {
        taken = offer(entry);
      } catch (error) {
        this.take().reject(error);
        progress = true;
        continue;
      }
      if (!taken) return progress;
      this.take().resolve();
      progress = true;
    }
    return progress;
  }

  /** Rejects every operation that still waits (the socket closed) and empties the queue. */
  rejectAll(error: () => unknown): void {
    for (const entry of this.#queue.drain()) {
      const operation = entry as Pending<unknown>;
      if (operation.settled) continue;
      finish(operation);
      operation.reject(error());
    }
  }

  #dropSettled(): number {
    while (this.#queue.size > 0 && this.#queue.peek()!.settled) this.#queue.shift();
    return this.#queue.size;
  }

  #settleEarly(entry: Pending<unknown>, error: unknown): void {
    if (entry.settled) return;
    finish(entry);
    entry.reject(error);
    this.onSettledEarly();
  }
}

function finish(entry: Pending<unknown>): void {
  entry.settled = true;
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (entry.onAbort !== undefined) entry.signal!.removeEventListener("abort", entry.onAbort);
}
