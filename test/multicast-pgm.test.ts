// PGM multicast (pgm:// over raw IP, epgm:// over UDP) between two processes on two "hosts".
//
// Every network operation happens in namespaces the test creates; no real root is needed
// (see test/fixtures/multicast-rpc.ts): a root peer process runs in a fresh user + network
// namespace (`unshare -rn`; root there, with CAP_NET_RAW for pgm://), creates a veth pair,
// starts a nested peer in a network namespace of its own (`unshare -n`) and moves the other
// end of the pair into it by PID. The publisher runs on host A, the subscribers on host B;
// endpoints name the interface by its address (OpenPGM would resolve a name through DNS).
// When the test ends, the processes exit and the namespaces, with the veth pair, vanish.
//
// The CAP_NET_RAW check runs the peer without that capability, in two ways that work whether
// the test runs as root or not: as uid 65534 in a nested user namespace (no capabilities at
// all) and as root of a user namespace with CAP_NET_RAW dropped from the bounding set.
//
// The peers load lib/ (`npx tsc -p tsconfig.build.json`).
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";

import {
  PeerTree,
  expectCleanExit,
  hostsTrackedIn,
  launch,
  numbersOf,
  range,
  type ErrorInfo,
  type Received,
} from "./fixtures/multicast-rpc";
import { sleep } from "./helpers/lifecycle";

const trees: PeerTree[] = [];

afterEach(async () => {
  // Whatever a test left running: ask it to exit, then kill the process group.
  for (const tree of trees.splice(0)) await tree.shutdown(5_000);
});

const hosts = hostsTrackedIn(trees);

/**
 * PGM has no handshake: a subscriber receives only what is sent after its I/O thread joined
 * the group. Sends `${topic}${k}` from the publisher until the subscriber has received one.
 */
async function warmUp(
  tree: PeerTree,
  publisher: { peer?: string; id: string },
  subscriber: { peer?: string; id: string },
  topic: string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let k = 0; Date.now() < deadline; k++) {
    await tree.call({ ...publisher, op: "send", messages: [{ parts: [`${topic}${k}`] }] });
    const { count } = await tree.call<{ count: number }>({
      ...subscriber,
      op: "waitReceived",
      count: 1,
      timeoutMs: 200,
    });
    if (count > 0) return;
  }
  const { items } = await tree.call<{ items: Received[] }>({ ...subscriber, op: "received" });
  throw new Error(
    `the subscriber received nothing in 10 s (${items.length} items):\n${tree.output}`,
  );
}

const rateOptions = { rate: 10_000, recoveryInterval: 5_000 }; // 10 Mbit/s, 5 s of recovery

