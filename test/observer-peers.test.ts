// PeerObserver over real sockets: a ROUTER that keeps the list of its 100 DEALER peers by
// remote address (checked against the kernel's own table of tcp connections), what libzmq
// gives as addresses over ipc, the event filter (libzmq sends nothing else: checked against a
// run where libzmq is asked for everything), and the monitor following the listeners (nothing
// monitored while nobody listens).
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";

import {
  Dealer,
  PeerObserver,
  Router,
  type PeerEvent,
  type PeerEventOfType,
  type Socket,
} from "../src/index";
import { Client, Server } from "../src/draft";
import { ZMQ } from "../src/generated/zmq-constants";
import { nativeSocketOf } from "../src/socket";
import { bindFresh } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";

// --- helpers ----------------------------------------------------------------------------------

/**
 * Waits until `condition()` holds, or fails saying `what` after `ms`. The default covers three
 * lost SYNs (Linux retransmits after 1, 3 and 7 s): on a loaded machine the kernel drops SYNs
 * on loopback (TcpExtListenDrops), and a tcp connection, with its accept event, then comes
 * seconds late. Under load with ASan that was once more than 10 s.
 */
async function until(condition: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await sleep(10);
  }
}

/**
 * The kernel's view (/proc/net/tcp): the local addresses of the established connections to
 * 127.0.0.1:`port` that are not the listener's side, i.e. the peers of a socket bound there.
 */
function kernelPeers(port: number): Set<string> {
  const peers = new Set<string>();
  for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (local === undefined || remote === undefined || state !== "01") continue;
    const [remoteHost, remotePort] = remote.split(":");
    if (remoteHost !== "0100007F" || Number.parseInt(remotePort, 16) !== port) continue;
    peers.add(`tcp://127.0.0.1:${Number.parseInt(local.split(":")[1], 16)}`);
  }
  return peers;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

/** What the Observer asks libzmq for: each versioned monitor's mask, and "stop" for monitor(null). */
function recordMonitorCalls(socket: Socket, widen = false): Array<number | "stop"> {
  const calls: Array<number | "stop"> = [];
  const target = nativeSocketOf(socket);
  const versioned = target.monitorVersioned.bind(target);
  const monitor = target.monitor.bind(target);
  // Own properties shadow the addon's (read-only) prototype methods for this one socket.
  Object.defineProperty(target, "monitorVersioned", {
    value: (endpoint: string, mask: number) => {
      calls.push(mask);
      versioned(endpoint, widen ? ZMQ.EVENT_ALL : mask);
    },
  });
  Object.defineProperty(target, "monitor", {
    value: (endpoint: string | null, mask?: number) => {
      if (endpoint === null) calls.push("stop");
      monitor(endpoint, mask);
    },
  });
  return calls;
}

/** Reads every event with `for await` until "end". */
function collect(observer: PeerObserver): { events: PeerEvent[]; finished: Promise<void> } {
  const events: PeerEvent[] = [];
  const finished = (async () => {
    for await (const event of observer) events.push(event);
  })();
  return { events, finished };
}

// --- keeping a list of peers --------------------------------------------------------------------

