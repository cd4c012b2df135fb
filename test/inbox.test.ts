// The receive side without sockets: the inbox and its serving of waiting receives
// (src/inbox.ts), and the decoding of a packed receive batch (src/receive-batch.ts) from a
// description written here by hand after binding/receive_layout.h.
import { describe, expect, it } from "vitest";

import { Inbox } from "../src/inbox";
import { addon } from "../src/native";
import { PendingQueue, type Pending } from "../src/pending";
import { decodeBatch, shapeFor } from "../src/receive-batch";

type Received = { value?: unknown; error?: unknown };

function receiver(log: Received[]): Pending<string> {
  const outcome: Received = {};
  log.push(outcome);
  return {
    settled: false,
    resolve: (value) => (outcome.value = value),
    reject: (error) => (outcome.error = error),
  };
}

describe("Inbox", () => {
  it("hands out a batch in order and refills only when empty", () => {
    const batches = [["a", "b"], ["c"], null];
    const calls: boolean[] = [];
    const inbox = new Inbox<string>((watch) => {
      calls.push(watch);
      return batches.shift() ?? null;
    });
    expect(inbox.hasMessages).toBe(false);
    expect(inbox.fill(true)).toBe(true);
    expect([inbox.take(), inbox.take()]).toEqual(["a", "b"]);
    expect(inbox.hasMessages).toBe(false);
    expect(inbox.fill()).toBe(true);
    expect(inbox.take()).toBe("c");
    expect(inbox.fill()).toBe(false);
    expect(calls).toEqual([true, false, false]);
  });

  it("serves waiting receives oldest first across batches, until the source runs dry", () => {
    const batches = [["a", "b"], ["c"]];
    const inbox = new Inbox<string>(() => batches.shift() ?? null);
    const queue = new PendingQueue<Pending<string>>("receive", () => {});
    const log: Received[] = [];
    for (let i = 0; i < 4; i++) queue.add(receiver(log), undefined);
    inbox.serve(queue);
    expect(log).toEqual([{ value: "a" }, { value: "b" }, { value: "c" }, {}]);
    expect(queue.pending).toBe(1);
  });

  it("a failing source rejects the first waiting receive only; the next are served", () => {
    const failure = new Error("EFSM");
    const results: Array<string[] | null | Error> = [failure, ["after"]];
    const inbox = new Inbox<string>(() => {
      const next = results.shift() ?? null;
      if (next instanceof Error) throw next;
      return next;
    });
    const queue = new PendingQueue<Pending<string>>("receive", () => {});
    const log: Received[] = [];
    queue.add(receiver(log), undefined);
    queue.add(receiver(log), undefined);
    inbox.serve(queue);
    expect(log).toEqual([{ error: failure }, { value: "after" }]);
  });

  it("clear() drops what was waiting", () => {
    const inbox = new Inbox<string>(() => ["x", "y"]);
    inbox.fill();
    inbox.clear();
    expect(inbox.hasMessages).toBe(false);
  });
});

// --- a receive batch, written by hand after binding/receive_layout.h --------------------------

const layout = addon.receiveLayout;

type FrameSpec = { slab: string } | { extra: string };
type MessageSpec = {
  frames: FrameSpec[] | { whole: string[] };
  routingId?: number;
  group?: { slab: string } | { extra: string };
};

/** Encodes messages as the addon would: small parts in one slab, others in `extra`. */
function encode(messages: MessageSpec[]) {
  const description = new Int32Array(layout.metaLength);
  const slabBytes: number[] = [];
  const extra: Array<Buffer | Buffer[]> = [];
  const place = (part: { slab: string } | { extra: string }): [number, number] => {
    if ("extra" in part) {
      extra.push(Buffer.from(part.extra));
      return [layout.inExtra, 0];
    }
    const bytes = [...Buffer.from(part.slab)];
    const offset = slabBytes.length;
    slabBytes.push(...bytes);
    return [offset, bytes.length];
  };
  description[layout.countSlot] = messages.length;
  let at = layout.firstMessageSlot;
  for (const message of messages) {
    const header = at;
    description[header + layout.routingIdField] = message.routingId ?? 0;
    description[header + layout.groupLengthField] = layout.noGroup;
    if (message.group !== undefined) {
      const [offset, length] = place(message.group);
      description[header + layout.groupOffsetField] = offset;
      description[header + layout.groupLengthField] = length;
    }
    at += layout.headerSlots;
    if ("whole" in message.frames) {
      description[header + layout.partsField] = layout.wholeInExtra;
      extra.push(message.frames.whole.map((frame) => Buffer.from(frame)));
      continue;
    }
    description[header + layout.partsField] = message.frames.length;
    for (const frame of message.frames) {
      const [offset, length] = place(frame);
      description[at + layout.frameOffsetField] = offset;
      description[at + layout.frameLengthField] = length;
      at += layout.frameSlots;
    }
  }
  return { description, slab: new Uint8Array(slabBytes).buffer, extra };
}

const text = (messages: Buffer[][]) => messages.map((frames) => frames.map(String));

describe("decodeBatch", () => {
  it("decodes frames from the slab and from extra, in order", () => {
    const { description, slab, extra } = encode([
      { frames: [{ slab: "hello" }, { slab: "" }, { extra: "big frame" }] },
      { frames: [{ slab: "second" }] },
      { frames: { whole: ["many", "frames", "whole"] } },
      { frames: [{ extra: "last" }] },
    ]);
    const messages = decodeBatch(description, slab, extra, null);
    expect(text(messages)).toEqual([
      ["hello", "", "big frame"],
      ["second"],
      ["many", "frames", "whole"],
      ["last"],
    ]);
  });

  it("frames from the slab are views of it, not copies", () => {
    const { description, slab, extra } = encode([{ frames: [{ slab: "abc" }, { slab: "de" }] }]);
    const [[first, second]] = decodeBatch(description, slab, extra, null);
    expect(first.buffer).toBe(slab);
    expect(second.buffer).toBe(slab);
    expect(second.byteOffset).toBe(3);
  });

  it("shapes routing ids (SERVER, PEER) and groups (DISH) as zeromq v6 does", () => {
    const routed = encode([
      { frames: [{ slab: "hi" }], routingId: 0x9abcdef0 | 0 }, // the bits of a uint32
    ]);
    expect(
      decodeBatch(routed.description, routed.slab, routed.extra, shapeFor("routingId")),
    ).toEqual([[Buffer.from("hi"), { routingId: 0x9abcdef0 }]]);

    const grouped = encode([
      { frames: [{ slab: "sunny" }], group: { slab: "weather" } },
      { frames: [{ slab: "goal" }], group: { extra: "sports" } },
    ]);
    expect(
      decodeBatch(grouped.description, grouped.slab, grouped.extra, shapeFor("group")),
    ).toEqual([
      [Buffer.from("sunny"), { group: Buffer.from("weather") }],
      [Buffer.from("goal"), { group: Buffer.from("sports") }],
    ]);
    expect(shapeFor("none")).toBeNull();
  });
});
