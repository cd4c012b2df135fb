// Context-wide default socket options (Context.socketDefaults, pyzmq's `ctx.linger = 0`): read
// back from libzmq itself (zmq_getsockopt through the raw native call, by zmq.h's ids) on new
// sockets, compared with the same option on a socket of a context without defaults; the
// socket's own constructor options override them; options a type does not have are not
// applied; values are checked when set; internal sockets (observers) are left alone.
import { describe, expect, it } from "vitest";

import { Context, Dealer, Pull, Push, Router, context } from "../src/index";
import { ZMQ } from "../src/generated/zmq-constants";
import { OptionKind } from "../src/options";
import { nativeSocketOf, type Socket } from "../src/socket";
import { endpoint } from "./helpers/endpoints";
import { expectErrno } from "./helpers/errors";
import { track, within } from "./helpers/lifecycle";

/** zmq_getsockopt(option) of `socket`, bypassing zmq-napi's accessors. */
function libzmqOption(socket: Socket, id: number, kind = OptionKind.Int32): unknown {
  return nativeSocketOf(socket).getOption(id, kind);
}

function withContext(options?: ConstructorParameters<typeof Context>[0]): Context {
  const ctx = new Context(options);
  track({ close: () => ctx.close() });
  return ctx;
}

describe("Context.socketDefaults", () => {
  it("every socket made in the context afterwards has them, as libzmq reports", () => {
    const plain = track(new Push({ context: withContext() }));
    // The values below differ from libzmq's own defaults (the oracle for "not applied").
    expect(libzmqOption(plain, ZMQ.LINGER)).toBe(-1);
    expect(libzmqOption(plain, ZMQ.SNDHWM)).toBe(1000);
    expect(libzmqOption(plain, ZMQ.RECONNECT_IVL)).toBe(100);

    const ctx = withContext({
      socketDefaults: { linger: 0, sendHighWaterMark: 17, reconnectInterval: 250 },
    });
    const push = track(new Push({ context: ctx }));
    const dealer = track(new Dealer({ context: ctx }));
    for (const socket of [push, dealer]) {
      expect(libzmqOption(socket, ZMQ.LINGER)).toBe(0);
      expect(libzmqOption(socket, ZMQ.SNDHWM)).toBe(17);
      expect(libzmqOption(socket, ZMQ.RECONNECT_IVL)).toBe(250);
    }
    // The shared default context is untouched.
    expect(libzmqOption(track(new Push()), ZMQ.LINGER)).toBe(-1);
  });

  it("applies to sockets made after it is set, not to those made before", () => {
    const ctx = withContext();
    const before = track(new Pull({ context: ctx }));
    ctx.socketDefaults = { receiveHighWaterMark: 3 };
    const after = track(new Pull({ context: ctx }));
    expect(libzmqOption(before, ZMQ.RCVHWM)).toBe(1000);
    expect(libzmqOption(after, ZMQ.RCVHWM)).toBe(3);
    expect(ctx.socketDefaults).toEqual({ receiveHighWaterMark: 3 });
    // Setting replaces the whole set; {} clears it.
    ctx.socketDefaults = {};
    expect(libzmqOption(track(new Pull({ context: ctx })), ZMQ.RCVHWM)).toBe(1000);
  });

  it("the socket's constructor options override them", () => {
    const ctx = withContext({ socketDefaults: { linger: 0, sendHighWaterMark: 17 } });
    const push = track(new Push({ context: ctx, linger: 50 }));
    expect(libzmqOption(push, ZMQ.LINGER)).toBe(50);
    expect(libzmqOption(push, ZMQ.SNDHWM)).toBe(17);
  });

  it("a socket gets only the options its type has (the rest are not set on it)", () => {
    const ctx = withContext({
      socketDefaults: { receiveHighWaterMark: 5, conflate: true, sendHighWaterMark: 9 },
    });
    // PUSH sends only: no receive options, but conflate and the send HWM.
    const push = track(new Push({ context: ctx }));
    expect(libzmqOption(push, ZMQ.RCVHWM)).toBe(1000);
    expect(libzmqOption(push, ZMQ.CONFLATE)).toBe(1);
    expect(libzmqOption(push, ZMQ.SNDHWM)).toBe(9);
    // ROUTER has both HWMs but not conflate (libzmq would store it, and ignore it).
    const router = track(new Router({ context: ctx }));
    expect(libzmqOption(router, ZMQ.RCVHWM)).toBe(5);
    expect(libzmqOption(router, ZMQ.CONFLATE)).toBe(0);
  });

  it("write-only options read back through the socket as set", () => {
    const ctx = withContext({ socketDefaults: { mandatory: true, routingId: "node-7" } });
    const router = track(new Router({ context: ctx }));
    expect(router.mandatory).toBe(true);
    expect(libzmqOption(router, ZMQ.ROUTING_ID, OptionKind.String)).toBe("node-7");
    // A DEALER has routingId but not mandatory.
    const dealer = track(new Dealer({ context: ctx }));
    expect(libzmqOption(dealer, ZMQ.ROUTING_ID, OptionKind.String)).toBe("node-7");
  });

  it("checks every value when it is set, naming the option, and keeps the old set", () => {
    const ctx = withContext({ socketDefaults: { linger: 0 } });
    const set = (defaults: unknown) => () => {
      ctx.socketDefaults = defaults as Context["socketDefaults"];
    };
    expect(set({ lingr: 0 })).toThrow(/Unknown socket option "lingr"/);
    expect(set({ linger: "0" })).toThrow(TypeError);
    expect(set({ linger: "0" })).toThrow(/for linger/);
    expect(set({ linger: -2 })).toThrow(RangeError);
    expect(set({ sendHighWaterMark: 1.5 })).toThrow(/for sendHighWaterMark/);
    expect(set({ curveSecretKey: "short" })).toThrow(RangeError);
    expect(set({ type: 1 })).toThrow(/type: it is read-only/);
    expect(set(null)).toThrow(/for socketDefaults/);
    expect(set([])).toThrow(TypeError);
    expect(ctx.socketDefaults).toEqual({ linger: 0 });
    expect(() => new Context({ socketDefaults: { linger: true } as never })).toThrow(/for linger/);
    // What the copy returned holds cannot be changed behind the check.
    expect(Object.isFrozen(ctx.socketDefaults)).toBe(true);
  });

  it("what only libzmq refuses fails when a socket that has the option is made", async () => {
    // An empty routing id: libzmq wants 1 to 255 bytes (EINVAL).
    const ctx = withContext({ socketDefaults: { routingId: "" } });
    const error = await expectErrno("EINVAL", () => new Dealer({ context: ctx }));
    expect(error.message).toContain("routingId");
    // A PUSH has no routing id: it is made.
    expect(track(new Push({ context: ctx })).closed).toBe(false);
  });

  it("the shared default context takes defaults too", () => {
    try {
      context.socketDefaults = { linger: 0 };
      expect(libzmqOption(track(new Push()), ZMQ.LINGER)).toBe(0);
    } finally {
      context.socketDefaults = {};
    }
  });

  it("the sockets zmq-napi makes for itself (an observer's pipe) do not take them", async () => {
    // A receive timeout on the observer's pipe would end its reading with EAGAIN.
    const ctx = withContext({ socketDefaults: { receiveTimeout: 1 } });
    const pull = track(new Pull({ context: ctx, receiveTimeout: -1 }));
    const observed = within(
      new Promise((resolve) => pull.events.on("bind", resolve)),
      5000,
      "bind event",
    );
    // Long enough for a timed-out read to have ended the observer, had its pipe the default.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pull.bind(endpoint("tcp"));
    await observed;
  });
});