for (const { transport, subnet } of [
  { transport: "epgm", subnet: 71 },
  { transport: "pgm", subnet: 72 },
]) {
  describe(`${transport}:// between two network namespaces joined by a veth pair`, () => {
    const group = "239.192.7.1";
    const port = 5555;

    /** A Subscriber `id` on host B (address `b`), subscribed to `topics`, connected to the group. */
    async function subscriberOnB(
      tree: PeerTree,
      b: string,
      id: string,
      options: object,
      topics: string[],
    ): Promise<void> {
      await tree.call({ peer: "B", op: "socket", id, type: "Subscriber", options });
      await tree.call({ peer: "B", op: "call", id, method: "subscribe", args: topics });
      await tree.call({
        peer: "B",
        op: "call",
        id,
        method: "connect",
        args: [`${transport}://${b};${group}:${port}`],
      });
    }

    /** The Publisher "pub" on host A (address `a`), attached to the group by `method`. */
    async function publisherOnA(
      tree: PeerTree,
      a: string,
      method: "bind" | "connect",
    ): Promise<void> {
      await tree.call({
        op: "socket",
        id: "pub",
        type: "Publisher",
        options: { ...rateOptions, sendHighWaterMark: 0 },
      });
      await tree.call({
        op: "call",
        id: "pub",
        method,
        args: [`${transport}://${a};${group}:${port}`],
      });
    }

    it("PUB→SUB: 1000 numbered messages arrive once each, in order; other topics never", async () => {
      const { tree, a, b } = await hosts(subnet);
      const B = { peer: "B" };

      await subscriberOnB(tree, b, "sub", { ...rateOptions, receiveHighWaterMark: 0 }, [
        "data.",
        "warm.",
      ]);

      await publisherOnA(tree, a, "bind");

      await warmUp(tree, { id: "pub" }, { ...B, id: "sub" }, "warm.");
      await tree.call({ ...B, op: "received", id: "sub", clear: true });

      // Interleaved with the numbered messages: topics the subscriber must filter out, among
      // them prefixes of its subscription and a case variant.
      const messages = range(0, 1000).flatMap((i) =>
        [`data.${i}`, `other.${i}`, `dat.${i}`, `DATA.${i}`, `xdata.${i}`].map((text) => ({
          parts: [text],
        })),
      );
      await tree.call({ op: "send", id: "pub", messages, burst: 50, pauseMs: 5 }, 60_000);

      const waited = await tree.call<{ count: number }>(
        { ...B, op: "waitReceived", id: "sub", count: 1000, timeoutMs: 20_000, settleMs: 500 },
        30_000,
      );
      const { items, loopError } = await tree.call<{
        items: Received[];
        loopError: ErrorInfo | null;
      }>({
        ...B,
        op: "received",
        id: "sub",
      });
      expect(loopError).toBeNull();
      const data = numbersOf(items, "data.");
      // Every message accounted for: no gap, no duplicate, no reordering.
      expect(data.length, `received ${waited.count} messages`).toBe(1000);
      expect(data).toEqual(range(0, 1000));
      // Nothing but the subscribed topics (stray warm-up messages may still arrive).
      const foreign = items
        .map((item) => item.parts[0])
        .filter((part) => typeof part !== "string" || !/^(data|warm)\.\d+$/.test(part));
      expect(foreign).toEqual([]);
      // One frame per message.
      expect(items.filter((item) => item.parts.length !== 1)).toEqual([]);

      await expectCleanExit(tree, ["B"]);
    }, 90_000);

    it("a subscriber that joins late receives what is sent after it joined, without a gap", async () => {
      const { tree, a, b } = await hosts(subnet);
      const B = { peer: "B" };

      await publisherOnA(tree, a, "connect");
      // An early subscriber shows that the stream reaches host B from its first message on.
      await subscriberOnB(tree, b, "early", rateOptions, ["tick.", "warm."]);
      await warmUp(tree, { id: "pub" }, { ...B, id: "early" }, "warm.");

      await tree.call({ op: "streamStart", id: "pub", prefix: "tick.", intervalMs: 5 });
      const status = () =>
        tree.call<{ sent: number; error: ErrorInfo | null }>({ op: "streamStatus", id: "pub" });
      while ((await status()).sent < 200) await sleep(20);

      // Join while the stream runs. Everything numbered below `before` was sent before the
      // late subscriber existed.
      const before = (await status()).sent;
      await subscriberOnB(tree, b, "late", rateOptions, ["tick."]);
      const joined = (await status()).sent;
      const first = await tree.call<{ count: number }>({
        ...B,
        op: "waitReceived",
        id: "late",
        count: 1,
        timeoutMs: 5_000,
      });
      expect(first.count, "the late subscriber received nothing within 5 s").toBeGreaterThan(0);
      const firstSeen = (await status()).sent;
      await sleep(1_000);
      const stopped = await tree.call<{ sent: number; error: ErrorInfo | null }>({
        op: "streamStop",
        id: "pub",
      });
      expect(stopped.error).toBeNull();
      const total = stopped.sent;

      await tree.call({
        ...B,
        op: "waitReceived",
        id: "early",
        count: total + 1,
        timeoutMs: 10_000,
        settleMs: 500,
      });
      const late = numbersOf(
        (await tree.call<{ items: Received[] }>({ ...B, op: "received", id: "late" })).items,
        "tick.",
      );
      const early = numbersOf(
        (await tree.call<{ items: Received[] }>({ ...B, op: "received", id: "early" })).items,
        "tick.",
      );

      expect(early).toEqual(range(0, total));
      const start = late[0];
      // Nothing from before it existed; from its first message on, everything, once, in order.
      expect(start).toBeGreaterThanOrEqual(before);
      expect(late).toEqual(range(start, total));
      // And it started receiving when it joined (within half a second), not at some later point.
      expect(
        start - joined,
        `joined at ${joined}, first message seen by ${firstSeen}`,
      ).toBeLessThanOrEqual(100);

      await expectCleanExit(tree, ["B"]);
    }, 90_000);

    it("what the network loses is recovered (NAK/RDATA): every message arrives, in order", async () => {
      const { tree, a, b } = await hosts(subnet);
      const B = { peer: "B" };

      // A subscriber that stops reading: libzmq's pipe (100 messages) fills, its I/O thread stops
      // reading the PGM socket, and the kernel drops what does not fit in a 4 KiB buffer.
      const subOptions = { ...rateOptions, receiveHighWaterMark: 100, receiveBufferSize: 4096 };
      await subscriberOnB(tree, b, "sub", subOptions, ["n."]);
      await publisherOnA(tree, a, "connect");
      await warmUp(tree, { id: "pub" }, { ...B, id: "sub" }, "n.warm.");
      await tree.call({ ...B, op: "received", id: "sub", clear: true });

      type Drops = { total: number };
      const dropsBefore = await tree.call<Drops>({ ...B, op: "drops" });
      await tree.call({ ...B, op: "pauseReceiving", id: "sub" });
      const messages = range(0, 2000).map((i) => ({ parts: [`n.${i}`] }));
      await tree.call({ op: "send", id: "pub", messages, burst: 100, pauseMs: 2 }, 60_000);
      await sleep(300);
      const dropsAfter = await tree.call<Drops>({ ...B, op: "drops" });
      // The loss really happened (datagrams dropped by host B's kernel)…
      expect(dropsAfter.total - dropsBefore.total).toBeGreaterThan(0);

      await tree.call({ ...B, op: "resumeReceiving", id: "sub" });
      await tree.call(
        { ...B, op: "waitReceived", id: "sub", count: 2000, timeoutMs: 30_000, settleMs: 500 },
        40_000,
      );
      const { items } = await tree.call<{ items: Received[] }>({ ...B, op: "received", id: "sub" });
      // …and PGM repaired it from the publisher's transmit window (rate × recoveryInterval).
      expect(numbersOf(items, "n.").filter((n) => !Number.isNaN(n))).toEqual(range(0, 2000));

      await expectCleanExit(tree, ["B"]);
    }, 90_000);
  });
}

