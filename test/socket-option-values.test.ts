// Socket options case by case: the option table against zmq.h, CURVE keys in their three forms,
// 64-bit values, booleans, the security mechanism, the informational read-only options, null
// for clearing, libzmq's own validation and the timeouts the send and receive queues use. The
// defaults, round trips and ranges of every option are in socket-options.test.ts.
import { afterEach, describe, expect, it } from "vitest";

import { ZMQ } from "../src/generated/zmq-constants";
import { Push, Router, Subscriber, curveKeyPair, z85Encode } from "../src/index";
import { socketOptions, type OptionSpec } from "../src/options";
import type { Socket } from "../src/socket";
import * as draft from "../src/draft";
import * as stable from "../src/index";
import { expectArgumentError, expectErrno, expectErrnoSync } from "./helpers/errors";

type AnySocket = Socket & Record<string, unknown>;
const optionEntries = Object.entries(socketOptions) as Array<[string, OptionSpec]>;

const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.close();
});

function open(name: string, options?: object): AnySocket {
  const entry = { ...stable, ...draft } as unknown as Record<string, new (o?: object) => Socket>;
  const socket = new entry[name](options);
  opened.push(socket);
  return socket as AnySocket;
}

const keys = curveKeyPair();
const serverKeys = curveKeyPair();

