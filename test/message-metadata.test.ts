// receiveWithMetadata(): a message with its connection's metadata (zmq_msg_gets), over tcp,
// ipc and inproc, with a ZAP user id and a peer's ZMQ_METADATA properties. The oracles are
// independent of the code under test: the kernel's view of the tcp connection
// (/proc/net/tcp), this process's own uid/gid/pid for ipc (SO_PEERCRED), what the test told
// the peer to announce, and a pyzmq peer.
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";

import { Context, Dealer, Push, Pull, Request, Router, curveKeyPair } from "../src/index";
import { Client, Dish, Radio, Server } from "../src/draft";
import { Authenticator } from "../src/auth/index";
import { bindFresh, endpoint } from "./helpers/endpoints";
import { sleep, track, within } from "./helpers/lifecycle";
import { startChild, type Child } from "./helpers/children";
import { expectArgumentError, expectErrno, expectErrnoSync, rejection } from "./helpers/errors";

const PROPERTIES = ["X-Tenant", "X-Missing"];

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

/** The remote IPv4 addresses of established connections to local port `port`, per the kernel. */
function kernelRemoteHosts(port: number): string[] {
  const hosts: string[] = [];
  for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (local === undefined || remote === undefined || state !== "01") continue;
    if (Number.parseInt(local.split(":")[1], 16) !== port) continue;
    // Little-endian hex: 0200007F is 127.0.0.2.
    const hex = remote.split(":")[0];
    hosts.push([3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join("."));
  }
  return hosts;
}

