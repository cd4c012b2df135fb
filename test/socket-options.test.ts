// Socket options against oracles written here, not derived from the option table: libzmq's
// documented defaults (zmq_getsockopt(3), zmq_setsockopt(3) of 4.3.4; options.cpp where the
// manual says nothing), which classes have which options, hand-written values round-tripped
// through libzmq, libzmq's own verdict on which options are write-only, and the ranges libzmq
// documents. Keys, 64-bit values and other single cases are in socket-option-values.test.ts.
import { afterEach, describe, expect, it } from "vitest";

import * as draft from "../src/draft";
import * as stable from "../src/index";
import { capability, curveKeyPair, z85Encode } from "../src/index";
import { socketOptions, type OptionSpec } from "../src/options";
import { nativeSocketOf, type Socket } from "../src/socket";
import { expectArgumentError, expectErrno, expectErrnoSync, thrown } from "./helpers/errors";

type AnySocket = Socket & Record<string, unknown>;
type SocketConstructor = new (options?: object) => Socket;
const table = socketOptions as Record<string, OptionSpec>;
const INT32_MAX = 2 ** 31 - 1;

// --- the classes: libzmq type ids (zmq.h), entry point, direction -------------------------------

interface ClassFacts {
  type: number;
  draft: boolean;
  sends: boolean;
  receives: boolean;
  threadSafe: boolean;
  /** The options of this class beyond those of every socket and of its direction. */
  own: string[];
}

const c = (type: number, flags: string, own: string[] = []): ClassFacts => ({
  type,
  draft: flags.includes("d"),
  sends: flags.includes("s"),
  receives: flags.includes("r"),
  threadSafe: flags.includes("t"),
  own,
});

/** s = sends, r = receives, d = draft, t = thread-safe (zmq.h and the libzmq socket types). */
const classes: Record<string, ClassFacts> = {
  Pair: c(0, "sr"),
  Publisher: c(1, "s", ["conflate", "noDrop", "invertMatching"]),
  Subscriber: c(2, "r", ["conflate", "invertMatching"]),
  Request: c(3, "sr", ["routingId", "probeRouter", "correlate", "relaxed"]),
  Reply: c(4, "sr", ["routingId"]),
  Dealer: c(5, "sr", ["routingId", "probeRouter", "conflate", "helloMessage"]),
  Router: c(6, "sr", [
    "routingId",
    "probeRouter",
    "mandatory",
    "handover",
    "raw",
    "connectionNotify",
    "helloMessage",
    "disconnectMessage",
  ]),
  Pull: c(7, "r", ["conflate"]),
  Push: c(8, "s", ["conflate"]),
  XPublisher: c(9, "sr", [
    "noDrop",
    "invertMatching",
    "manual",
    "welcomeMessage",
    "manualLastValue",
    "onlyFirstSubscribe",
  ]),
  XSubscriber: c(10, "sr", ["onlyFirstSubscribe"]),
  Stream: c(11, "sr", ["notify"]),
  Server: c(12, "srdt", ["helloMessage", "disconnectMessage"]),
  Client: c(13, "srdt", ["helloMessage"]),
  Radio: c(14, "sdt", ["multicastLoop", "noDrop"]),
  Dish: c(15, "rdt"),
  Gather: c(16, "rdt"),
  Scatter: c(17, "sdt"),
  Datagram: c(18, "srd"),
  Peer: c(19, "srdt", ["helloMessage", "disconnectMessage"]),
  Channel: c(20, "srdt"),
};
const classNames = Object.keys(classes);

const sendOptions = ["multicastHops", "sendBufferSize", "sendHighWaterMark", "sendTimeout"];
const receiveOptions = ["receiveBufferSize", "receiveHighWaterMark", "receiveTimeout"];

// --- defaults (libzmq 4.3.4; for write-only options, what zmq-napi reads before a set) ----------

const zeroKey = z85Encode(Buffer.alloc(32));

