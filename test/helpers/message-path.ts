// Runs a message plan end to end: a backlog sent and left queued at the receiver before the
// first receive, then live messages sent while the receiver takes everything with a mix of
// receive styles. The oracle is the plan alone: every message arrives once, in order, with its
// frame count and every frame byte-exact (see message-content.ts).
import { type Transport } from "./endpoints";
import { sleep } from "./lifecycle";
import { MessageContent } from "./message-content";
import { openPeers, type PeerKind, type Peers, type Receiver } from "./message-peers";

export type SendStyle = "send" | "send unawaited" | "trySend" | "sendBatch";
export type ReceiveStyle = "receive" | "tryReceive" | "receiveBatch" | "for await";

/** One step of a style cycle: `count` messages the same way (receiveBatch: its `max`). */
export interface Step<S> {
  style: S;
  count: number;
}

/** Message shape: `frames` frames, frame f of `sizes[f % sizes.length]` bytes. */
export interface Shape {
  frames: number;
  sizes: number[];
}

export interface Plan {
  kind: PeerKind;
  transport: Transport;
  /** Message m has shape shapes[m % shapes.length]. */
  shapes: Shape[];
  /** Messages sent, and queued at the receiver, before the first receive. */
  backlog: number;
  /** Messages sent while the receiver receives. */
  live: number;
  sends: Step<SendStyle>[];
  receives: Step<ReceiveStyle>[];
  /** Varies the frame bodies, the dealer's identity and the groups' order. */
  salt: number;
  /** RADIO/DISH: the groups joined, message m to groups[m % groups.length]. */
  groups: string[];
}

export const sizeOf = (shape: Shape, frame: number) => shape.sizes[frame % shape.sizes.length];

/** Total bytes and frames of the first `messages` messages of `shapes`. */
export function volume(shapes: Shape[], messages: number): { bytes: number; frames: number } {
  let bytes = 0;
  let frames = 0;
  for (let m = 0; m < messages; m++) {
    const shape = shapes[m % shapes.length];
    frames += shape.frames;
    for (let f = 0; f < shape.frames; f++) bytes += sizeOf(shape, f);
  }
  return { bytes, frames };
}

/** Runs `plan` and throws, saying where and how, on the first message that is not as planned. */
export async function runPlan(plan: Plan): Promise<void> {
  const total = plan.backlog + plan.live;
  const content = new MessageContent(plan.salt);
  const { bytes } = volume(plan.shapes, total);
  // Generous: only a hang should ever reach it (the bound keeps a hang from eating the run).
  const deadline = Date.now() + 20_000 + bytes / 2_000;
  const peers = await openPeers(plan.kind, plan.transport, {
    identity: `dealer-${plan.salt}`,
    groups: plan.groups,
  });
  try {
    const sender = new Sender(peers, plan, content);
    await sender.sendUpTo(plan.backlog);
    await queued(peers.receiver, plan, volume(plan.shapes, plan.backlog).bytes, deadline);
    const receiving = receiveAll(peers, plan, content, total, deadline);
    await Promise.all([receiving, sender.sendUpTo(total)]);
    // Nothing beyond the plan: no duplicate, no stray message.
    await sleep(5);
    const extra = peers.receiver.tryReceive();
    if (extra !== null) throw new Error(`a message beyond the ${total} sent arrived`);
  } finally {
    peers.close();
  }
}

/** Sends the plan's messages in order, cycling through its send styles. */
class Sender {
  #next = 0;
  #step = 0;

  constructor(
    private readonly peers: Peers,
    private readonly plan: Plan,
    private readonly content: MessageContent,
  ) {}