describe("the socket option table", () => {
  it("names every option once per libzmq id (aliases aside)", () => {
    const ids = optionEntries.map(([, spec]) => spec.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("leaves out the options this libzmq build rejects (TLS, VMCI)", () => {
    const ids = new Set(optionEntries.map(([, spec]) => spec.id));
    for (const id of [
      ZMQ.VMCI_BUFFER_SIZE,
      ZMQ.VMCI_BUFFER_MIN_SIZE,
      ZMQ.VMCI_BUFFER_MAX_SIZE,
      ZMQ.VMCI_CONNECT_TIMEOUT,
    ]) {
      expect(ids.has(id)).toBe(false);
    }
    for (const id of [
      ZMQ.WSS_KEY_PEM,
      ZMQ.WSS_CERT_PEM,
      ZMQ.WSS_TRUST_PEM,
      ZMQ.WSS_HOSTNAME,
      ZMQ.WSS_TRUST_SYSTEM,
    ]) {
      expect(ids.has(id)).toBe(false);
    }
  });

  it("includes the draft options of libzmq 4.3.4", () => {
    const ids = new Set(optionEntries.map(([, spec]) => spec.id));
    for (const id of [
      ZMQ.ZAP_ENFORCE_DOMAIN,
      ZMQ.LOOPBACK_FASTPATH,
      ZMQ.METADATA,
      ZMQ.MULTICAST_LOOP,
      ZMQ.ROUTER_NOTIFY,
      ZMQ.XPUB_MANUAL_LAST_VALUE,
      ZMQ.SOCKS_USERNAME,
      ZMQ.SOCKS_PASSWORD,
      ZMQ.IN_BATCH_SIZE,
      ZMQ.OUT_BATCH_SIZE,
      ZMQ.ONLY_FIRST_SUBSCRIBE,
      ZMQ.RECONNECT_STOP,
      ZMQ.HELLO_MSG,
      ZMQ.DISCONNECT_MSG,
      ZMQ.PRIORITY,
    ]) {
      expect(ids.has(id)).toBe(true);
    }
  });
});

describe("socket options by hand", () => {
  it("applies constructor options", () => {
    // Typed, without casts: options with a default `on` ("all") are part of every class's type.
    const push = new Push({ sendHighWaterMark: 5, linger: 0, ipv6: true, immediate: true });
    opened.push(push);
    expect(push.sendHighWaterMark).toBe(5);
    expect(push.linger).toBe(0);
    const typed: { ipv6: boolean; immediate: boolean; zapDomain: string | null } = push;
    expect(typed.ipv6).toBe(true);
    expect(typed.immediate).toBe(true);
    const router = new Router({ mandatory: true, routingId: "me", connectionNotify: 3 });
    opened.push(router);
    expect(router.mandatory).toBe(true);
    expect(router.routingId).toBe("me");
    expect(router.connectionNotify).toBe(3);
  });

  it("rejects unknown constructor keys with a TypeError naming the key", () => {
    expectArgumentError(
      TypeError,
      "sendHighwaterMark",
      () => new Push({ sendHighwaterMark: 5 } as never),
    );
    expectArgumentError(TypeError, "mandatory", () => new Push({ mandatory: true } as never));
    expectArgumentError(
      TypeError,
      "sendTimeout",
      () => new Subscriber({ sendTimeout: 5 } as never),
    );
  });

  it("takes CURVE keys as Z85 strings, Buffers and Uint8Arrays and returns Z85", () => {
    const socket = open("Dealer");
    expect(socket.curvePublicKey).toBe(z85Encode(Buffer.alloc(32)));
    socket.curvePublicKey = keys.publicKey;
    expect(socket.curvePublicKey).toBe(keys.publicKey);
    const bytes = Buffer.alloc(32, 7);
    socket.curveSecretKey = bytes;
    expect(socket.curveSecretKey).toBe(z85Encode(bytes));
    const view = new Uint8Array(40).fill(9).subarray(4, 36);
    socket.curveServerKey = view;
    expect(socket.curveServerKey).toBe(z85Encode(view));
    expect(socket.securityMechanism).toBe("curve");
  });

  it("rejects null for a CURVE key with an error naming the option", () => {
    // libzmq 4.3.4 cannot clear a CURVE key (set_curve_key takes 32 bytes or 40/41 Z85 characters).
    const socket = open("Dealer");
    expectArgumentError(TypeError, "curvePublicKey", () => (socket.curvePublicKey = null as never));
  });

  it("takes bigints and safe integers for 64-bit options", () => {
    const socket = open("Dealer");
    expect(socket.maxMessageSize).toBe(-1);
    socket.maxMessageSize = 2n ** 40n;
    expect(socket.maxMessageSize).toBe(2 ** 40);
    socket.maxMessageSize = Number.MAX_SAFE_INTEGER;
    expect(socket.maxMessageSize).toBe(Number.MAX_SAFE_INTEGER);
    socket.maxMessageSize = -1n;
    expect(socket.maxMessageSize).toBe(-1);
    expect(socket.affinity).toBe(0);
    socket.affinity = 2n ** 52n + 1n;
    expect(socket.affinity).toBe(2 ** 52 + 1);
    socket.affinity = 0b1011;
    expect(socket.affinity).toBe(11);
    expectArgumentError(RangeError, "affinity", () => (socket.affinity = -1n));
    expectArgumentError(
      RangeError,
      "affinity",
      () => (socket.affinity = Number.MAX_SAFE_INTEGER + 2),
    );
    expectArgumentError(RangeError, "maxMessageSize", () => (socket.maxMessageSize = -2n));
    expectArgumentError(RangeError, "maxMessageSize", () => (socket.maxMessageSize = 2 ** 60));
    expectArgumentError(TypeError, "linger", () => (socket.linger = 5n as never));
  });

  it("rejects bigints that do not fit the option with a RangeError naming it", () => {
    const socket = open("Dealer");
    expectArgumentError(RangeError, "maxMessageSize", () => (socket.maxMessageSize = 2n ** 63n));
    expectArgumentError(RangeError, "affinity", () => (socket.affinity = 2n ** 64n));
    // The same range as for numbers: the value must read back exactly.
    expectArgumentError(
      RangeError,
      "affinity",
      () => (socket.affinity = BigInt(Number.MAX_SAFE_INTEGER) + 2n),
    );
    expectArgumentError(
      RangeError,
      "maxMessageSize",
      () => (socket.maxMessageSize = BigInt(Number.MAX_SAFE_INTEGER) + 2n),
    );
    expect(socket.maxMessageSize).toBe(-1);
    expect(socket.affinity).toBe(0);
  });

  it("returns booleans for boolean options", () => {
    const socket = open("Router");
    expect(socket.immediate).toBe(false);
    expect(socket.ipv6).toBe(false);
    expect(socket.mandatory).toBe(false);
    socket.ipv6 = true;
    expect(socket.ipv6).toBe(true);
    socket.mandatory = true;
    expect(socket.mandatory).toBe(true);
    const push = open("Push");
    expect(push.conflate).toBe(false);
    push.conflate = true;
    expect(push.conflate).toBe(true);
    expect(typeof open("Stream").notify).toBe("boolean");
    expect(open("Stream").notify).toBe(true);
  });

  it("reports the security mechanism", () => {
    expect(open("Dealer").securityMechanism).toBe(null);
    const plainServer = open("Router", { plainServer: true });
    expect(plainServer.securityMechanism).toBe("plain");
    expect(plainServer.plainServer).toBe(true);
    const plainClient = open("Dealer", { plainUsername: "user", plainPassword: "secret" });
    expect(plainClient.securityMechanism).toBe("plain");
    expect(plainClient.plainUsername).toBe("user");
    expect(plainClient.plainPassword).toBe("secret");
    expect(plainClient.plainServer).toBe(false);
    const curveServer = open("Router", { curveServer: true, curveSecretKey: serverKeys.secretKey });
    expect(curveServer.securityMechanism).toBe("curve");
    expect(curveServer.curveServer).toBe(true);
    expect(curveServer.plainServer).toBe(false);
  });

  it("reports the last endpoint bound, with the port chosen", async () => {
    const socket = open("Pull");
    expect(socket.lastEndpoint).toBe(null);
    socket.bindSync("tcp://127.0.0.1:*");
    expect(socket.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await socket.bind(`inproc://socket-options-${process.pid}`);
    expect(socket.lastEndpoint).toBe(`inproc://socket-options-${process.pid}`);
  });

  it("rounds the heartbeat TTL down to 100 ms and keeps write-only values per socket", () => {
    const a = open("Router", { heartbeatTimeToLive: 1550 });
    expect(a.heartbeatTimeToLive).toBe(1500);
    const b = open("Router");
    a.handover = true;
    expect(a.handover).toBe(true);
    expect(b.handover).toBe(false);
  });

  it("clears string options with null where libzmq allows it", () => {
    const socket = open("Dealer", { socksProxy: "127.0.0.1:1080", interface: "lo" });
    socket.socksProxy = null;
    expect(socket.socksProxy).toBe(null);
    socket.interface = null;
    expect(socket.interface).toBe(null);
    socket.tcpAcceptFilter = "127.0.0.1";
    socket.tcpAcceptFilter = null;
    expect(socket.tcpAcceptFilter).toBe(null);
    const xpub = open("XPublisher", { welcomeMessage: Buffer.from([1, 2, 3]) });
    xpub.welcomeMessage = null;
    expect(xpub.welcomeMessage).toBe(null);
  });

  it("keeps libzmq's own validation: errors from libzmq are ZmqErrors with EINVAL", () => {
    const socket = open("Dealer");
    for (const [name, value] of [
      ["metadata", "no-colon"],
      ["routingId", "x".repeat(256)],
      ["interface", "an-interface-name-longer-than-16"],
    ] as const) {
      expectErrnoSync("EINVAL", () => (socket[name] = value));
    }
    expect(socket.metadata).toBe(null);
    expect(socket.routingId).toBe(null);
  });
});

describe("the send and receive timeouts", () => {
  it("are the ones the receive queue uses: a receive with nothing to read rejects with EAGAIN", async () => {
    const socket = open("Dealer", { receiveTimeout: 20, sendTimeout: 20 });
    expect(socket.receiveTimeout).toBe(20);
    expect(socket.sendTimeout).toBe(20);
    await expectErrno("EAGAIN", () =>
      (socket as unknown as { receive(): Promise<unknown> }).receive(),
    );
  });
});