/** Every socket's defaults, as zmq_getsockopt(3) documents them. */
const commonDefaults: Record<string, unknown> = {
  affinity: 0,
  rate: 100,
  recoveryInterval: 10000,
  linger: -1,
  reconnectInterval: 100,
  backlog: 100,
  reconnectMaxInterval: 0,
  maxMessageSize: -1,
  tcpKeepalive: -1,
  tcpKeepaliveCount: -1,
  tcpKeepaliveIdle: -1,
  tcpKeepaliveInterval: -1,
  tcpAcceptFilter: null,
  immediate: false,
  ipv6: false,
  plainServer: false,
  plainUsername: null,
  plainPassword: null,
  curveServer: false,
  curvePublicKey: zeroKey,
  curveSecretKey: zeroKey,
  curveServerKey: zeroKey,
  gssapiServer: false,
  gssapiPrincipal: null,
  gssapiServicePrincipal: null,
  gssapiPlainText: false,
  gssapiPrincipalNameType: "hostBased",
  gssapiServicePrincipalNameType: "hostBased",
  zapDomain: null,
  typeOfService: 0,
  handshakeInterval: 30000,
  socksProxy: null,
  heartbeatInterval: 0,
  heartbeatTimeToLive: 0,
  heartbeatTimeout: -1,
  connectTimeout: 0,
  tcpMaxRetransmitTimeout: 0,
  multicastMaxTransportDataUnit: 1500,
  interface: null,
  useFd: -1,
  zapEnforceDomain: false,
  loopbackFastPath: false,
  socksUsername: null,
  socksPassword: null,
  inBatchSize: 8192,
  outBatchSize: 8192,
  reconnectStop: 0,
  metadata: null,
  priority: 0,
  lastEndpoint: null,
  securityMechanism: null,
};

const otherDefaults: Record<string, unknown> = {
  multicastHops: 1,
  sendBufferSize: -1,
  sendHighWaterMark: 1000,
  sendTimeout: -1,
  receiveBufferSize: -1,
  receiveHighWaterMark: 1000,
  receiveTimeout: -1,
  conflate: false,
  noDrop: false,
  invertMatching: false,
  routingId: null,
  probeRouter: false,
  correlate: false,
  relaxed: false,
  mandatory: false,
  handover: false,
  raw: false,
  connectionNotify: 0,
  helloMessage: null,
  disconnectMessage: null,
  manual: false,
  welcomeMessage: null,
  manualLastValue: false,
  onlyFirstSubscribe: false,
  notify: true,
  multicastLoop: true,
};

/** Per-type defaults: XSUB (and SUB, made from it) and DISH close without waiting to send their
 * subscriptions (the constructors in xsub.cpp and dish.cpp set linger 0). */
const typeDefaults: Record<string, Record<string, unknown>> = {
  Subscriber: { linger: 0 },
  XSubscriber: { linger: 0 },
  Dish: { linger: 0 },
};

function expectedOptions(name: string): string[] {
  const facts = classes[name];
  return [
    ...Object.keys(commonDefaults),
    "type",
    "threadSafe",
    ...(facts.sends ? sendOptions : []),
    ...(facts.receives ? receiveOptions : []),
    ...facts.own,
  ];
}

function expectedDefaults(name: string): Record<string, unknown> {
  const facts = classes[name];
  const values: Record<string, unknown> = {
    type: facts.type,
    threadSafe: facts.threadSafe,
    ...typeDefaults[name],
  };
  for (const option of expectedOptions(name))
    if (!(option in values))
      values[option] = option in commonDefaults ? commonDefaults[option] : otherDefaults[option];
  return values;
}

// --- sockets are closed after every test --------------------------------------------------------

const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.close();
});

function open(name: string, options?: object): AnySocket {
  const entry = (classes[name].draft ? draft : stable) as unknown as Record<
    string,
    SocketConstructor
  >;
  const socket = new entry[name](options);
  opened.push(socket);
  return socket as AnySocket;
}

// --- per class ----------------------------------------------------------------------------------

