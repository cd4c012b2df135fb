// Errors: libzmq failures surface as ZmqError with the errno name in .code, its number in
// .errno and the endpoint in .address; argument and option checks throw TypeError/RangeError
// naming what was wrong.
import * as os from "node:os";
import { describe, expect, it } from "vitest";

import {
  Context,
  Dealer,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  ZmqError,
} from "../src/index";
import { bindFresh, endpoint } from "./helpers/endpoints";
import { track } from "./helpers/lifecycle";
import { rejection } from "./helpers/errors";

/** libzmq's own errno numbers start at ZMQ_HAUSNUMERO (156384712). */
const EFSM = 156384712 + 51;

/** The system's errno number for `code`. */
function systemErrno(code: string): number {
  const value = (os.constants.errno as Record<string, number>)[code];
  if (value === undefined) throw new Error(`no errno ${code}`);
  return value;
}

function expectZmqError(error: unknown, code: string, errno: number, address?: string): void {
  expect(error).toBeInstanceOf(ZmqError);
  expect(error).toBeInstanceOf(Error);
  const zmqError = error as ZmqError;
  expect(zmqError.name).toBe("ZmqError");
  expect(zmqError.code).toBe(code);
  expect(zmqError.errno).toBe(errno);
  expect(typeof zmqError.message).toBe("string");
  expect(zmqError.message.length).toBeGreaterThan(0);
  if (address !== undefined) expect(zmqError.address).toBe(address);
}

describe("endpoint errors", () => {
  it("bind to an invalid tcp endpoint rejects with EINVAL and the address", async () => {
    const pull = track(new Pull());
    const error = await rejection(() => pull.bind("tcp://nope"));
    expectZmqError(error, "EINVAL", systemErrno("EINVAL"), "tcp://nope");
  });

  it("bind() reports its error as a rejection, not a synchronous throw", async () => {
    const pull = track(new Pull());
    let result: Promise<void> | undefined;
    expect(() => (result = pull.bind("tcp://nope"))).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(ZmqError);
  });

  it("bind to an address in use rejects with EADDRINUSE and the address", async () => {
    const first = track(new Pull());
    const address = await bindFresh(first, "tcp");
    const second = track(new Pull());
    const error = await rejection(() => second.bind(address));
    expectZmqError(error, "EADDRINUSE", systemErrno("EADDRINUSE"), address);
    // The failed socket stays usable.
    await second.bind(endpoint("inproc"));
    expect(second.lastEndpoint).toMatch(/^inproc:\/\//);
  });

  it("bindSync to an address in use throws EADDRINUSE with the address", async () => {
    const first = track(new Pull());
    const address = await bindFresh(first, "tcp");
    const second = track(new Pull());
    const error = await rejection(() => second.bindSync(address));
    expectZmqError(error, "EADDRINUSE", systemErrno("EADDRINUSE"), address);
  });

  it("an unknown transport fails with EPROTONOSUPPORT (bind and connect)", async () => {
    const socket = track(new Dealer());
    expectZmqError(
      await rejection(() => socket.bind("foo://x")),
      "EPROTONOSUPPORT",
      systemErrno("EPROTONOSUPPORT"),
      "foo://x",
    );
    expectZmqError(
      await rejection(() => socket.connect("foo://x")),
      "EPROTONOSUPPORT",
      systemErrno("EPROTONOSUPPORT"),
      "foo://x",
    );
  });

  it("connect to inproc:// (no name) throws EINVAL with the address", async () => {
    const push = track(new Push());
    const error = await rejection(() => push.connect("inproc://"));
    expectZmqError(error, "EINVAL", systemErrno("EINVAL"), "inproc://");
  });

  it("connect to a tcp endpoint without a port throws EINVAL", async () => {
    const push = track(new Push());
    const error = await rejection(() => push.connect("tcp://127.0.0.1"));
    expectZmqError(error, "EINVAL", systemErrno("EINVAL"), "tcp://127.0.0.1");
  });

  it("unbind and disconnect of endpoints never used fail with ENOENT and the address", async () => {
    const socket = track(new Pull());
    expectZmqError(
      await rejection(() => socket.unbind("tcp://127.0.0.1:1")),
      "ENOENT",
      systemErrno("ENOENT"),
      "tcp://127.0.0.1:1",
    );
    expectZmqError(
      await rejection(() => socket.disconnect("tcp://127.0.0.1:1")),
      "ENOENT",
      systemErrno("ENOENT"),
      "tcp://127.0.0.1:1",
    );
  });

  it("endpoint arguments that are not strings are TypeErrors", async () => {
    const socket = track(new Pull());
    for (const action of [
      () => socket.bind(5 as unknown as string),
      () => socket.connect(5 as unknown as string),
      () => socket.unbind(undefined as unknown as string),
      () => socket.disconnect(null as unknown as string),
    ]) {
      const error = await rejection(action);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/address/);
    }
  });
});