describe("a ROUTER keeps the list of its peers by remote address", () => {
  it("tracks 100 DEALERs connecting and disconnecting over tcp, as the kernel sees them", async () => {
    const router = track(new Router({ linger: 0 }));
    const peers = new Set<string>();
    const accepted: Array<PeerEventOfType<"accept">> = [];
    new PeerObserver(router, { events: ["accept", "disconnect"] })
      .on("accept", (event) => {
        accepted.push(event);
        peers.add(event.remote);
      })
      .on("disconnect", (event) => peers.delete(event.remote));
    const address = await bindFresh(router, "tcp");
    const port = portOf(address);

    const dealers = Array.from({ length: 100 }, () => track(new Dealer({ linger: 0 })));
    for (const dealer of dealers) dealer.connect(address);
    const same = () => [...peers].sort().join() === [...kernelPeers(port)].sort().join();
    await until(
      () => peers.size === 100 && same(),
      () => `${peers.size} peers tracked, ${kernelPeers(port).size} in the kernel`,
    );
    // Each accept names the router's own address as local, and a distinct peer as remote.
    expect(accepted).toHaveLength(100);
    for (const event of accepted) expect(event.local).toBe(address);

    // Every peer can be told apart by its messages too: each sends once, the router sees 100.
    await Promise.all(dealers.map((dealer, n) => dealer.send(`dealer ${n}`)));
    const senders = new Set<string>();
    while (senders.size < 100) {
      const [, body] = await within(router.receive(), 5000, "a dealer's message");
      senders.add(String(body));
    }

    // Half of them leave: exactly those are gone from the list.
    for (const dealer of dealers.slice(0, 50)) dealer.close();
    await until(
      () => peers.size === 50 && same(),
      () => `${peers.size} peers tracked, ${kernelPeers(port).size} in the kernel`,
    );
    // The rest leave as well.
    for (const dealer of dealers.slice(50)) dealer.close();
    await until(
      () => peers.size === 0 && kernelPeers(port).size === 0,
      () => `${peers.size} peers still tracked`,
    );
  }, 60_000);

  it("a SERVER (a thread-safe draft socket) sees its CLIENTs come and go the same way", async () => {
    const server = track(new Server({ linger: 0 }));
    const { events } = collect(new PeerObserver(server, { events: ["accept", "disconnect"] }));
    const address = await bindFresh(server, "tcp");
    const client = track(new Client({ linger: 0 }));
    client.connect(address);
    await until(
      () => kernelPeers(portOf(address)).size === 1 && events.length === 1,
      () => `${events.length} events`,
    );
    const [peer] = kernelPeers(portOf(address));
    client.close();
    await until(
      () => events.length === 2,
      () => `${events.length} events`,
    );
    expect(events).toEqual([
      { type: "accept", local: address, remote: peer },
      { type: "disconnect", local: address, remote: peer },
    ]);
  });

  it("over ipc libzmq names the accepted peer only ipc:// (a client's unix socket has no name)", async () => {
    const router = track(new Router({ linger: 0 }));
    const observer = new PeerObserver(router, { events: ["accept", "disconnect"] });
    const { events } = collect(observer);
    const address = await bindFresh(router, "ipc");
    const dealers = Array.from({ length: 10 }, () => track(new Dealer({ linger: 0 })));
    for (const dealer of dealers) dealer.connect(address);
    await until(
      () => events.length === 10,
      () => `${events.length} accepts`,
    );
    for (const dealer of dealers) dealer.close();
    await until(
      () => events.length === 20,
      () => `${events.length} events`,
    );
    expect(events.map((event) => event.type).sort()).toEqual([
      ...Array<string>(10).fill("accept"),
      ...Array<string>(10).fill("disconnect"),
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ local: address, remote: "ipc://" });
    }
    // The connecting side has the endpoint as remote, and no name of its own.
    const dealer = track(new Dealer({ linger: 0 }));
    const connects = new Promise<PeerEventOfType<"connect">>((resolve) =>
      new PeerObserver(dealer, { events: ["connect"] }).on("connect", resolve),
    );
    dealer.connect(address);
    expect(await within(connects)).toEqual({ type: "connect", local: "ipc://", remote: address });
  });
});

// --- the filter -----------------------------------------------------------------------------------

