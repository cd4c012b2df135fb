// Context options, generated from the option table (zmq_ctx_set/zmq_ctx_get), plus hand-written
// cases for the defaults, their effect on new sockets and the shared default context.
import { afterEach, describe, expect, it } from "vitest";

import { Context, Push, context } from "../src/index";
import { contextOptions, type OptionSpec } from "../src/options";
import type { Socket } from "../src/socket";
import { expectArgumentError, expectErrnoSync } from "./helpers/errors";

type AnyContext = Context & Record<string, unknown>;

const optionEntries = Object.entries(contextOptions) as Array<[string, OptionSpec]>;
const INT32_MAX = 2 ** 31 - 1;

// --- contexts (and sockets) are closed after every test -----------------------------------------

const contexts: Context[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const ctx of contexts.splice(0)) ctx.close();
});

function make(options?: object): AnyContext {
  const ctx = new Context(options);
  contexts.push(ctx);
  return ctx as AnyContext;
}

/** libzmq's defaults on Linux (zmq.h's *_DFLT, ctx.cpp; epoll does not clip max sockets). */
const defaults: Record<string, unknown> = {
  blocky: true,
  ioThreads: 1,
  maxMessageSize: INT32_MAX,
  maxSockets: 1023,
  ipv6: false,
  threadPriority: -1,
  threadSchedulingPolicy: -1,
  threadNamePrefix: 0,
  maxSocketsLimit: 65535,
  msgTSize: 64,
  zeroCopyReceive: true,
};

/** Valid non-default values. No socket is made in these contexts: the thread options are inert. */
const samples: Record<string, unknown> = {
  blocky: false,
  ioThreads: 2,
  maxMessageSize: 1 << 20,
  maxSockets: 42,
  ipv6: true,
  threadPriority: 5,
  threadSchedulingPolicy: 1,
  threadNamePrefix: 7,
  zeroCopyReceive: false,
};

function wrongType(spec: OptionSpec): unknown {
  return spec.value === "boolean" ? 1 : "42";
}

function outOfRange(spec: OptionSpec): unknown[] {
  if (spec.value !== "number") return [];
  const min = spec.min ?? -(2 ** 31);
  const max = spec.max ?? INT32_MAX;
  return [min - 1, max + 1, min + 0.5];
}

// --- generated: every option --------------------------------------------------------------------

describe("context options", () => {
  it("has a default for every option in this test", () => {
    expect(Object.keys(defaults).sort()).toEqual(optionEntries.map(([name]) => name).sort());
  });

  it("has each option named here on a new Context and on the shared one", () => {
    const made = make();
    for (const name of Object.keys(defaults))
      expect({ name, made: name in made, shared: name in context }).toEqual({
        name,
        made: true,
        shared: true,
      });
  });

  for (const [name, spec] of optionEntries) {
    describe(name, () => {
      it(
        spec.access === "w" ? "reads its initial value before it is set" : "reads its default",
        () => {
          const value = make()[name];
          expect(value).toEqual(defaults[name]);
          if (spec.access === "w") expect(value).toEqual(spec.initial);
          expect(typeof value).toBe(spec.value === "boolean" ? "boolean" : "number");
        },
      );

      if (spec.access === "r") {
        it("throws a TypeError naming it when set", () => {
          const ctx = make();
          expectArgumentError(TypeError, name, () => (ctx[name] = 1));
          expectArgumentError(TypeError, name, () => make({ [name]: 1 }));
          expect(ctx[name]).toEqual(defaults[name]);
        });
        return;
      }

      it("reads back a non-default value it was set to", () => {
        const ctx = make();
        const value = samples[name];
        expect(value).not.toEqual(defaults[name]);
        ctx[name] = value;
        expect(ctx[name]).toEqual(value);
      });

      it("applies it as a constructor option", () => {
        expect(make({ [name]: samples[name] })[name]).toEqual(samples[name]);
      });

      it("throws a TypeError naming it for a value of the wrong type", () => {
        const ctx = make({ [name]: samples[name] });
        expectArgumentError(TypeError, name, () => (ctx[name] = wrongType(spec)));
        expectArgumentError(TypeError, name, () => (ctx[name] = undefined));
        expectArgumentError(TypeError, name, () => make({ [name]: wrongType(spec) }));
        expect(ctx[name]).toEqual(samples[name]);
      });

      const invalid = outOfRange(spec);
      if (invalid.length > 0) {
        it("throws a RangeError naming it for a value out of range", () => {
          const ctx = make({ [name]: samples[name] });
          for (const value of invalid) {
            expectArgumentError(RangeError, name, () => (ctx[name] = value));
          }
          expectArgumentError(RangeError, name, () => make({ [name]: invalid[0] }));
          expect(ctx[name]).toEqual(samples[name]);
        });
      }
    });
  }
});