  #message(m: number): Buffer[] {
    const shape = this.plan.shapes[m % this.plan.shapes.length];
    return Array.from({ length: shape.frames }, (_, f) =>
      this.content.frame(m, f, sizeOf(shape, f)),
    );
  }

  async sendUpTo(end: number): Promise<void> {
    const { peers } = this;
    while (this.#next < end) {
      const { style, count } = this.plan.sends[this.#step++ % this.plan.sends.length];
      const first = this.#next;
      const last = Math.min(end, first + count);
      this.#next = last;
      if (style === "sendBatch" && peers.sendBatch !== undefined) {
        const messages = [];
        for (let m = first; m < last; m++) messages.push(this.#message(m));
        await peers.sendBatch(messages);
      } else if (style === "send unawaited") {
        const sends = [];
        for (let m = first; m < last; m++) sends.push(peers.send(this.#message(m), m));
        await Promise.all(sends);
      } else if (style === "trySend") {
        for (let m = first; m < last; m++) {
          const frames = this.#message(m);
          if (!peers.trySend(frames, m)) await peers.send(frames, m);
        }
      } else {
        for (let m = first; m < last; m++) await peers.send(this.#message(m), m);
      }
    }
  }
}

/**
 * Waits until the backlog is at the receiver. Only its arrival is observable (readable); over
 * a connection the rest follows at loopback speed, so a little time per byte is added. This
 * bounds how large the first batches are, never whether the oracle holds.
 */
async function queued(receiver: Receiver, plan: Plan, bytes: number, deadline: number) {
  if (plan.backlog === 0) return;
  while (!receiver.readable) {
    if (Date.now() > deadline) throw new Error("the backlog never became readable");
    await sleep(1);
  }
  if (plan.transport !== "inproc") await sleep(Math.min(300, 5 + bytes / 100_000));
}

async function receiveAll(
  peers: Peers,
  plan: Plan,
  content: MessageContent,
  total: number,
  deadline: number,
): Promise<void> {
  const { receiver } = peers;
  let received = 0;
  let step = 0;
  const check = (message: unknown[], style: ReceiveStyle) => {
    const m = received++;
    const fail = (why: string) => {
      throw new Error(`message ${m} of ${total} (taken by ${style}): ${why}`);
    };
    let frames: unknown[];
    try {
      frames = peers.payload(message, m);
    } catch (error) {
      return fail((error as Error).message);
    }
    const shape = plan.shapes[m % plan.shapes.length];
    if (frames.length !== shape.frames) {
      const first = content.mismatch(frames[0], m, 0, sizeOf(shape, 0));
      fail(`${frames.length} frames instead of ${shape.frames}; frame 0: ${first ?? "as planned"}`);
    }
    for (let f = 0; f < shape.frames; f++) {
      const why = content.mismatch(frames[f], m, f, sizeOf(shape, f));
      if (why !== null) fail(`frame ${f} of ${shape.frames}: ${why}`);
    }
  };
  const timedOut = () => {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${received} of ${total} messages`);
    }
  };

  while (received < total) {
    const { style, count } = plan.receives[step++ % plan.receives.length];
    const want = Math.min(count, total - received);
    switch (style) {
      case "receive":
        for (let k = 0; k < want; k++) check(await bounded(receiver.receive(), deadline), style);
        break;
      case "tryReceive":
        for (let k = 0; k < want; k++) {
          let message = receiver.tryReceive();
          while (message === null) {
            timedOut();
            await sleep(1);
            message = receiver.tryReceive();
          }
          check(message, style);
        }
        break;
      case "receiveBatch": {
        const batch = await bounded(receiver.receiveBatch(want), deadline);
        if (batch.length === 0 || batch.length > want) {
          throw new Error(`receiveBatch(${want}) returned ${batch.length} messages`);
        }
        for (const message of batch) check(message, style);
        break;
      }
      case "for await": {
        let taken = 0;
        for await (const message of iterable(receiver, deadline)) {
          check(message, style);
          if (++taken === want) break;
        }
        if (taken < want) throw new Error(`for await ended after ${received} of ${total}`);
        break;
      }
    }
  }
}

/** The receiver as an async iterable, each step bounded by `deadline`. */
function iterable(receiver: Receiver, deadline: number): AsyncIterable<unknown[]> {
  const iterator = receiver[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => bounded(iterator.next(), deadline),
      return: () => iterator.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    }),
  };
}

/** `promise`, or a rejection once `deadline` has passed (the caller's finally closes sockets). */
function bounded<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("a receive did not complete by the deadline")),
        Math.max(0, deadline - Date.now()),
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