describe("receiveWithMetadata: the connection a message came on", () => {
  it("tcp: Peer-Address is the peer's IP as the kernel sees it; Socket-Type, Routing-Id and X- properties", async () => {
    const router = track(new Router({ linger: 0 }));
    const address = await bindFresh(router, "tcp");
    const dealer = track(
      new Dealer({ linger: 0, routingId: "dealer-7", metadata: "X-Tenant:acme" }),
    );
    // A source address of its own, so that the peer address cannot be right by accident.
    dealer.connect(`tcp://127.0.0.2:0;${address.slice("tcp://".length)}`);
    await dealer.send(["hello", "world"]);
    // Reading ZMQ_EVENTS makes libzmq's ROUTER prefetch the message, and the routing-id frame
    // it then makes has no metadata (router.cpp, 4.3.4): the metadata must still be there.
    while (!router.readable) await sleep(5);

    const { message, metadata } = await within(
      router.receiveWithMetadata({ properties: PROPERTIES }),
    );
    expect(message.map(String)).toEqual(["dealer-7", "hello", "world"]);
    expect(kernelRemoteHosts(portOf(address))).toEqual(["127.0.0.2"]);
    expect(metadata).toEqual({
      peerAddress: "127.0.0.2",
      socketType: "DEALER",
      routingId: "dealer-7",
      properties: { "X-Tenant": "acme" },
    });

    // The other way: the dealer hears the router's side of the same connection.
    await router.send(["dealer-7", "reply"]);
    const back = await within(dealer.receiveWithMetadata());
    expect(back.message.map(String)).toEqual(["reply"]);
    expect(back.metadata).toEqual({
      peerAddress: "127.0.0.1",
      socketType: "ROUTER",
      routingId: "",
      properties: {},
    });
  });

  it("ipc: Peer-Address carries the peer process's uid, gid and pid (SO_PEERCRED)", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "ipc");
    const push = track(new Push({ linger: 0, metadata: "X-Tenant:acme" }));
    push.connect(address);
    await push.send("over ipc");
    const { message, metadata } = await within(
      pull.receiveWithMetadata({ properties: PROPERTIES }),
    );
    expect(message.map(String)).toEqual(["over ipc"]);
    expect(metadata?.peerAddress).toMatch(
      new RegExp(`:${process.getuid!()}:${process.getgid!()}:${process.pid}$`),
    );
    expect(metadata?.socketType).toBe("PUSH");
    expect(metadata?.properties).toEqual({ "X-Tenant": "acme" });
    // PUSH announces no routing id in its handshake (only REQ, DEALER and ROUTER do).
    expect(metadata?.routingId).toBeUndefined();
  });

  it("inproc: libzmq attaches no metadata to inproc connections", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "inproc");
    const push = track(new Push({ linger: 0, metadata: "X-Tenant:acme" }));
    push.connect(address);
    await push.send("in process");
    const { message, metadata } = await within(
      pull.receiveWithMetadata({ properties: PROPERTIES }),
    );
    expect(message.map(String)).toEqual(["in process"]);
    expect(metadata).toEqual({ properties: {} });
  });

  it.each(["tcp", "ipc"] as const)(
    "ZAP over %s: the user id authorize() maps a CURVE key to is on every message of that peer",
    async (transport) => {
      const context = track(new Context());
      const server = curveKeyPair();
      const alice = curveKeyPair();
      const bob = curveKeyPair();
      const accounts = new Map([
        [alice.publicKey, "alice@acme"],
        [bob.publicKey, "bob@acme"],
      ]);
      const auth = new Authenticator({
        context,
        authorize: ({ publicKey }) => ({
          allowed: accounts.has(publicKey),
          userId: accounts.get(publicKey),
        }),
      });
      auth.configureCurve("*", "any");
      await auth.start();
      try {
        const pull = track(
          new Pull({ context, linger: 0, curveServer: true, curveSecretKey: server.secretKey }),
        );
        const address = await bindFresh(pull, transport);
        for (const [name, keys] of [
          ["alice", alice],
          ["bob", bob],
        ] as const) {
          const push = track(
            new Push({
              context,
              linger: 0,
              curveServerKey: server.publicKey,
              curvePublicKey: keys.publicKey,
              curveSecretKey: keys.secretKey,
              metadata: `X-Tenant:${name}-tenant`,
            }),
          );
          push.connect(address);
          for (let i = 0; i < 3; i++) await push.send(`${name} ${i}`);
        }
        const seen: string[] = [];
        for (let i = 0; i < 6; i++) {
          const { message, metadata } = await within(
            pull.receiveWithMetadata({ properties: PROPERTIES }),
          );
          const [sender] = String(message[0]).split(" ");
          expect(metadata?.userId).toBe(`${sender}@acme`);
          expect(metadata?.properties).toEqual({ "X-Tenant": `${sender}-tenant` });
          seen.push(String(message[0]));
        }
        expect(seen.sort()).toEqual(["alice 0", "alice 1", "alice 2", "bob 0", "bob 1", "bob 2"]);
      } finally {
        await auth.stop();
      }
    },
  );

  it("ZAP with PLAIN: the user name is the user id; without ZAP there is none", async () => {
    const context = track(new Context());
    const auth = new Authenticator({ context }).configurePlain("*", { carol: "secret" });
    await auth.start();
    try {
      const pull = track(new Pull({ context, linger: 0, plainServer: true }));
      const address = await bindFresh(pull, "tcp");
      const push = track(
        new Push({ context, linger: 0, plainUsername: "carol", plainPassword: "secret" }),
      );
      push.connect(address);
      await push.send("signed in");
      const { metadata } = await within(pull.receiveWithMetadata());
      expect(metadata?.userId).toBe("carol");
    } finally {
      await auth.stop();
    }
    const open = track(new Pull({ linger: 0 }));
    const address = await bindFresh(open, "tcp");
    const anonymous = track(new Push({ linger: 0 }));
    anonymous.connect(address);
    await anonymous.send("anonymous");
    const { metadata } = await within(open.receiveWithMetadata());
    expect(metadata?.userId).toBeUndefined();
    expect(metadata?.peerAddress).toBe("127.0.0.1");
  });

  it("a pyzmq peer's ZMQ_METADATA property arrives", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "tcp");
    const script = [
      "import sys, zmq",
      "ctx = zmq.Context()",
      "s = ctx.socket(zmq.PUSH)",
      "s.setsockopt(zmq.METADATA, b'X-Tenant:from-python')",
      "s.connect(sys.argv[1])",
      "s.send(b'from python')",
      "s.close(linger=5000)",
      "ctx.term()",
      "print('sent', flush=True)",
    ].join("\n");
    const child: Child = startChild(["/usr/bin/python3", "-c", script, address], {
      timeoutMs: 20_000,
      name: "python3 metadata peer",
    });
    const { message, metadata } = await within(
      pull.receiveWithMetadata({ properties: PROPERTIES }),
      15_000,
    );
    expect(message.map(String)).toEqual(["from python"]);
    expect(metadata?.properties).toEqual({ "X-Tenant": "from-python" });
    expect(metadata?.socketType).toBe("PUSH");
    expect((await child.done).code).toBe(0);
  });

  it("what our metadata option announces, a pyzmq peer reads with frame.get()", async () => {
    const script = [
      "import sys, zmq",
      "ctx = zmq.Context()",
      "s = ctx.socket(zmq.PULL)",
      "port = s.bind_to_random_port('tcp://127.0.0.1')",
      "print('port', port, flush=True)",
      "f = s.recv(copy=False)",
      "print('got', f.bytes.decode(), f.get('X-Tenant'), f.get('Socket-Type'), flush=True)",
      "s.close(linger=0)",
      "ctx.term()",
    ].join("\n");
    const child: Child = startChild(["/usr/bin/python3", "-c", script], {
      timeoutMs: 20_000,
      name: "python3 metadata reader",
    });
    const port = (await child.line(/^port \d+/, 15_000)).split(" ")[1];
    const push = track(new Push({ linger: 0, metadata: "X-Tenant:from-node" }));
    push.connect(`tcp://127.0.0.1:${port}`);
    await push.send("from node");
    expect(await child.line(/^got /, 15_000)).toBe("got from node from-node PUSH");
    expect((await child.done).code).toBe(0);
  });

  it("a draft SERVER gets its usual [frame, { routingId }] shape, with the metadata", async () => {
    const server = track(new Server({ linger: 0 }));
    const address = await bindFresh(server, "tcp");
    const client = track(new Client({ linger: 0, metadata: "X-Tenant:acme" }));
    client.connect(address);
    await client.send("hi");
    const { message, metadata } = await within(
      server.receiveWithMetadata({ properties: PROPERTIES }),
    );
    const [frame, { routingId }] = message;
    expect(String(frame)).toBe("hi");
    await server.send("back", { routingId });
    expect(String((await within(client.receive()))[0])).toBe("back");
    expect(metadata?.socketType).toBe("CLIENT");
    expect(metadata?.properties).toEqual({ "X-Tenant": "acme" });
  });

  it("a draft DISH gets its usual [frame, { group }] shape, with the radio's metadata", async () => {
    const radio = track(new Radio({ linger: 0, metadata: "X-Tenant:acme" }));
    const dish = track(new Dish({ linger: 0 }));
    dish.connect(await bindFresh(radio, "tcp"));
    dish.join("news");
    // The join travels to the radio asynchronously: send until one arrives.
    const received = dish.receiveWithMetadata({ properties: PROPERTIES });
    let settled = false;
    void received.finally(() => (settled = true));
    for (let tries = 0; !settled && tries < 1000; tries++) {
      await radio.send("headline", { group: "news" });
      await sleep(5);
    }
    const { message, metadata } = await within(received);
    const [frame, { group }] = message;
    expect([String(frame), String(group)]).toEqual(["headline", "news"]);
    expect(metadata?.socketType).toBe("RADIO");
    expect(metadata?.properties).toEqual({ "X-Tenant": "acme" });
  });
});

