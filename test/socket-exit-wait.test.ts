// Exiting while sockets still hold messages: linger is honoured, but by default only for a
// bounded time (1500 ms), with a warning on stderr after 250 ms; waiting until delivery stays
// available by choice. Each program's peer never comes, so only the bound can end the wait.
import { describe, expect, it } from "vitest";

import { setExitTimeout } from "../src/index";
import { trackChild } from "./helpers/lifecycle";
import { runFixture } from "./fixtures/reliability-helpers";

// zeromq's own warning, word for word (programs look for it), then ours with the details.
const ZEROMQ_WARNING =
  /\(node:\d+\) WARNING: Waiting for queued ZeroMQ messages to be delivered\. Set 'context\.blocky = false' to change this behaviour\.\n/;
const OUR_WARNING = /zmq-napi waits at most 1500 ms in all\b.*setExitTimeout/;
// A socket still open at exit is named (one the program closed itself is not tracked).
const NAMES_THE_SOCKET = /e\.g\. for a REQ socket connected to tcp:\/\/127\.0\.0\.1:9\./;

function run(mode: string, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const child = runFixture("exit-wait.cjs", [mode, ...(options.args ?? [])], {
    env: options.env,
    timeoutMs: 30_000,
  });
  trackChild(child);
  return child;
}

describe("exit with messages queued for a peer that never comes", () => {
  it("process.exit(1) of a REQ client whose server is down exits with its code and a warning", async () => {
    const result = await run("req-process-exit").done;
    expect(result.timedOut, "the process never exited").toBe(false);
    expect(result.stdout).toContain("receive: EAGAIN");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(ZEROMQ_WARNING);
    expect(result.stderr).toMatch(OUR_WARNING);
    expect(result.stderr).toMatch(NAMES_THE_SOCKET);
  });

  it("a natural exit that waits on a closed socket's linger ends too, with the warning", async () => {
    const result = await run("push-natural").done;
    expect(result.timedOut, "the process never exited").toBe(false);
    expect(result.stdout).toContain("closed");
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(ZEROMQ_WARNING);
    expect(result.stderr).toMatch(OUR_WARNING);
    // One warning per process, however many contexts wait.
    expect(result.stderr.match(/Waiting for queued/g)).toHaveLength(1);
  });

  it("an exit timeout of 0 drops the messages at once, without a warning", async () => {
    const result = await run("req-process-exit", { args: ["0"] }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });

  it("ZMQ_NAPI_EXIT_TIMEOUT=-1 waits until delivered, as chosen (the process is still there)", async () => {
    const child = run("push-natural", { env: { ZMQ_NAPI_EXIT_TIMEOUT: "-1" } });
    await child.line("closed");
    // Well past the default bound, the process still waits for its peer.
    const ended = await Promise.race([
      child.done.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 4000)),
    ]);
    expect(ended).toBe(false);
    expect(child.child.exitCode).toBeNull();
    child.kill("SIGKILL");
  });
});

describe("setExitTimeout()", () => {
  it("takes -1 or a non-negative integer of ms, and refuses anything else", () => {
    for (const bad of [-2, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => setExitTimeout(bad)).toThrow(RangeError);
    }
    expect(() => setExitTimeout("1000" as never)).toThrow(TypeError);
    setExitTimeout(-1);
    setExitTimeout(2000);
  });
});
