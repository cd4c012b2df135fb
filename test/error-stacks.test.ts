// Asynchronous errors carry the caller's stack: an operation that fails after its call has
// returned (bind on the thread pool, a timeout, a close while waiting) must still name the code
// that started it, not only zmq-napi's own frames. The oracle is this file's own name.
import { afterEach, describe, expect, it } from "vitest";

import { Pull, Push, Request, ZmqError } from "../src/index";

const THIS_FILE = "error-stacks.test";

const opened: Array<{ close(): void }> = [];
function open<T extends { close(): void }>(socket: T): T {
  opened.push(socket);
  return socket;
}
afterEach(() => {
  for (const socket of opened.splice(0).reverse()) socket.close();
});

/** The rejection of `promise`; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ZmqError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZmqError);
    return error as ZmqError;
  }
  throw new Error("expected the operation to reject");
}

/** A ZmqError whose stack starts with its own line and then names this file. */
function expectCallersStack(error: ZmqError, code: string): void {
  expect(error.code).toBe(code);
  const stack = error.stack ?? "";
  expect(stack.split("\n")[0]).toBe(`ZmqError: ${error.message}`);
  expect(stack.split("\n").slice(1).join("\n")).toContain(THIS_FILE);
}

describe("asynchronous errors name the caller", () => {
  it("bind() to an invalid endpoint (the error comes after the thread pool's part)", async () => {
    const pull = open(new Pull());
    const error = await rejection(pull.bind("tcp://nope"));
    expectCallersStack(error, "EINVAL");
    expect(error.address).toBe("tcp://nope");
  });

  it("unbind() of an endpoint that was never bound", async () => {
    const pull = open(new Pull());
    const error = await rejection(pull.unbind("tcp://127.0.0.1:1"));
    expectCallersStack(error, "ENOENT");
  });

  it("send() that times out waiting for a peer (EAGAIN)", async () => {
    const push = open(new Push({ sendTimeout: 20 }));
    const error = await rejection(push.send("nobody is listening"));
    expectCallersStack(error, "EAGAIN");
  });

  it("receive() that times out (EAGAIN)", async () => {
    const pull = open(new Pull({ receiveTimeout: 20 }));
    const error = await rejection(pull.receive());
    expectCallersStack(error, "EAGAIN");
  });

  it("receive() still waiting when the socket is closed (EAGAIN)", async () => {
    const pull = open(new Pull());
    const waiting = rejection(pull.receive());
    pull.close();
    expectCallersStack(await waiting, "EAGAIN");
  });

  it("an observer's receive() still waiting when the observer is closed (EBADF)", async () => {
    const pull = open(new Pull());
    const observer = pull.events;
    const waiting = rejection(observer.receive());
    observer.close();
    expectCallersStack(await waiting, "EBADF");
  });

  it("an error made during the call (EFSM) has the caller's frames of its own", async () => {
    const request = open(new Request());
    request.connect("inproc://error-stacks-efsm");
    await request.send("first");
    const error = await rejection(request.send("second"));
    expectCallersStack(error, "EFSM");
  });
});