describe("receiveWithMetadata beside receive(): order, waiting and errors", () => {
  it("messages a receive() batch took already come first, in order, with metadata null", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "tcp");
    const push = track(new Push({ linger: 0 }));
    push.connect(address);
    await push.sendBatch(["m0", "m1", "m2"]);
    // Let all three arrive, so that the first receive() batches them into the inbox.
    while (!pull.readable) await sleep(5);
    await sleep(50);
    expect(String((await pull.receive())[0])).toBe("m0");
    const inboxed = [await pull.receiveWithMetadata(), await pull.receiveWithMetadata()];
    expect(inboxed.map((r) => String(r.message[0]))).toEqual(["m1", "m2"]);
    expect(inboxed.map((r) => r.metadata)).toEqual([null, null]);
    // Once the inbox is drained, messages come straight from libzmq with their metadata.
    await push.send("m3");
    const fresh = await within(pull.receiveWithMetadata());
    expect(String(fresh.message[0])).toBe("m3");
    expect(fresh.metadata?.socketType).toBe("PUSH");
    // And receive() still works after it.
    await push.send("m4");
    expect(String((await within(pull.receive()))[0])).toBe("m4");
  });

  it("waits for a message that has not arrived yet, concurrent calls each get their own", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "ipc");
    const waiting = [pull.receiveWithMetadata(), pull.receiveWithMetadata()];
    await sleep(20);
    const push = track(new Push({ linger: 0 }));
    push.connect(address);
    await push.send("first");
    await push.send("second");
    const results = await within(Promise.all(waiting));
    expect(results.map((r) => String(r.message[0])).sort()).toEqual(["first", "second"]);
    for (const { metadata } of results) expect(metadata?.socketType).toBe("PUSH");
  });

  it("rejects with EAGAIN after receiveTimeout, on close, and with the signal's reason", async () => {
    const pull = track(new Pull({ linger: 0, receiveTimeout: 30 }));
    await pull.bind(endpoint("inproc"));
    await expectErrno("EAGAIN", () => pull.receiveWithMetadata());

    pull.receiveTimeout = -1;
    const controller = new AbortController();
    const aborted = rejection(() => pull.receiveWithMetadata({ signal: controller.signal }));
    const reason = new Error("no longer wanted");
    controller.abort(reason);
    expect(await aborted).toBe(reason);

    const closing = expectErrno("EAGAIN", () => pull.receiveWithMetadata());
    pull.close();
    await within(closing);
    expectErrnoSync("EBADF", () => pull.receiveWithMetadata());
  });

  it("libzmq's own refusal rejects with its errno: a REQ that has not sent gets EFSM", async () => {
    const request = track(new Request({ linger: 0 }));
    await expectErrno("EFSM", () => request.receiveWithMetadata());
  });

  it("names the bad argument: properties must be an array of non-empty names", () => {
    const pull = track(new Pull({ linger: 0 }));
    const call = (properties: unknown) =>
      pull.receiveWithMetadata({ properties } as unknown as { properties: string[] });
    expectArgumentError(TypeError, "properties", () => call("X-Tenant"));
    expectArgumentError(TypeError, "properties", () => call([42]));
    expectArgumentError(RangeError, "properties", () => call([""]));
    expectArgumentError(RangeError, "properties", () => call(["X-\0"]));
  });
});