// --- hand-written cases ---------------------------------------------------------------------------

describe("context options by hand", () => {
  it("applies constructor options", () => {
    expect(make({ ioThreads: 2 }).ioThreads).toBe(2);
    const ctx = make({ blocky: false, maxSockets: 10, ipv6: true });
    expect(ctx.blocky).toBe(false);
    expect(ctx.maxSockets).toBe(10);
    expect(ctx.ipv6).toBe(true);
  });

  it("rejects unknown constructor keys with a TypeError naming the key", () => {
    expectArgumentError(TypeError, "ioThread", () => make({ ioThread: 2 }));
    expectArgumentError(TypeError, "linger", () => make({ linger: 0 }));
    expect(() => make(5 as never)).toThrow(TypeError);
  });

  it("has a read-only maxSocketsLimit", () => {
    const ctx = make();
    expect(ctx.maxSocketsLimit).toBe(65535);
    expectArgumentError(
      TypeError,
      "maxSocketsLimit",
      () => ((ctx as unknown as Record<string, unknown>).maxSocketsLimit = 10),
    );
    expect(ctx.maxSockets).toBeLessThanOrEqual(ctx.maxSocketsLimit);
  });

  it("returns booleans for blocky, ipv6 and zeroCopyReceive", () => {
    const ctx = make();
    expect(ctx.blocky).toBe(true);
    expect(ctx.ipv6).toBe(false);
    expect(ctx.zeroCopyReceive).toBe(true);
    ctx.blocky = false;
    expect(ctx.blocky).toBe(false);
  });

  it("gives new sockets its ipv6 and blocky settings", () => {
    const ctx = make({ ipv6: true, blocky: false });
    const push = new Push({ context: ctx });
    sockets.push(push);
    expect(push.ipv6).toBe(true);
    expect(push.linger).toBe(0);
    const plain = new Push({ context: make() });
    sockets.push(plain);
    expect(plain.ipv6).toBe(false);
    expect(plain.linger).toBe(-1);
  });

  it("enforces maxSockets", () => {
    const ctx = make({ maxSockets: 1 });
    sockets.push(new Push({ context: ctx }));
    expectErrnoSync("EMFILE", () => sockets.push(new Push({ context: ctx })));
  });

  it("throws EBADF for options of a closed context", () => {
    const ctx = make();
    ctx.close();
    for (const fn of [() => ctx.ioThreads, () => (ctx.ioThreads = 2)]) {
      expectErrnoSync("EBADF", fn);
    }
  });

  it("exports the shared default context as a Context", () => {
    expect(context).toBeInstanceOf(Context);
    expect(context.closed).toBe(false);
    expect(context.ioThreads).toBeGreaterThanOrEqual(1);
    expect(context.maxSockets).toBeGreaterThanOrEqual(1);
    expect(typeof context.blocky).toBe("boolean");
    expect(context.maxSocketsLimit).toBe(65535);
    const push = new Push();
    sockets.push(push);
    expect(push.context).toBe(context);
  });
});
