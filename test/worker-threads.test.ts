// zmq-napi in worker_threads: the addon loads in several workers at once, inproc crosses
// threads through the shared default context, and workers that exit or are terminated with
// open sockets and pending operations leave the process healthy.
import { createRequire } from "node:module";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";

import { Pull, Push, Request, type Socket, version } from "../src/index";
import { runFixture } from "./fixtures/reliability-helpers";
import { bindFresh, endpoint, transports } from "./helpers/endpoints";
import { within } from "./helpers/lifecycle";

const script = path.join(__dirname, "fixtures", "zmq-worker.cjs");
// The sources transpiled once here, so that workers do not each load the TypeScript compiler.
const { compileSources } = createRequire(__filename)("./fixtures/compile-sources.cjs") as {
  compileSources(): Record<string, string>;
};
let compiledSources: Record<string, string> | undefined;

const open: Socket[] = [];
function track<S extends Socket>(socket: S): S {
  open.push(socket);
  return socket;
}
const workers: Worker[] = [];

afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

interface WorkerEvent {
  event: string;
  threadId: number;
  [key: string]: unknown;
}

interface Started {
  worker: Worker;
  /** Resolves with the first message whose event is `name` (rejects on an "error" event). */
  next(name: string, ms?: number): Promise<WorkerEvent>;
  exit: Promise<number>;
  errors: unknown[];
}

function start(workerData: Record<string, unknown>): Started {
  compiledSources ??= compileSources();
  const worker = new Worker(script, {
    workerData: { ...workerData, compiledSources },
    stdout: false,
    stderr: false,
  });
  workers.push(worker);
  const events: WorkerEvent[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  worker.on("message", (message: WorkerEvent) => {
    events.push(message);
    for (const listener of [...listeners]) listener();
  });
  worker.on("error", (error) => {
    errors.push(error);
    for (const listener of [...listeners]) listener();
  });
  const exit = new Promise<number>((resolve) => worker.once("exit", resolve));
  const next = (name: string, ms = 10_000) =>
    new Promise<WorkerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`worker did not report "${name}" within ${ms} ms`));
      }, ms);
      const check = () => {
        const failed = events.find((e) => e.event === "error");
        const found = events.find((e) => e.event === name);
        if (failed !== undefined || errors.length > 0 || found !== undefined) {
          clearTimeout(timer);
          listeners.delete(check);
          if (failed !== undefined) reject(new Error(`worker failed: ${String(failed.message)}`));
          else if (errors.length > 0) reject(errors[0]);
          else resolve(found!);
        }
      };
      listeners.add(check);
      check();
    });
  return { worker, next, exit, errors };
}

/** The main thread still does PUSH/PULL round trips on every transport. */
async function expectHealthy(): Promise<void> {
  for (const transport of transports) {
    const pull = track(new Pull({ linger: 0 }));
    const push = track(new Push({ linger: 0 }));
    push.connect(await bindFresh(pull, transport));
    await push.send(["healthy", transport]);
    const message = await within(pull.receive(), 2000, `round trip over ${transport}`);
    expect(message.map(String)).toEqual(["healthy", transport]);
  }
}