describe.each(classNames)("%s", (name) => {
  it("has exactly the options documented for it, and send/receive by its direction", () => {
    const socket = open(name);
    const present = Object.keys(table)
      .filter((option) => option in socket)
      .sort();
    expect(present).toEqual(expectedOptions(name).sort());
    const facts = classes[name];
    for (const method of ["send", "trySend", "sendBatch"])
      expect({ method, present: method in socket }).toEqual({ method, present: facts.sends });
    for (const method of ["receive", "tryReceive", "receiveBatch"])
      expect({ method, present: method in socket }).toEqual({ method, present: facts.receives });
    expect(Symbol.asyncIterator in socket).toBe(facts.receives);
  });

  it("reads libzmq's documented defaults, its type id and its thread safety", () => {
    const socket = open(name);
    const read = Object.fromEntries(
      expectedOptions(name).map((option) => [option, socket[option]]),
    );
    expect(read).toEqual(expectedDefaults(name));
  });

  it("rejects another class's option and an unknown one with a TypeError naming the key", () => {
    const foreign = Object.keys(table).find((option) => !expectedOptions(name).includes(option));
    expectArgumentError(TypeError, "noSuchOption", () => open(name, { noSuchOption: 1 }));
    if (foreign) expectArgumentError(TypeError, foreign, () => open(name, { [foreign]: 1 }));
  });
});

// --- per option: round trips through libzmq -----------------------------------------------------

const keys = curveKeyPair();
const serverKeys = curveKeyPair();

/** A non-default value for every writable option, and what reading it back gives. */
const roundTrips: Record<string, { value: unknown; reads?: unknown }> = {
  affinity: { value: 3 },
  rate: { value: 250 },
  recoveryInterval: { value: 2500 },
  linger: { value: 250 },
  reconnectInterval: { value: 250 },
  backlog: { value: 42 },
  reconnectMaxInterval: { value: 5000 },
  maxMessageSize: { value: 65536 },
  tcpKeepalive: { value: 1 },
  tcpKeepaliveCount: { value: 5 },
  tcpKeepaliveIdle: { value: 60 },
  tcpKeepaliveInterval: { value: 10 },
  tcpAcceptFilter: { value: "127.0.0.1" },
  immediate: { value: true },
  ipv6: { value: true },
  plainServer: { value: true },
  plainUsername: { value: "user" },
  plainPassword: { value: "secret" },
  curveServer: { value: true },
  curvePublicKey: { value: keys.publicKey },
  curveSecretKey: { value: keys.secretKey },
  curveServerKey: { value: serverKeys.publicKey },
  zapDomain: { value: "global" },
  typeOfService: { value: 40 },
  handshakeInterval: { value: 5000 },
  socksProxy: { value: "127.0.0.1:1080" },
  heartbeatInterval: { value: 1000 },
  heartbeatTimeToLive: { value: 4250, reads: 4200 }, // kept in units of 100 ms
  heartbeatTimeout: { value: 3000 },
  connectTimeout: { value: 2000 },
  tcpMaxRetransmitTimeout: { value: 7000 },
  multicastMaxTransportDataUnit: { value: 1400 },
  interface: { value: "lo" },
  useFd: { value: 7 },
  zapEnforceDomain: { value: true },
  loopbackFastPath: { value: true },
  multicastLoop: { value: false },
  socksUsername: { value: "socks-user" },
  socksPassword: { value: "socks-pass" },
  inBatchSize: { value: 512 },
  outBatchSize: { value: 512 },
  reconnectStop: { value: 1 },
  metadata: { value: "X-Test:value" },
  priority: { value: 3 },
  multicastHops: { value: 16 },
  sendBufferSize: { value: 65536 },
  sendHighWaterMark: { value: 42 },
  sendTimeout: { value: 250 },
  receiveBufferSize: { value: 65536 },
  receiveHighWaterMark: { value: 42 },
  receiveTimeout: { value: 250 },
  routingId: { value: "zmq-napi-id" },
  probeRouter: { value: true },
  correlate: { value: true },
  relaxed: { value: true },
  conflate: { value: true },
  mandatory: { value: true },
  handover: { value: true },
  raw: { value: true },
  noDrop: { value: true },
  invertMatching: { value: true },
  manual: { value: true },
  welcomeMessage: { value: "welcome" },
  manualLastValue: { value: true },
  onlyFirstSubscribe: { value: true },
  notify: { value: false },
  connectionNotify: { value: 3 },
  helloMessage: { value: Buffer.from("hello") },
  disconnectMessage: { value: "bye" },
};

