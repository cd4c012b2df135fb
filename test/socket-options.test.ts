// Socket options, generated from the option table: every socket class (stable and draft) and
// every option the table gives it — defaults, round trips, write-only and read-only access,
// validation errors, constructor options and absence from the other classes — plus
// hand-written cases for keys, 64-bit values, the read-only informational options and closing.
import { afterEach, describe, expect, it } from "vitest";

import * as draft from "../src/draft";
import { ZMQ } from "../src/generated/zmq-constants";
import * as stable from "../src/index";
import {
  Push,
  Router,
  Subscriber,
  ZmqError,
  capability,
  curveKeyPair,
  z85Encode,
} from "../src/index";
import { appliesTo, socketOptions, type OptionSpec } from "../src/options";
import { nativeSocketOf, type Socket } from "../src/socket";
import { socketTypes, typeIdOf, type SocketClassName } from "../src/socket-types";

type AnySocket = Socket & Record<string, unknown>;
type SocketConstructor = new (options?: object) => Socket;

// Every class of the socket-type table, from the entry point that exports it.
const classNames = Object.keys(socketTypes) as SocketClassName[];
const entryPoint = (name: SocketClassName) =>
  (socketTypes[name].draft ? draft : stable) as unknown as Record<string, SocketConstructor>;
const classes = Object.fromEntries(
  classNames.map((name) => [name, entryPoint(name)[name]]),
) as Record<SocketClassName, SocketConstructor>;
const optionEntries = Object.entries(socketOptions) as Array<[string, OptionSpec]>;
const INT32_MAX = 2 ** 31 - 1;

// --- sockets are closed after every test --------------------------------------------------------

const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.close();
});

function open(name: SocketClassName, options?: object): AnySocket {
  const socket = new classes[name](options);
  opened.push(socket);
  return socket as AnySocket;
}