describe("the event filter", () => {
  /** One connect, message and disconnect, observed through `events`; what arrived, in order. */
  async function scenario(widen: boolean) {
    const router = track(new Router({ linger: 0 }));
    const calls = recordMonitorCalls(router, widen);
    const { events, finished } = collect(
      new PeerObserver(router, { events: ["accept", "disconnect"] }),
    );
    const address = await bindFresh(router, "tcp");
    const dealer = track(new Dealer({ linger: 0 }));
    dealer.connect(address);
    await dealer.send("hello");
    await within(router.receive());
    dealer.close();
    await until(
      () => events.some((event) => event.type === "disconnect"),
      () => `no disconnect; saw ${events.map((event) => event.type).join()}`,
    );
    router.close();
    await within(finished, 5000, "the end of the iteration");
    return { types: events.map((event) => event.type), calls };
  }

  it("libzmq sends only the events asked for (a run where it is asked for all sends more)", async () => {
    const filtered = await scenario(false);
    const mask = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_MONITOR_STOPPED;
    expect(filtered.calls).toEqual([mask]);
    expect(filtered.types).toEqual(["accept", "disconnect", "end"]);

    // The control: the same code with libzmq's mask widened. The events the filtered run
    // lacked arrive: what it lacked, libzmq never sent, as nothing filters them out later.
    const everything = await scenario(true);
    expect(everything.calls).toEqual([mask]);
    for (const type of ["bind", "handshake", "close"]) expect(everything.types).toContain(type);
    expect(everything.types.at(-1)).toBe("end");
  });

  it("monitors nothing until someone listens, then only what is listened to", async () => {
    const router = track(new Router({ linger: 0 }));
    const calls = recordMonitorCalls(router);
    const observer = new PeerObserver(router);
    const address = await bindFresh(router, "tcp");
    const port = portOf(address);

    // Nobody listens: nothing is monitored, and this accept is never reported.
    const early = track(new Dealer({ linger: 0 }));
    early.connect(address);
    await until(
      () => kernelPeers(port).size === 1,
      () => "the early dealer did not connect",
    );
    const earlyAddress = [...kernelPeers(port)][0];
    expect(calls).toEqual([]);

    const accepts: string[] = [];
    const disconnects: string[] = [];
    const onAccept = (event: PeerEventOfType<"accept">) => accepts.push(event.remote);
    const onDisconnect = (event: PeerEventOfType<"disconnect">) => disconnects.push(event.remote);
    observer.on("disconnect", onDisconnect);
    observer.on("accept", onAccept);
    const STOPPED = ZMQ.EVENT_MONITOR_STOPPED;
    expect(calls).toEqual([
      ZMQ.EVENT_DISCONNECTED | STOPPED,
      ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_ACCEPTED | STOPPED,
    ]);

    const late = track(new Dealer({ linger: 0 }));
    late.connect(address);
    await until(
      () => accepts.length === 1,
      () => "no accept for the late dealer",
    );
    const lateAddress = [...kernelPeers(port)].find((peer) => peer !== earlyAddress);
    expect(accepts).toEqual([lateAddress]);
    // A connection made while nothing was monitored still reports its disconnect.
    early.close();
    await until(
      () => disconnects.length === 1,
      () => "no disconnect for the early dealer",
    );
    expect(disconnects).toEqual([earlyAddress]);

    // The last listener gone, the monitor stops; what happens meanwhile is never reported.
    observer.off("accept", onAccept).off("disconnect", onDisconnect);
    expect(calls.at(-1)).toBe("stop");
    const unseen = track(new Dealer({ linger: 0 }));
    unseen.connect(address);
    await until(
      () => kernelPeers(port).size === 2,
      () => "the unseen dealer did not connect",
    );
    observer.on("accept", onAccept);
    late.close();
    unseen.close();
    const ended = new Promise((resolve) => observer.on("end", resolve));
    router.close();
    await within(ended, 5000, "the end event");
    expect(accepts).toEqual([lateAddress]);
    expect(disconnects).toEqual([earlyAddress]);
    expect(observer.closed).toBe(true);
  });

  it("rejects what is not an event type, and what is not an open socket", () => {
    const router = track(new Router({ linger: 0 }));
    expect(() => new PeerObserver(router, { events: ["nope" as never] })).toThrow(
      expect.objectContaining({ name: "TypeError", message: expect.stringMatching(/events\[0\]/) }),
    );
    expect(() => new PeerObserver(router, { events: "accept" as never })).toThrow(TypeError);
    expect(() => new PeerObserver(router, null as never)).toThrow(TypeError);
    expect(() => new PeerObserver({} as never)).toThrow(TypeError);
    const closed = new Router();
    closed.close();
    expect(() => new PeerObserver(closed)).toThrow(expect.objectContaining({ code: "EBADF" }));

    // The native layer's own last line, for a caller that skips the TypeScript checks.
    const native = nativeSocketOf(router);
    expect(() => native.monitorVersioned(42 as never, 1)).toThrow(TypeError);
    expect(() => native.monitorVersioned("inproc://peers-bad", -1)).toThrow(TypeError);
    expect(() => native.monitorVersioned("inproc://peers-bad", 2 ** 40)).toThrow(TypeError);
    expect(() => native.monitorVersioned("inproc://a\0b", 1)).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
    expect(() => native.monitorVersioned("tcp://127.0.0.1:1", 1)).toThrow(
      expect.objectContaining({ code: "EPROTONOSUPPORT" }),
    );
  });

  it("a closed socket's observer is closed, even if it never monitored; receive() rejects", async () => {
    const router = new Router({ linger: 0 });
    const observer = new PeerObserver(router);
    router.close();
    expect(observer.closed).toBe(true);
    await expect(observer.receive()).rejects.toMatchObject({ code: "EBADF" });
  });
});
