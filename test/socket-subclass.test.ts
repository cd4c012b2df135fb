// Subclassing the socket classes, as zeromq v6 allows: options are found through the
// prototype chain, a subclass may add options of its own over the protected get/set*Option
// accessors, and a subclass of a draft type keeps its type's message shapes.
import { describe, expect, it } from "vitest";

import { Client, Server } from "../src/draft";
import { ZMQ } from "../src/generated/zmq-constants";
import { Dealer, Push, Socket, type SocketOptions } from "../src/index";
import { endpoint } from "./helpers/endpoints";
import { track, within } from "./helpers/lifecycle";

class MyPush extends Push {}
class MyServer extends Server {}

describe("a subclass of a socket class", () => {
  it("takes its base class's options in the constructor (stable type)", () => {
    const socket = track(new MyPush({ linger: 0, sendHighWaterMark: 7 }));
    expect(socket.linger).toBe(0);
    expect(socket.sendHighWaterMark).toBe(7);
    expect(socket).toBeInstanceOf(MyPush);
    expect(socket).toBeInstanceOf(Push);
    expect(socket).toBeInstanceOf(Socket);
    expect(socket.type).toBe(ZMQ.PUSH);
  });

  it("takes its base class's options in the constructor (draft type)", () => {
    const socket = track(new MyServer({ linger: 0, receiveTimeout: 20 }));
    expect(socket.linger).toBe(0);
    expect(socket.receiveTimeout).toBe(20);
    expect(socket).toBeInstanceOf(Server);
    expect(socket.threadSafe).toBe(true);
  });

  it("refuses an option its base class does not have, naming the subclass", () => {
    expect(() => new MyPush({ receiveTimeout: 1 } as never)).toThrow(
      new TypeError('Unknown option "receiveTimeout" for MyPush'),
    );
  });

  it("keeps its draft type's message shapes: a SERVER subclass receives [message, { routingId }]", async () => {
    const address = endpoint("inproc");
    const server = track(new MyServer({ linger: 0 }));
    await server.bind(address);
    const client = track(new Client({ linger: 0 }));
    client.connect(address);
    await client.send("ping");
    const [message, { routingId }] = await within(server.receive(), 5000, "the request");
    expect(String(message)).toBe("ping");
    await server.send("pong", { routingId });
    const [reply] = await within(client.receive(), 5000, "the reply");
    expect(String(reply)).toBe("pong");
  });

  it("may add options of its own over the protected accessors, constructor included (as in v6)", () => {
    class Tuned extends Dealer {
      constructor(options?: SocketOptions<"Dealer"> & { queueOnlyWhenConnected?: boolean }) {
        super(options);
      }
      get queueOnlyWhenConnected(): boolean {
        return this.getBoolOption(ZMQ.IMMEDIATE);
      }
      set queueOnlyWhenConnected(value: boolean) {
        this.setBoolOption(ZMQ.IMMEDIATE, value);
      }
    }
    const socket = track(new Tuned({ linger: 0, queueOnlyWhenConnected: true }));
    expect(socket.immediate).toBe(true); // the same libzmq option, read through the table
    socket.immediate = false;
    expect(socket.queueOnlyWhenConnected).toBe(false);
  });

  it("is not sealed, so it may add fields; zmq-napi's own classes are (see coming-from-zeromq)", () => {
    class Labelled extends Push {
      label = "mine";
    }
    const socket = track(new Labelled({ linger: 0 }));
    expect(socket.label).toBe("mine");
    expect(Object.isSealed(socket)).toBe(false);
    expect(Object.isSealed(track(new Push({ linger: 0 })))).toBe(true);
    expect(Object.isSealed(track(new Server({ linger: 0 })))).toBe(true);
  });
});