describe("the metadata option (ZMQ_METADATA)", () => {
  it("adds one property per set; every one of them reaches the peer", async () => {
    const pull = track(new Pull({ linger: 0 }));
    const address = await bindFresh(pull, "tcp");
    const push = track(new Push({ linger: 0, metadata: "X-Tenant:acme" }));
    push.metadata = "X-Region:eu:west"; // the value is all after the first colon
    push.metadata = "X-Tenant:acme"; // the same value again changes nothing
    expect(push.metadata).toBe("X-Tenant:acme");
    push.connect(address);
    await push.send("both");
    const { metadata } = await within(
      pull.receiveWithMetadata({ properties: ["X-Tenant", "X-Region"] }),
    );
    expect(metadata?.properties).toEqual({ "X-Tenant": "acme", "X-Region": "eu:west" });
  });

  it("refuses what libzmq would drop unseen, and keeps libzmq's own EINVAL for the rest", () => {
    const push = track(new Push({ linger: 0, metadata: "X-Tenant:acme" }));
    // libzmq keeps the first value of a name and ignores the next, silently.
    const again = expectArgumentError(RangeError, "metadata", () => {
      push.metadata = "X-Tenant:other";
    });
    expect(again.message).toContain('X-Tenant is "acme"');
    // A NUL would cut the value short on the wire.
    expectArgumentError(RangeError, "metadata", () => {
      push.metadata = "X-Note:a\0b";
    });
    expectArgumentError(TypeError, "metadata", () => {
      (push as unknown as { metadata: unknown }).metadata = 7;
    });
    for (const bad of ["no-colon", "Tenant:acme", "X-Tenant:", ":acme"]) {
      expectErrnoSync("EINVAL", () => {
        push.metadata = bad;
      });
    }
    expect(push.metadata).toBe("X-Tenant:acme");
  });
});