/** This build of libzmq has no GSSAPI: setting these fails in libzmq itself (EINVAL). */
const gssapiOptions: Record<string, unknown> = {
  gssapiServer: true,
  gssapiPrincipal: "principal",
  gssapiServicePrincipal: "service",
  gssapiPlainText: true,
  gssapiPrincipalNameType: "userName",
  gssapiServicePrincipalNameType: "krb5Principal",
};

/** The options whose zmq_getsockopt fails in libzmq 4.3.4 (options.cpp has no getter for them). */
const writeOnly = [
  "tcpAcceptFilter",
  "metadata",
  "probeRouter",
  "correlate",
  "relaxed",
  "mandatory",
  "handover",
  "raw",
  "noDrop",
  "manual",
  "welcomeMessage",
  "manualLastValue",
  "onlyFirstSubscribe",
  "notify",
  "helloMessage",
  "disconnectMessage",
  ...Object.keys(gssapiOptions),
];

const readOnly = ["type", "threadSafe", "lastEndpoint", "securityMechanism"];

const classesWith = (option: string) =>
  classNames.filter((name) => expectedOptions(name).includes(option));

describe("every option is covered here", () => {
  it("by a round trip, the GSSAPI list or the read-only list, and by a default", () => {
    const covered = [...Object.keys(roundTrips), ...Object.keys(gssapiOptions), ...readOnly];
    expect(covered.sort()).toEqual(Object.keys(table).sort());
    const defaulted = new Set(classNames.flatMap((name) => Object.keys(expectedDefaults(name))));
    expect([...defaulted].sort()).toEqual(Object.keys(table).sort());
  });
});

describe.each(Object.keys(roundTrips))("%s", (option) => {
  const { value, reads = value } = roundTrips[option];

  it("reads back a hand-written value set on every class that has it, also from the constructor", () => {
    for (const name of classesWith(option)) {
      const socket = open(name);
      socket[option] = value;
      expect({ name, reads: socket[option] }).toEqual({ name, reads });
      expect({ name, reads: open(name, { [option]: value })[option] }).toEqual({ name, reads });
    }
  });

  it("refuses a value of the wrong type with a TypeError naming it, and keeps its value", () => {
    const name = classesWith(option)[0];
    const socket = open(name);
    const before = socket[option];
    const wrong = typeof value === "number" ? "42" : typeof value === "boolean" ? 1 : 42;
    expectArgumentError(TypeError, option, () => (socket[option] = wrong));
    expectArgumentError(TypeError, option, () => (socket[option] = undefined));
    expectArgumentError(TypeError, option, () => open(name, { [option]: wrong }));
    expect(socket[option]).toEqual(before);
  });
});

describe.each(Object.keys(gssapiOptions))("%s (no GSSAPI in this libzmq)", (option) => {
  it("fails in libzmq with EINVAL when set and keeps reading its initial value", () => {
    expect(capability.gssapi).toBe(false);
    const socket = open("Dealer");
    expectErrnoSync("EINVAL", () => (socket[option] = gssapiOptions[option]));
    expect(socket[option]).toEqual(commonDefaults[option]);
  });
});

describe.each(readOnly)("%s (read-only)", (option) => {
  it("refuses to be set, as a property or constructor option, with a TypeError naming it", () => {
    const socket = open("Dealer");
    const before = socket[option];
    expectArgumentError(TypeError, option, () => (socket[option] = before));
    expectArgumentError(TypeError, option, () => open("Dealer", { [option]: before }));
    expect(socket[option]).toEqual(before);
  });
});