describe("message errors", () => {
  it("ROUTER with mandatory=true sending to an unknown routing id rejects with EHOSTUNREACH", async () => {
    const router = track(new Router({ mandatory: true }));
    await bindFresh(router, "inproc");
    const error = await rejection(() => router.send(["nobody", "payload"]));
    expectZmqError(error, "EHOSTUNREACH", systemErrno("EHOSTUNREACH"));
    expectZmqError(
      await rejection(() => router.trySend(["nobody", "payload"])),
      "EHOSTUNREACH",
      systemErrno("EHOSTUNREACH"),
    );
  });

  it("ROUTER with mandatory=true still delivers to a known routing id", async () => {
    const router = track(new Router({ mandatory: true }));
    const dealer = track(new Dealer({ routingId: "known" }));
    dealer.connect(await bindFresh(router, "inproc"));
    await dealer.send("hello");
    const [id] = await router.receive();
    expect(id.toString()).toBe("known");
    await router.send(["known", "reply"]);
    expect((await dealer.receive())[0].toString()).toBe("reply");
  });

  it("REQ send twice rejects with EFSM and libzmq's errno", async () => {
    const rep = track(new Reply());
    const req = track(new Request());
    req.connect(await bindFresh(rep, "inproc"));
    await req.send("first");
    expectZmqError(await rejection(() => req.send("second")), "EFSM", EFSM);
    expectZmqError(await rejection(() => req.trySend("second")), "EFSM", EFSM);
  });

  it("REP send before receive fails with EFSM", async () => {
    const rep = track(new Reply());
    await bindFresh(rep, "inproc");
    expectZmqError(await rejection(() => rep.send("unasked")), "EFSM", EFSM);
    expectZmqError(await rejection(() => rep.trySend("unasked")), "EFSM", EFSM);
  });

  it("REQ receive before send fails with EFSM", async () => {
    const req = track(new Request());
    req.connect(endpoint("inproc"));
    expectZmqError(await rejection(() => req.receive()), "EFSM", EFSM);
    expectZmqError(await rejection(() => req.tryReceive()), "EFSM", EFSM);
  });

  it("errors made on the JavaScript side carry the errno too (EBADF, EAGAIN)", async () => {
    const push = new Push({ sendTimeout: 10 });
    expectZmqError(await rejection(() => push.send("nobody")), "EAGAIN", systemErrno("EAGAIN"));
    push.close();
    expectZmqError(await rejection(() => push.send("closed")), "EBADF", systemErrno("EBADF"));
  });

  it("a message of the wrong type is a TypeError", async () => {
    const { push } = await (async () => {
      const pull = track(new Pull());
      const push = track(new Push());
      push.connect(await bindFresh(pull, "inproc"));
      return { push, pull };
    })();
    // Objects are sent as String(value), as zeromq v6 does (socket-messages.test.ts); these
    // have no frame form at all.
    for (const bad of [undefined, [], [undefined], Symbol("x"), [Symbol("x")]]) {
      const error = await rejection(() => push.send(bad as never));
      expect(error).toBeInstanceOf(TypeError);
    }
  });

  it("a ZmqError stringifies with its name and message", async () => {
    const pull = track(new Pull());
    const error = (await rejection(() => pull.bind("tcp://nope"))) as ZmqError;
    expect(String(error)).toBe(`ZmqError: ${error.message}`);
    expect(error.stack).toMatch(/^ZmqError: /);
  });
});