describe("pgm:// socket options", () => {
  it("rate, recoveryInterval, multicastHops, multicastMaxTransportDataUnit round-trip and apply", async () => {
    const { tree, a, b } = await hosts(73);
    const B = { peer: "B" };
    const group = "239.192.7.3";
    const names = ["rate", "recoveryInterval", "multicastHops", "multicastMaxTransportDataUnit"];

    const initial = {
      rate: 5_000,
      recoveryInterval: 3_000,
      multicastHops: 4,
      multicastMaxTransportDataUnit: 1_400,
    };
    await tree.call({ op: "socket", id: "pub", type: "Publisher", options: initial });
    expect(await tree.call({ op: "get", id: "pub", props: names })).toEqual(initial);

    const changed = {
      rate: 8_000,
      recoveryInterval: 2_500,
      multicastHops: 2,
      multicastMaxTransportDataUnit: 1_200,
    };
    await tree.call({ op: "set", id: "pub", values: changed });
    expect(await tree.call({ op: "get", id: "pub", props: names })).toEqual(changed);

    await tree.call({
      op: "call",
      id: "pub",
      method: "connect",
      args: [`pgm://${a};${group}:5556`],
    });
    // Still what was set, now that libzmq's I/O thread has opened the PGM socket with them.
    expect(await tree.call({ op: "get", id: "pub", props: names })).toEqual(changed);

    const subOptions = {
      rate: 8_000,
      recoveryInterval: 2_500,
      multicastMaxTransportDataUnit: 1_200,
    };
    await tree.call({ ...B, op: "socket", id: "sub", type: "Subscriber", options: subOptions });
    expect(await tree.call({ ...B, op: "get", id: "sub", props: Object.keys(subOptions) })).toEqual(
      subOptions,
    );
    await tree.call({ ...B, op: "call", id: "sub", method: "subscribe", args: [""] });
    await tree.call({
      ...B,
      op: "call",
      id: "sub",
      method: "connect",
      args: [`pgm://${b};${group}:5556`],
    });

    await warmUp(tree, { id: "pub" }, { ...B, id: "sub" }, "warm.");
    await tree.call({ ...B, op: "received", id: "sub", clear: true });

    // Messages larger than one TPDU (1200 bytes) travel as several PGM packets and arrive whole.
    const sizes = [1_100, 1_200, 5_000, 20_000];
    await tree.call({
      op: "send",
      id: "pub",
      messages: sizes.map((size, seed) => ({ parts: [{ size, seed }] })),
      burst: 1,
      pauseMs: 20,
    });
    await tree.call({
      ...B,
      op: "waitReceived",
      id: "sub",
      count: sizes.length,
      timeoutMs: 10_000,
      settleMs: 300,
    });
    const { items } = await tree.call<{ items: Received[] }>({ ...B, op: "received", id: "sub" });
    const arrived = items
      .map((item) => item.parts[0])
      .filter((part) => typeof part !== "string" || !part.startsWith("warm."));
    expect(arrived).toEqual(
      sizes.map((size, seed) => ({ length: size, sha256: sha256Of(size, seed) })),
    );

    await expectCleanExit(tree, ["B"]);
  }, 90_000);
});