describe("which options libzmq can read", () => {
  it("fails zmq_getsockopt with EINVAL for the write-only ones and only for them", () => {
    for (const [option, spec] of Object.entries(table)) {
      const name = classesWith(option)[0];
      const read = () => nativeSocketOf(open(name)).getOption(spec.id, spec.kind);
      if (writeOnly.includes(option)) {
        const error = thrown(read) as { code?: string };
        expect({ option, code: error.code }).toEqual({ option, code: "EINVAL" });
      } else {
        expect({ option, reads: typeof read() }).not.toEqual({ option, reads: "undefined" });
      }
    }
  });
});

// --- ranges: libzmq's documented bounds, both ends accepted and one past each refused --------

/** [lowest, highest] each numeric option takes (zmq_setsockopt(3); INT32_MAX where unbounded). */
const ranges: Record<string, [number, number]> = {
  affinity: [0, Number.MAX_SAFE_INTEGER],
  rate: [1, 2_147_483], // kilobits, multiplied by 1000 into an int inside OpenPGM
  recoveryInterval: [0, INT32_MAX],
  linger: [-1, INT32_MAX],
  reconnectInterval: [-1, INT32_MAX],
  backlog: [0, INT32_MAX],
  reconnectMaxInterval: [0, INT32_MAX],
  maxMessageSize: [-1, Number.MAX_SAFE_INTEGER],
  tcpKeepalive: [-1, 1],
  tcpKeepaliveCount: [-1, INT32_MAX],
  tcpKeepaliveIdle: [-1, INT32_MAX],
  tcpKeepaliveInterval: [-1, INT32_MAX],
  typeOfService: [0, INT32_MAX],
  handshakeInterval: [0, INT32_MAX],
  heartbeatInterval: [0, INT32_MAX],
  heartbeatTimeToLive: [0, 6_553_599], // a 16-bit count of 100 ms on the wire
  heartbeatTimeout: [0, INT32_MAX],
  connectTimeout: [0, INT32_MAX],
  tcpMaxRetransmitTimeout: [0, INT32_MAX],
  multicastMaxTransportDataUnit: [1, INT32_MAX],
  useFd: [-1, INT32_MAX],
  inBatchSize: [1, INT32_MAX],
  outBatchSize: [1, INT32_MAX],
  reconnectStop: [0, 3],
  priority: [0, INT32_MAX],
  multicastHops: [1, 255],
  sendBufferSize: [-1, INT32_MAX],
  sendHighWaterMark: [0, INT32_MAX],
  sendTimeout: [-1, INT32_MAX],
  receiveBufferSize: [-1, INT32_MAX],
  receiveHighWaterMark: [0, INT32_MAX],
  receiveTimeout: [-1, INT32_MAX],
  connectionNotify: [0, 3],
};

describe("every numeric option has a range here", () => {
  it("and only those", () => {
    const numeric = Object.keys(roundTrips).filter((o) => typeof roundTrips[o].value === "number");
    expect(Object.keys(ranges).sort()).toEqual(numeric.sort());
  });
});

describe.each(Object.keys(ranges))("%s range", (option) => {
  const [low, high] = ranges[option];

  it("takes both ends through libzmq", () => {
    const socket = open(classesWith(option)[0]);
    for (const value of [low, high]) {
      socket[option] = value;
      const reads = option === "heartbeatTimeToLive" ? value - (value % 100) : value;
      expect({ value, reads: socket[option] }).toEqual({ value, reads });
    }
  });

  it("refuses one past either end and a fraction with a RangeError naming it", () => {
    const name = classesWith(option)[0];
    const socket = open(name);
    const before = socket[option];
    for (const value of [low - 1, high + 1, low + 0.5])
      expectArgumentError(RangeError, option, () => (socket[option] = value));
    expectArgumentError(RangeError, option, () => open(name, { [option]: low - 1 }));
    expect(socket[option]).toEqual(before);
  });
});

describe("an option of a closed socket", () => {
  it("throws EBADF when read or set", async () => {
    const socket = open("Push");
    socket.close();
    await expectErrno("EBADF", () => socket.linger);
    await expectErrno("EBADF", () => (socket.linger = 0));
    await expectErrno("EBADF", () => (socket.conflate = true));
  });
});
