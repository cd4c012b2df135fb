// Option plumbing without sockets (src/socket-options.ts): which names a class accepts, the
// late-option warning, and the two options the pending-operation queues enforce. What libzmq
// does with each option is socket-options.test.ts's subject.
import { afterEach, describe, expect, it, vi } from "vitest";

import { ZMQ } from "../src/generated/zmq-constants";
import { Dealer, Publisher, Push } from "../src/index";
import { OptionKind } from "../src/options";
import {
  applyConstructorOptions,
  optionNamesOf,
  takesEffectAtOnce,
  writeOption,
  type OptionHost,
} from "../src/socket-options";
import type { NativeSocket } from "../src/native";

/**
 * A host whose native side records what reaches it (this checks the routing between the
 * accessors, the warning and the queues; libzmq's side is covered with real sockets).
 */
function host(state: { closed?: boolean; connected?: boolean; refuse?: boolean } = {}) {
  const set: Array<[number, number, unknown]> = [];
  const native = {
    setOption(id: number, kind: number, value: unknown) {
      if (state.refuse) throw Object.assign(new Error("Invalid argument"), { code: "EINVAL" });
      set.push([id, kind, value]);
    },
  } as unknown as NativeSocket;
  const calls = { afterNativeCall: 0 };
  const target: OptionHost = {
    isClosed: () => state.closed ?? false,
    isConnected: () => state.connected ?? false,
    native,
    afterNativeCall: () => void calls.afterNativeCall++,
    senders: { timeout: -1 },
    receivers: { timeout: -1 },
  };
  return { target, set, calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("writeOption", () => {
  it("keeps the queues' timeouts in step with ZMQ_SNDTIMEO and ZMQ_RCVTIMEO only", () => {
    const { target, set } = host();
    writeOption(target, ZMQ.SNDTIMEO, OptionKind.Int32, 250);
    writeOption(target, ZMQ.RCVTIMEO, OptionKind.Int32, 75);
    writeOption(target, ZMQ.LINGER, OptionKind.Int32, 0);
    expect(target.senders.timeout).toBe(250);
    expect(target.receivers.timeout).toBe(75);
    expect(set).toEqual([
      [ZMQ.SNDTIMEO, OptionKind.Int32, 250],
      [ZMQ.RCVTIMEO, OptionKind.Int32, 75],
      [ZMQ.LINGER, OptionKind.Int32, 0],
    ]);
  });

  it("leaves the queue timeout alone when libzmq refuses the value, and still looks again", () => {
    const { target, calls } = host({ refuse: true });
    expect(() => writeOption(target, ZMQ.SNDTIMEO, OptionKind.Int32, 5)).toThrow(
      "Invalid argument",
    );
    expect(target.senders.timeout).toBe(-1);
    expect(calls.afterNativeCall).toBe(1);
  });

  it("refuses a closed socket with EBADF before reaching native code", () => {
    const { target, set } = host({ closed: true });
    expect(() => writeOption(target, ZMQ.LINGER, OptionKind.Int32, 0)).toThrow(
      expect.objectContaining({ code: "EBADF", message: "Socket is closed; cannot set an option" }),
    );
    expect(set).toEqual([]);
  });

  it("warns, as zeromq v6 does, for an option set after connect that applies only later", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    writeOption(host({ connected: false }).target, ZMQ.ROUTING_ID, OptionKind.String, "a");
    writeOption(host({ connected: true }).target, ZMQ.LINGER, OptionKind.Int32, 0);
    writeOption(host({ connected: true }).target, ZMQ.SNDTIMEO, OptionKind.Int32, 1);
    expect(warn).not.toHaveBeenCalled();
    writeOption(host({ connected: true }).target, ZMQ.ROUTING_ID, OptionKind.String, "b");
    expect(warn).toHaveBeenCalledWith(
      "Socket option will not take effect until next connect/bind.",
    );
  });

  it("treats as immediate the options zeromq v6 lists, plus the next connect's routing id", () => {
    // zeromq.js src/socket.cc, Socket::WarnUnlessImmediateOption (libzmq 4.3).
    const v6 = ["SUBSCRIBE", "UNSUBSCRIBE", "LINGER", "ROUTER_MANDATORY", "PROBE_ROUTER"]
      .concat(["XPUB_VERBOSE", "REQ_CORRELATE", "REQ_RELAXED", "ROUTER_HANDOVER"])
      .concat(["XPUB_VERBOSER", "SNDHWM", "RCVHWM", "SNDTIMEO", "RCVTIMEO"]);
    for (const name of [...v6, "CONNECT_ROUTING_ID"]) {
      expect({ name, immediate: takesEffectAtOnce(ZMQ[name as keyof typeof ZMQ]) }).toEqual({
        name,
        immediate: true,
      });
    }
    for (const name of ["ROUTING_ID", "AFFINITY", "RECONNECT_IVL", "CURVE_SERVER", "IPV6"]) {
      expect(takesEffectAtOnce(ZMQ[name as keyof typeof ZMQ])).toBe(false);
    }
  });
});

describe("the option names a class accepts", () => {
  it("are its table options, through any number of subclasses", () => {
    class Mine extends Push {}
    class Deeper extends Mine {}
    for (const names of [
      optionNamesOf(Object.create(Push.prototype)),
      optionNamesOf(Object.create(Deeper.prototype)),
    ]) {
      expect(names.has("linger")).toBe(true);
      expect(names.has("sendHighWaterMark")).toBe(true);
      expect(names.has("receiveTimeout")).toBe(false); // Push does not receive
    }
  });

  it("include the setters a subclass defines (its own options), not its getters or methods", () => {
    class Tuned extends Dealer {
      get mode(): string {
        return "fixed";
      }
      set level(value: number) {
        void value;
      }
      method(): void {}
    }
    const names = optionNamesOf(Object.create(Tuned.prototype));
    expect(names.has("level")).toBe(true);
    expect(names.has("mode")).toBe(false);
    expect(names.has("method")).toBe(false);
    expect(names.has("routingId")).toBe(true);
    // The base class's set is not changed by a subclass's additions.
    expect(optionNamesOf(Object.create(Dealer.prototype)).has("level")).toBe(false);
  });

  it("refuse an unknown name or a non-object with a TypeError naming the class", () => {
    class Announcer extends Publisher {}
    expect(() =>
      applyConstructorOptions(Object.create(Announcer.prototype), { receiveTimeout: 1 }),
    ).toThrow(new TypeError('Unknown option "receiveTimeout" for Announcer'));
    expect(() => applyConstructorOptions(Object.create(Announcer.prototype), 5 as never)).toThrow(
      TypeError,
    );
  });
});