/** Whether the class can be made at all (reported by its own test when not). */
function constructible(name: SocketClassName): boolean {
  try {
    new classes[name]().close();
    return true;
  } catch {
    return false;
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

function expectError(
  fn: () => unknown,
  type: typeof TypeError | typeof RangeError,
  name: string,
): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(type);
  // A TypeError must not pass for a RangeError or the other way around.
  expect((error as Error).constructor).toBe(type);
  expect((error as Error).message).toContain(name);
}

// --- values -------------------------------------------------------------------------------------

const keys = curveKeyPair();
const serverKeys = curveKeyPair();

/** Valid non-default values where a generic one would not do. */
const samples: Record<string, unknown> = {
  heartbeatTimeToLive: 4200, // kept in units of 100 ms
  tcpAcceptFilter: "127.0.0.1",
  metadata: "X-Test:value",
  socksProxy: "127.0.0.1:1080",
  interface: "lo",
  routingId: "zmq-napi-id",
  curvePublicKey: keys.publicKey,
  curveSecretKey: keys.secretKey,
  curveServerKey: serverKeys.publicKey,
  gssapiPrincipalNameType: "userName",
  gssapiServicePrincipalNameType: "krb5Principal",
  welcomeMessage: "welcome",
  helloMessage: Buffer.from("hello"),
  disconnectMessage: "bye",
};

function sampleFor(name: string, spec: OptionSpec, current: unknown): unknown {
  if (name in samples) return samples[name];
  switch (spec.value) {
    case "number": {
      const min = spec.min ?? 0;
      const max = spec.max ?? INT32_MAX;
      let value = Math.min(Math.max(42, min), max);
      if (value === current) value = value > min ? value - 1 : value + 1;
      return value;
    }
    case "boolean":
      return !current;
    case "string":
    case "bytes":
      return "zmq-napi";
    case "key":
      return keys.publicKey;
    case "nameType":
      return current === "userName" ? "hostBased" : "userName";
    case "mechanism":
      return "plain";
  }
}

/** A value of the wrong JavaScript type for the option. */
function wrongType(spec: OptionSpec): unknown {
  switch (spec.value) {
    case "number":
      return "42";
    case "boolean":
      return 1;
    case "string":
    case "bytes":
    case "key":
      return 42;
    case "nameType":
      return "noSuchNameType";
    case "mechanism":
      return "plain";
  }
}

/** Values of the right type outside the option's range. */
function outOfRange(spec: OptionSpec): unknown[] {
  switch (spec.value) {
    case "number": {
      const min = spec.min ?? -(2 ** 31);
      const max = spec.max ?? INT32_MAX;
      const values: unknown[] = [min - 1, max + 1, min + 0.5];
      return values;
    }
    case "key":
      return ["tooShort", "~".repeat(40), Buffer.alloc(31), Buffer.alloc(33)];
    default:
      return [];
  }
}

/** What reading an option gives back after `value` was written. */
function readBack(spec: OptionSpec, value: unknown): unknown {
  if (spec.access === "w") return value;
  if (spec.value === "key" && value instanceof Uint8Array) return z85Encode(value);
  if (typeof value === "bigint") return Number(value);
  return value;
}

function expectValueShape(spec: OptionSpec, value: unknown): void {
  switch (spec.value) {
    case "number":
      expect(typeof value).toBe("number");
      expect(Number.isInteger(value)).toBe(true);
      break;
    case "boolean":
      expect(typeof value).toBe("boolean");
      break;
    case "string":
    case "bytes":
      if (value !== null) expect(typeof value === "string" || Buffer.isBuffer(value)).toBe(true);
      break;
    case "key":
      expect(typeof value).toBe("string");
      expect(value).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
      break;
    case "mechanism":
      expect([null, "plain", "curve", "gssapi"]).toContain(value);
      break;
    case "nameType":
      expect(["hostBased", "userName", "krb5Principal"]).toContain(value);
      break;
  }
}

/** GSSAPI options exist (as in zeromq v6) but libzmq rejects them without GSSAPI support. */
const unsupported = (name: string) => name.startsWith("gssapi") && !capability.gssapi;

// --- the table itself ---------------------------------------------------------------------------

describe("the socket option table", () => {
  it("names every option once per libzmq id (aliases aside)", () => {
    const ids = optionEntries.map(([, spec]) => spec.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has a range for every number option and an initial value for every write-only one", () => {
    for (const [name, spec] of optionEntries) {
      if (spec.value === "number" && spec.access !== "r")
        expect({ name, min: typeof spec.min }).toEqual({ name, min: "number" });
      if (spec.access === "w")
        expect({ name, has: "initial" in spec }).toEqual({ name, has: true });
    }
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

// --- generated: every class, every option -------------------------------------------------------

for (const className of classNames) {
  const info = socketTypes[className];
  const own = optionEntries.filter(([, spec]) => appliesTo(spec, className));
  const others = optionEntries.filter(([, spec]) => !appliesTo(spec, className));
  const canConstruct = constructible(className);

  describe(`${className}${info.draft ? " (draft)" : ""}`, () => {
    it("can be constructed", () => {
      // Thread-safe draft types have no ZMQ_FD in libzmq (socket_base.cpp: getsockopt(ZMQ_FD)
      // is EINVAL for them); the addon must not depend on it. Their option tests run once they
      // can be made.
      const socket = open(className);
      expect(socket.closed).toBe(false);
    });

    describe.skipIf(!canConstruct)("options", () => {
      it("has exactly the table's options for its class", () => {
        const socket = open(className);
        for (const [name] of own)
          expect({ name, present: name in socket }).toEqual({ name, present: true });
        for (const [name] of others)
          expect({ name, present: name in socket }).toEqual({ name, present: false });
      });

      it("has send() only if it sends and receive() only if it receives", () => {
        const socket = open(className);
        for (const method of ["send", "trySend", "sendBatch"])
          expect(method in socket).toBe(info.writable);
        for (const method of ["receive", "tryReceive", "receiveBatch"])
          expect(method in socket).toBe(info.readable);
        expect(Symbol.asyncIterator in socket).toBe(info.readable);
      });

      it("rejects unknown constructor options with a TypeError naming the key", () => {
        expectError(() => open(className, { noSuchOption: 1 }), TypeError, "noSuchOption");
        if (others.length > 0) {
          const [foreign] = others[0];
          expectError(() => open(className, { [foreign]: 1 }), TypeError, foreign);
        }
      });

      for (const [name, spec] of own) {
        describe(name, () => {
          if (spec.access === "r") {
            it("reads without throwing", () => {
              expectValueShape(spec, open(className)[name]);
            });

            it("throws a TypeError naming it when set", () => {
              const socket = open(className);
              const before = socket[name];
              expectError(() => (socket[name] = sampleFor(name, spec, before)), TypeError, name);
              expectError(() => open(className, { [name]: before }), TypeError, name);
              expect(socket[name]).toEqual(before);
            });
            return;
          }

          it(
            spec.access === "w" ? "reads its initial value before it is set" : "reads its default",
            () => {
              const value = open(className)[name];
              expectValueShape(spec, value);
              if (spec.access === "w") expect(value).toEqual(spec.initial);
            },
          );

          if (spec.access === "w") {
            it("is write-only in libzmq (its getsockopt fails with EINVAL)", () => {
              const error = thrown(() =>
                nativeSocketOf(open(className)).getOption(spec.id, spec.kind),
              );
              expect((error as { code?: string }).code).toBe("EINVAL");
            });
          }

          if (unsupported(name)) {
            it("fails with EINVAL when set (no GSSAPI in this libzmq) and keeps its value", () => {
              const socket = open(className);
              const error = thrown(() => (socket[name] = sampleFor(name, spec, spec.initial)));
              expect(error).toBeInstanceOf(ZmqError);
              expect((error as ZmqError).code).toBe("EINVAL");
              expect(socket[name]).toEqual(spec.initial);
            });
          } else {
            it("reads back a non-default value it was set to", () => {
              const socket = open(className);
              const before = socket[name];
              const value = sampleFor(name, spec, before);
              expect(value).not.toEqual(before);
              socket[name] = value;
              expect(socket[name]).toEqual(readBack(spec, value));
            });

            it("applies it as a constructor option", () => {
              const value = sampleFor(
                name,
                spec,
                spec.access === "w" ? spec.initial : open(className)[name],
              );
              const socket = open(className, { [name]: value });
              expect(socket[name]).toEqual(readBack(spec, value));
            });
          }

          it("throws a TypeError naming it for a value of the wrong type", () => {
            const socket = open(className);
            const before = socket[name];
            expectError(() => (socket[name] = wrongType(spec)), TypeError, name);
            expectError(() => (socket[name] = undefined), TypeError, name);
            expectError(() => open(className, { [name]: wrongType(spec) }), TypeError, name);
            expect(socket[name]).toEqual(before);
          });

          const invalid = outOfRange(spec);
          if (invalid.length > 0) {
            it("throws a RangeError naming it for a value out of range", () => {
              const socket = open(className);
              const before = socket[name];
              for (const value of invalid)
                expectError(() => (socket[name] = value), RangeError, name);
              expectError(() => open(className, { [name]: invalid[0] }), RangeError, name);
              expect(socket[name]).toEqual(before);
            });
          }
        });
      }
    });
  });
}

// --- hand-written cases ---------------------------------------------------------------------------

describe("socket options by hand", () => {
  it("gives each class only its own options and methods", () => {
    const push = open("Push");
    const sub = open("Subscriber");
    const router = open("Router");
    expect("mandatory" in push).toBe(false);
    expect("mandatory" in router).toBe(true);
    expect("send" in sub).toBe(false);
    expect("receive" in push).toBe(false);
    expect("sendHighWaterMark" in sub).toBe(false);
    expect("receiveHighWaterMark" in push).toBe(false);
    expect("conflate" in router).toBe(false);
  });

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
    expectError(() => new Push({ sendHighwaterMark: 5 } as never), TypeError, "sendHighwaterMark");
    expectError(() => new Push({ mandatory: true } as never), TypeError, "mandatory");
    expectError(() => new Subscriber({ sendTimeout: 5 } as never), TypeError, "sendTimeout");
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
    const error = thrown(() => (socket.curvePublicKey = null as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("curvePublicKey");
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
    expectError(() => (socket.affinity = -1n), RangeError, "affinity");
    expectError(() => (socket.affinity = Number.MAX_SAFE_INTEGER + 2), RangeError, "affinity");
    expectError(() => (socket.maxMessageSize = -2n), RangeError, "maxMessageSize");
    expectError(() => (socket.maxMessageSize = 2 ** 60), RangeError, "maxMessageSize");
    expectError(() => (socket.linger = 5n as never), TypeError, "linger");
  });

  it("rejects bigints that do not fit the option with a RangeError naming it", () => {
    const socket = open("Dealer");
    expectError(() => (socket.maxMessageSize = 2n ** 63n), RangeError, "maxMessageSize");
    expectError(() => (socket.affinity = 2n ** 64n), RangeError, "affinity");
    // The same range as for numbers: the value must read back exactly.
    expectError(
      () => (socket.affinity = BigInt(Number.MAX_SAFE_INTEGER) + 2n),
      RangeError,
      "affinity",
    );
    expectError(
      () => (socket.maxMessageSize = BigInt(Number.MAX_SAFE_INTEGER) + 2n),
      RangeError,
      "maxMessageSize",
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

  it("reports the libzmq socket type of every class", () => {
    for (const name of classNames) {
      if (!constructible(name)) continue;
      expect({ name, type: open(name).type }).toEqual({ name, type: typeIdOf(name) });
    }
  });

  it("reports the last endpoint bound, with the port chosen", async () => {
    const socket = open("Pull");
    expect(socket.lastEndpoint).toBe(null);
    socket.bindSync("tcp://127.0.0.1:*");
    expect(socket.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await socket.bind(`inproc://socket-options-${process.pid}`);
    expect(socket.lastEndpoint).toBe(`inproc://socket-options-${process.pid}`);
  });

  it("reports whether the socket type is thread-safe", () => {
    for (const name of classNames) {
      if (!constructible(name)) continue;
      expect({ name, threadSafe: open(name).threadSafe }).toEqual({
        name,
        threadSafe: socketTypes[name].threadSafe,
      });
    }
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
      const error = thrown(() => (socket[name] = value));
      expect(error).toBeInstanceOf(ZmqError);
      expect((error as ZmqError).code).toBe("EINVAL");
    }
    expect(socket.metadata).toBe(null);
    expect(socket.routingId).toBe(null);
  });

  it("keeps the send and receive timeouts the queues use in step", async () => {
    const socket = open("Dealer", { receiveTimeout: 20, sendTimeout: 20 });
    expect(socket.receiveTimeout).toBe(20);
    const started = Date.now();
    const error = await (socket as unknown as { receive(): Promise<unknown> })
      .receive()
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(error).toBeInstanceOf(ZmqError);
    expect((error as ZmqError).code).toBe("EAGAIN");
  });

  it("throws EBADF for options of a closed socket", () => {
    const socket = open("Push");
    socket.close();
    for (const fn of [
      () => socket.linger,
      () => (socket.linger = 0),
      () => (socket.conflate = true),
    ]) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(ZmqError);
      expect((error as ZmqError).code).toBe("EBADF");
    }
  });
});
