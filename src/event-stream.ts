// The consumer side every Observer shares: events are read by `for await`, by receive(), or
// EventEmitter-style with on(); the subclass says where they come from and is told whenever
// the demand for them changes (a listener added or removed, a reader starting or stopping).
import { EventEmitter } from "node:events";

import { atCallSite, captureCallSite } from "./call-site";
import { ZmqError } from "./errors";

/** Events kept for a reader that is not reading; older ones are dropped beyond this. */
const MAX_BUFFERED_EVENTS = 10_000;

/** A listener of the events of type `T` among the events `E`. */
export type EventListener<
  E extends {
    /** The event's type. */
    type: string;
  },
  T extends E["type"],
> = (
  event: Extract<
    E,
    {
      /** The type listened to. */
      type: T;
    }
  >,
) => void;

/**
 * A stream of socket events of type `E` (see {@link Observer} and {@link PeerObserver}):
 * iterate it, `receive()` from it, or listen with `on(type, listener)`. It ends with an
 * `"end"` event when its socket closes.
 */
export abstract class EventStream<
  E extends {
    /** The event's type, e.g. "accept". */
    type: string;
  },
> {
  readonly #buffered: E[] = [];
  readonly #waiting: { resolve(event: E): void; reject(error: unknown): void }[] = [];
  #emitter: EventEmitter | undefined;
  #ended = false;
  #iterators = 0;
  #received = false;

  /** Called whenever listeners or readers come or go; the subclass starts or adapts its source. */
  protected abstract demandChanged(): void;

  /** Stops observing: the socket stops publishing events to this observer. */
  abstract close(): void;

  /** Whether someone reads events by receive() or iteration (`for await`). */
  protected get pulling(): boolean {
    return this.#received || this.#iterators > 0;
  }

  /** The event types with at least one listener (emitter mode). */
  protected get listenedTypes(): string[] {
    const emitter = this.#emitter;
    if (emitter === undefined) return [];
    return emitter.eventNames().filter((name): name is string => typeof name === "string");
  }

  /** Hands an event to a listener, a waiting receive(), or the buffer. */
  protected deliver(event: E): void {
    // The observer is closed from its last event on, before anyone sees it.
    if (event.type === "end") this.end();
    if (this.#emitter !== undefined) {
      this.#emitter.emit(event.type, event);
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve(event);
      return;
    }
    this.#buffered.push(event);
    if (this.#buffered.length > MAX_BUFFERED_EVENTS) this.#buffered.shift();
  }

  /** Marks the stream ended; pending receive() calls reject with EBADF. Returns false if it was. */
  protected end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    // Waiters are served in order: an "end" being delivered goes to the first one.
    queueMicrotask(() => {
      for (const waiter of this.#waiting.splice(0)) {
        waiter.reject(new ZmqError("EBADF", "Observer is closed"));
      }
    });
    return true;
  }

  /** Whether the observer has stopped (closed, or its socket closed). */
  get closed(): boolean {
    return this.#ended;
  }

  /** The next event; rejects with EBADF once the observer has ended and no events remain. */
  receive(): Promise<E> {
    if (this.#emitter !== undefined) {
      throw new Error("Observer is in event emitter mode: use on()/off(), not receive()");
    }
    if (!this.#received) {
      this.#received = true;
      this.demandChanged();
    }
    return this.#next();
  }

  #next(): Promise<E> {
    const event = this.#buffered.shift();
    if (event !== undefined) return Promise.resolve(event);
    if (this.#ended) return Promise.reject(new ZmqError("EBADF", "Observer is closed"));
    // It settles later, maybe with EBADF when the observer ends: keep the caller's stack for that.
    const site = captureCallSite(this.#next);
    return new Promise((resolve, reject) =>
      this.#waiting.push({ resolve, reject: (error) => reject(atCallSite(error, site)) }),
    );
  }

  /**
   * `for await (const event of observer)`: every event, in order, until the "end" event
   * (which is yielded too) or until the observer is closed.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<E, undefined> {
    if (this.#emitter !== undefined) {
      throw new Error("Observer is in event emitter mode: use on()/off(), not iteration");
    }
    this.#iterators++;
    this.demandChanged();
    try {
      for (;;) {
        let event: E;
        try {
          event = await this.#next();
        } catch (error) {
          if (this.#ended) return undefined;
          throw error;
        }
        yield event;
        if (event.type === "end") return undefined;
      }
    } finally {
      this.#iterators--;
      if (!this.#ended) this.demandChanged();
    }
  }

  /** Calls `listener` for every event of `type` (switches the observer to emitter mode). */
  on<T extends E["type"]>(type: T, listener: EventListener<E, T>): this {
    this.#emitterStarted().on(type, listener as (event: E) => void);
    this.demandChanged();
    return this;
  }

  /** Removes a listener added with on(). */
  off<T extends E["type"]>(type: T, listener: EventListener<E, T>): this {
    if (this.#emitter === undefined) return this;
    this.#emitter.off(type, listener as (event: E) => void);
    this.demandChanged();
    return this;
  }

  #emitterStarted(): EventEmitter {
    if (this.#emitter !== undefined) return this.#emitter;
    const emitter = (this.#emitter = new EventEmitter());
    // Events that arrived before the first listener are delivered to it, in order.
    const earlier = this.#buffered.splice(0);
    queueMicrotask(() => {
      for (const event of earlier) emitter.emit(event.type, event);
    });
    return emitter;
  }
}
