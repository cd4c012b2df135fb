// The socket-type table (src/socket-types.ts) is the one list of socket types: the entry
// points export exactly its classes, the addon's header is generated from it, and what the
// addon does per type follows it. Per-type libzmq facts (ZMQ_TYPE, ZMQ_THREAD_SAFE) are
// checked against libzmq in socket-options.test.ts.
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import * as draft from "../src/draft";
import * as stable from "../src/index";
import { Socket } from "../src/socket";
import { socketTypes, typeIdOf, type SocketClassName } from "../src/socket-types";
import { describeExit, runChild } from "./helpers/children";
import { track } from "./helpers/lifecycle";
import { rejection } from "./helpers/errors";

const names = Object.keys(socketTypes) as SocketClassName[];

/** The socket classes a module exports, by name. */
function socketClassesOf(module: object): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof Socket)
    .map(([name]) => name)
    .sort();
}

describe("the socket-type table", () => {
  it("is what the entry points export: stable types from zmq-napi, draft ones from zmq-napi/draft", () => {
    expect(socketClassesOf(stable)).toEqual(names.filter((n) => !socketTypes[n].draft).sort());
    expect(socketClassesOf(draft)).toEqual(names.filter((n) => socketTypes[n].draft).sort());
  });

  it("maps each class to the libzmq type zeromq v6 gives it (zmq.h's numbers, written out)", () => {
    const v6 = {
      ...{ Pair: 0, Publisher: 1, Subscriber: 2, Request: 3, Reply: 4, Dealer: 5, Router: 6 },
      ...{ Pull: 7, Push: 8, XPublisher: 9, XSubscriber: 10, Stream: 11, Server: 12 },
      ...{ Client: 13, Radio: 14, Dish: 15, Gather: 16, Scatter: 17, Datagram: 18, Peer: 19 },
      Channel: 20,
    };
    expect(Object.fromEntries(names.map((name) => [name, typeIdOf(name)]))).toEqual(v6);
  });

  it("gives each class its name, so messages and stack traces name the class", () => {
    for (const name of names) {
      const exported = (socketTypes[name].draft ? draft : stable) as unknown as Record<
        string,
        { name: string }
      >;
      expect(exported[name].name).toBe(name);
    }
  });

  it("is what binding/socket_types.h was generated from", async () => {
    const script = path.join(__dirname, "..", "scripts", "generate-socket-types.js");
    const result = await runChild([process.execPath, script, "--check"], { timeoutMs: 30_000 });
    expect(result.code, describeExit(result)).toBe(0);
  });

  it("drives the addon's frame-shape rule: a Stream message is exactly [routing id, data]", async () => {
    const stream = track(new stable.Stream({ linger: 0 }));
    const send = stream.trySend as unknown as (message: unknown) => boolean;
    const error = await rejection(() => send.call(stream, ["one frame"]));
    expect(error).toMatchObject({ code: "EINVAL" });
    expect(String((error as Error).message)).toContain("a Stream message is [routing id, data]");
    // A multipart type takes any number of frames: the rule is the table's, not a global one.
    const dealer = track(new stable.Dealer({ linger: 0 }));
    expect(dealer.trySend(["one", "two", "three"])).toBe(false); // no peer: EAGAIN, no error
  });

  it("drives the addon's pgm check: run for the types libzmq takes over epgm://, never for others", () => {
    // zmq_pgm(7): multicast is publish-subscribe; libzmq 4.3.4 takes PUB/XPUB as senders and
    // SUB/XSUB as receivers (session_base.cpp) and answers ENOCOMPATPROTO for the rest. An
    // endpoint without a port shows who answered: the addon's check names the expected form.
    const takenByLibzmq = new Set(["Publisher", "XPublisher", "Subscriber", "XSubscriber"]);
    const classes = { ...stable, ...draft } as Record<string, unknown>;
    for (const name of names) {
      const SocketClass = classes[name] as new (options: object) => Socket;
      const socket = track(new SocketClass({ linger: 0 }));
      let error: { code?: unknown; message?: unknown } = {};
      try {
        (socket as unknown as { connect(address: string): void }).connect("epgm://127.0.0.1");
      } catch (thrown) {
        error = thrown as typeof error;
      }
      if (takenByLibzmq.has(name)) {
        expect(error.code, name).toBe("EINVAL");
        expect(String(error.message), name).toContain("<interface>;<multicast group>:<port>");
      } else {
        expect(error.code, name).toBe("ENOCOMPATPROTO");
      }
      socket.close();
    }
  });
});
