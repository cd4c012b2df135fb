// Type-level tests: the API's types are part of the API. `npm test` type-checks this file
// (tsc --noEmit): a wrong type fails the build, and @ts-expect-error lines fail if the error
// they expect disappears. The runtime assertions keep vitest honest about the same facts.
import { describe, expect, expectTypeOf, it } from "vitest";

import * as zmq from "../src/index";
import * as draft from "../src/draft";

describe("socket classes have exactly their own methods and options", () => {
  it("Push sends but does not receive; Pull receives but does not send", () => {
    const push = new zmq.Push();
    const pull = new zmq.Pull();
    try {
      expectTypeOf(push.send).parameter(0).toEqualTypeOf<zmq.MessageLike | zmq.MessageLike[]>();
      expectTypeOf(push.send).returns.toEqualTypeOf<Promise<void>>();
      expectTypeOf(pull.receive).returns.toEqualTypeOf<Promise<Buffer[]>>();
      // @ts-expect-error Push has no receive()
      expect(push.receive).toBeUndefined();
      // @ts-expect-error Pull has no send()
      expect(pull.send).toBeUndefined();
      // @ts-expect-error Subscriber has no send()
      expect(zmq.Subscriber.prototype.send).toBeUndefined();
    } finally {
      push.close();
      pull.close();
    }
  });

  it("options are typed and placed on the classes they apply to", () => {
    const router = new zmq.Router();
    const push = new zmq.Push();
    try {
      expectTypeOf(router.mandatory).toEqualTypeOf<boolean>();
      expectTypeOf(push.sendHighWaterMark).toEqualTypeOf<number>();
      expectTypeOf(push.linger).toEqualTypeOf<number>();
      expectTypeOf(push.ipv6).toEqualTypeOf<boolean>();
      expectTypeOf(push.curveServerKey).toEqualTypeOf<string | null>();
      expectTypeOf(push.securityMechanism).toEqualTypeOf<null | "plain" | "curve" | "gssapi">();
      // @ts-expect-error Push has no mandatory (ROUTER only)
      expect(push.mandatory).toBeUndefined();
      // @ts-expect-error Push has no receiveHighWaterMark (it does not receive)
      expect(push.receiveHighWaterMark).toBeUndefined();
      // @ts-expect-error lastEndpoint is read-only
      push.lastEndpoint = "tcp://x";
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    } finally {
      router.close();
      push.close();
    }
  });

  it("constructor options are the writable options plus context", () => {
    expectTypeOf<zmq.SocketOptions<"Push">>().toHaveProperty("sendHighWaterMark");
    expectTypeOf<zmq.SocketOptions<"Push">>().toHaveProperty("context");
    expectTypeOf<zmq.SocketOptions<"Push">>().not.toHaveProperty("lastEndpoint");
    expectTypeOf<zmq.SocketOptions<"Push">>().not.toHaveProperty("mandatory");
    // @ts-expect-error unknown option keys do not type-check (and throw at run time)
    expect(() => new zmq.Push({ sendHighWatermark: 5 })).toThrow(TypeError);
  });

  it("draft sockets carry routing ids and groups in their message types", () => {
    expectTypeOf<draft.Server["receive"]>().returns.toEqualTypeOf<
      Promise<[Buffer, draft.ServerRoutingOptions]>
    >();
    expectTypeOf<draft.Dish["receive"]>().returns.toEqualTypeOf<
      Promise<[Buffer, draft.DishGroupOptions]>
    >();
    expectTypeOf<draft.Radio["send"]>().parameters.toEqualTypeOf<
      [zmq.MessageLike, draft.RadioGroupOptions]
    >();
  });
});

describe("errors and events", () => {
  it("ZmqError carries code, errno and address", () => {
    expectTypeOf<zmq.ZmqError["code"]>().toMatchTypeOf<string>();
    expectTypeOf<zmq.ZmqError["errno"]>().toEqualTypeOf<number>();
    expectTypeOf<zmq.ZmqError["address"]>().toEqualTypeOf<string | undefined>();
    const error = new zmq.ZmqError("EAGAIN", "x");
    expect(error.errno).toBeGreaterThan(0);
  });

  it("observer events are a discriminated union", () => {
    expectTypeOf<zmq.EventOfType<"connect:retry">>().toMatchTypeOf<{
      type: "connect:retry";
      interval: number;
      address: string;
    }>();
    expectTypeOf<
      zmq.EventOfType<"handshake:error:auth">["error"]["status"]
    >().toEqualTypeOf<number>();
    expectTypeOf<zmq.EventType>().toMatchTypeOf<string>();
  });
});