describe("worker threads", () => {
  it("the addon loads in several workers at once, each doing inproc and tcp round trips", async () => {
    const count = 25;
    const tag = `${process.pid}-${Date.now()}`;
    const started = Array.from({ length: 4 }, () => start({ mode: "roundtrip", tag, count }));
    const results = await Promise.all(started.map((s) => s.next("done")));
    const ids = results.map((result) => result.threadId);
    expect(new Set(ids).size).toBe(4);
    expect(ids).not.toContain(0);
    for (const result of results) {
      const id = result.threadId;
      const expected = Array.from({ length: count }, (_, n) => `${id}:${n}`);
      expect(result.inproc).toEqual(expected);
      expect(result.tcp).toEqual(expected);
      expect(result.version).toBe(version);
    }
    const codes = await Promise.all(started.map((s) => within(s.exit, 5000, "worker exit")));
    expect(codes).toEqual([0, 0, 0, 0]);
    await expectHealthy();
  });

  it("inproc connects the main thread and a worker through the shared default context", async () => {
    const pull = track(new Pull());
    const address = endpoint("inproc");
    await pull.bind(address);
    const count = 20;
    const worker = start({ mode: "send", address, count });
    const received: string[] = [];
    for (let i = 0; i < count; i++) {
      received.push(
        (await within(pull.receive(), 5000, `message ${i} from the worker`))[0].toString(),
      );
    }
    expect(received).toEqual(Array.from({ length: count }, (_, i) => `from-worker-${i}`));
    await worker.next("sent");
    expect(await within(worker.exit, 5000, "worker exit")).toBe(0);
  });

  it("the main thread connects over inproc to an endpoint a worker bound", async () => {
    const address = endpoint("inproc");
    const worker = start({ mode: "reply", address });
    await worker.next("bound");
    const req = track(new Request({ linger: 0 }));
    req.connect(address);
    await req.send("ping");
    expect((await within(req.receive(), 5000, "reply from the worker"))[0].toString()).toBe(
      "echo:ping",
    );
    await worker.next("replied");
    expect(await within(worker.exit, 5000, "worker exit")).toBe(0);
  });

  it("a worker with open idle sockets ends by itself with exit code 0", async () => {
    const worker = start({ mode: "idle" });
    expect((await worker.next("bound")).count).toBe(10);
    expect(await within(worker.exit, 5000, "idle worker exit")).toBe(0);
    expect(worker.errors).toEqual([]);
    await expectHealthy();
  });

  it("a worker that exits with open sockets and a pending receive() exits cleanly", async () => {
    const worker = start({ mode: "exit-pending" });
    await worker.next("waiting");
    expect(await within(worker.exit, 5000, "worker exit")).toBe(0);
    expect(worker.errors).toEqual([]);
    await expectHealthy();
  });

  it("worker.terminate() during a pending receive() ends the worker; the process stays healthy", async () => {
    const worker = start({ mode: "terminate-pending" });
    await worker.next("waiting");
    await sleep(20);
    await within(worker.worker.terminate(), 5000, "terminate()");
    expect(await worker.exit).toBe(1);
    expect(worker.errors).toEqual([]);
    await expectHealthy();
  });

  it("many workers terminated mid-receive at once leave the shared context usable", async () => {
    const started = Array.from({ length: 4 }, () => start({ mode: "terminate-pending" }));
    await Promise.all(started.map((s) => s.next("waiting")));
    await within(Promise.all(started.map((s) => s.worker.terminate())), 5000, "terminate()");
    // The shared context outlives the workers: a fresh worker and the main thread still meet
    // over inproc.
    const pull = track(new Pull());
    const address = endpoint("inproc");
    await pull.bind(address);
    const worker = start({ mode: "send", address, count: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await within(pull.receive(), 5000, "message after terminations"))[0].toString()).toBe(
        `from-worker-${i}`,
      );
    }
    expect(await within(worker.exit, 5000, "worker exit")).toBe(0);
    await expectHealthy();
  });

  // These end a worker while zmq-napi is busy in it. They run in a child process, since a
  // failure takes the whole process down (an abort or a fatal error, not an exception).
  it.each([
    ["process.exit() in a worker while its bind() runs", "exit-during-bind", 3],
    ["worker.terminate() while the worker's bind() runs", "terminate-during-bind", 3],
    [
      "worker.terminate() while the worker receives a stream of messages",
      "terminate-while-receiving",
      5,
    ],
  ] as const)(
    "%s does not crash the process",
    async (_title, scenario, rounds) => {
      const { code, signal, stdout, stderr } = await runFixture(
        "worker-teardown.cjs",
        [scenario, String(rounds)],
        { timeoutMs: 45_000, name: `worker-teardown.cjs ${scenario}` },
      ).done;
      expect({ code, signal, stderr: stderr.split("\n").slice(0, 3).join("\n") }).toEqual({
        code: 0,
        signal: null,
        stderr: "",
      });
      expect(stdout).toContain("healthy");
    },
    60_000,
  );
});