describe("option errors", () => {
  it("an unknown constructor option is a TypeError naming the key", () => {
    expect(() => new Push({ nonsense: 1 } as never)).toThrow(TypeError);
    expect(() => new Push({ nonsense: 1 } as never)).toThrow(/nonsense/);
  });

  it("an option of another socket type is rejected by the constructor, naming it", () => {
    expect(() => new Push({ receiveTimeout: 5 } as never)).toThrow(TypeError);
    expect(() => new Push({ receiveTimeout: 5 } as never)).toThrow(/receiveTimeout/);
    expect(() => new Pull({ sendHighWaterMark: 5 } as never)).toThrow(/sendHighWaterMark/);
    expect(() => new Dealer({ mandatory: true } as never)).toThrow(/mandatory/);
  });

  it("options that are not an object are a TypeError", () => {
    expect(() => new Push(5 as never)).toThrow(TypeError);
    expect(() => new Push("linger" as never)).toThrow(TypeError);
  });

  it("a context that is not a Context is a TypeError naming context", () => {
    expect(() => new Push({ context: {} as Context })).toThrow(TypeError);
    expect(() => new Push({ context: {} as Context })).toThrow(/context/);
  });

  const cases: Array<{
    option: string;
    value: unknown;
    error: typeof TypeError | typeof RangeError;
  }> = [
    { option: "linger", value: "x", error: TypeError },
    { option: "linger", value: 1.5, error: RangeError },
    { option: "linger", value: -2, error: RangeError },
    { option: "sendHighWaterMark", value: -5, error: RangeError },
    { option: "sendHighWaterMark", value: 2 ** 31, error: RangeError },
    { option: "receiveTimeout", value: null, error: TypeError },
    { option: "immediate", value: 1, error: TypeError },
    { option: "routingId", value: 5, error: TypeError },
    { option: "curveServerKey", value: "short", error: RangeError },
    { option: "curveServerKey", value: Buffer.alloc(31), error: RangeError },
    { option: "curveServerKey", value: 42, error: TypeError },
  ];

  it.each(cases)(
    "constructor option $option = $value is a $error.name naming the option",
    ({ option, value, error }) => {
      let thrown: unknown;
      try {
        new Dealer({ [option]: value });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(error);
      expect((thrown as Error).message).toContain(option);
    },
  );

  it.each(cases)(
    "assigning $option = $value is a $error.name naming the option",
    ({ option, value, error }) => {
      const dealer = track(new Dealer());
      let thrown: unknown;
      try {
        (dealer as unknown as Record<string, unknown>)[option] = value;
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(error);
      expect((thrown as Error).message).toContain(option);
    },
  );

  it("a function given for an option is named in the message, its source is not", () => {
    function makeLinger() {
      return "the body of makeLinger";
    }
    const message = (value: unknown) => {
      try {
        new Dealer({ linger: value as number });
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("the constructor accepted a function");
    };
    expect(message(makeLinger)).toMatch(/received function makeLinger$/);
    expect(message(makeLinger)).not.toContain("the body of makeLinger");
    expect(message(() => 1)).toMatch(/received function \(anonymous\)$/);
  });

  it("undefined given for an option is named once", () => {
    expect(() => new Dealer({ routingId: undefined as never })).toThrow(
      /for routingId but received undefined$/,
    );
  });

  it("a rejected assignment leaves the option unchanged", () => {
    const dealer = track(new Dealer({ linger: 250, sendHighWaterMark: 7 }));
    expect(() => (dealer.linger = "x" as never)).toThrow(TypeError);
    expect(() => (dealer.sendHighWaterMark = -5)).toThrow(RangeError);
    expect(dealer.linger).toBe(250);
    expect(dealer.sendHighWaterMark).toBe(7);
  });

  it("read-only options cannot be assigned", () => {
    const pull = track(new Pull());
    expect(
      () => ((pull as unknown as { lastEndpoint: string }).lastEndpoint = "tcp://x:1"),
    ).toThrow(TypeError);
    expect(
      () => ((pull as unknown as { lastEndpoint: string }).lastEndpoint = "tcp://x:1"),
    ).toThrow(/lastEndpoint/);
  });

  it("an option libzmq refuses is a ZmqError (EINVAL)", () => {
    const dealer = track(new Dealer());
    let thrown: unknown;
    try {
      dealer.routingId = "";
    } catch (e) {
      thrown = e;
    }
    expectZmqError(thrown, "EINVAL", systemErrno("EINVAL"));
  });

  it("subscribe() with a prefix of the wrong type is a TypeError", () => {
    const sub = track(new Subscriber());
    expect(() => sub.subscribe(5 as never)).toThrow(TypeError);
  });

  it("context options are checked too", () => {
    expect(() => new Context({ ioThreads: "x" } as never)).toThrow(TypeError);
    expect(() => new Context({ ioThreads: "x" } as never)).toThrow(/ioThreads/);
    expect(() => new Context({ nonsense: 1 } as never)).toThrow(/nonsense/);
  });
});
