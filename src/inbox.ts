// The messages that receive batches took from libzmq and no receive() has asked for yet, and
// the serving of waiting receives from them. Every receive path takes from here first, so
// messages keep their order however they are asked for. The messages come from a source
// function (Socket's: one native receiveBatch call); nothing here knows sockets.
import type { Pending, PendingQueue } from "./pending";

/**
 * Takes every message ready now (null when none is); with `watch`, an empty result also starts
 * the wait for more. Throws what receiving failed with.
 */
export type MessageSource<M> = (watch: boolean) => M[] | null;

/** Received messages waiting to be taken, oldest first. */
export class Inbox<M> {
  #messages: M[] = [];
  #head = 0;

  constructor(private readonly source: MessageSource<M>) {}

  /** Whether a message is waiting. */
  get hasMessages(): boolean {
    return this.#head < this.#messages.length;
  }

  /** Refills the (drained) inbox from the source; returns whether any message came. */
  fill(watch = false): boolean {
    const batch = this.source(watch);
    this.#messages = batch ?? [];
    this.#head = 0;
    return batch !== null && batch.length > 0;
  }

  /** Takes the oldest message; there must be one (see hasMessages). */
  take(): M {
    const message = this.#messages[this.#head];
    // Let the message go as soon as it is taken: a batch can hold many large frames.
    this.#messages[this.#head++] = undefined as M;
    return message;
  }

  /**
   * Settles the waiting receives in order with the next messages, refilling from the source
   * until it has none. A failing source rejects the first waiting receive with its error.
   */
  serve(receivers: PendingQueue<Pending<M>>): void {
    while (receivers.pending > 0) {
      if (!this.hasMessages) {
        let found: boolean;
        try {
          found = this.fill();
        } catch (error) {
          receivers.take().reject(error);
          continue;
        }
        if (!found) return;
      }
      receivers.take().resolve(this.take());
    }
  }

  /** Drops every waiting message (the socket closed). */
  clear(): void {
    this.#messages = [];
    this.#head = 0;
  }
}