describe("pgm:// without CAP_NET_RAW", () => {
  const pgmEndpoint = "pgm://127.0.0.1;239.192.7.2:5557";
  const epgmEndpoint = "epgm://127.0.0.1;239.192.7.2:5557";

  describe.each([
    {
      who: "uid 65534 in a user namespace of its own (no capabilities)",
      argv: launch.nobody,
      uid: 65534,
    },
    { who: "root of a user namespace without CAP_NET_RAW", argv: launch.rootWithoutNetRaw, uid: 0 },
  ])("$who", ({ argv, uid }) => {
    it("bind, bindSync and connect fail with EPERM naming epgm://; the process does not abort", async () => {
      const tree = new PeerTree(argv());
      trees.push(tree);
      await tree.ready();
      const identity = await tree.call<{ uid: number; netRaw: boolean }>({ op: "identity" });
      expect(identity).toMatchObject({ uid, netRaw: false });

      for (const type of ["Publisher", "Subscriber"]) {
        const id = type.toLowerCase();
        await tree.call({ op: "socket", id, type });
        for (const method of ["bind", "bindSync", "connect"]) {
          const answer = await tree.request({ op: "call", id, method, args: [pgmEndpoint] });
          expect(answer.ok, `${type}.${method}(${pgmEndpoint}) succeeded`).toBe(false);
          if (answer.ok) continue;
          expect(answer.error, `${type}.${method}`).toMatchObject({
            code: "EPERM",
            address: pgmEndpoint,
          });
          expect(answer.error.message).toMatch(/epgm/);
        }
      }

      // The same sockets work over epgm://, which needs no privilege: a message goes through.
      await tree.call({ op: "call", id: "subscriber", method: "subscribe", args: [""] });
      await tree.call({ op: "call", id: "subscriber", method: "connect", args: [epgmEndpoint] });
      await tree.call({ op: "call", id: "publisher", method: "bind", args: [epgmEndpoint] });
      await warmUp(tree, { id: "publisher" }, { id: "subscriber" }, "hello.");

      // Time for libzmq's I/O thread to have aborted, had a pgm:// endpoint reached it.
      await sleep(500);
      expect(await tree.call({ op: "ping" })).toMatchObject({ name: "plain" });
      await expectCleanExit(tree);
    }, 60_000);
  });
});

function sha256Of(size: number, seed: number): string {
  // The fixture's patterned buffer (makeFrame in multicast-peer.cjs).
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buffer[i] = (i * 31 + seed) & 0xff;
  return createHash("sha256").update(buffer).digest("hex");
}
