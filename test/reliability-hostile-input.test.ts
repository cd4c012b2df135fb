// Hostile input at the public entry points, property-based (fast-check): random values of
// random types go into constructors, option setters, send/trySend/sendBatch, receive and its
// options, subscribe/join/verbosity, bind/connect and friends, Observer, Proxy and the CURVE and
// certificate helpers. Every call must end in a TypeError, a RangeError or an Error with a
// string .code (or in the input's own exception, when the input throws when touched) — never a
// crash, a hang or an unhandled rejection. Each group runs in a child process of its own
// (test/fixtures/reliability-hostile-input.cjs) with unhandledRejection/uncaughtException
// hooks, so an abort shows as a signal exit naming the last case.
//
// What other files cover already and is not repeated here: fixed bad values per option and
// per argument (errors.test.ts, socket-options.test.ts), pgm/epgm/udp endpoints
// (endpoint-hostile.test.ts), bad proxy arguments (proxy.test.ts), bad keys
// (security-curve.test.ts) and certificates (security-zap.test.ts).
//
// RELIABILITY_SEED=<n> replays a run (each group prints its seed on failure);
// RELIABILITY_RUNS=<n> changes the number of runs per property.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, it } from "vitest";

import { Radio, Dish } from "../src/draft";
import { lastJson, runFixture } from "./fixtures/reliability-helpers";

const seed = process.env.RELIABILITY_SEED ?? String(Date.now() % 2 ** 31);
const runsFor = (fallback: number) => process.env.RELIABILITY_RUNS ?? String(fallback);

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-hostile-log-"));
afterAll(() => fs.rmSync(logDir, { recursive: true, force: true }));

interface Report {
  group: string;
  runs: number;
  seed: number;
  outcomes: Record<string, number>;
  failures: Array<{ what: string; problem: string; error?: string; counterexample?: string }>;
  failureCount: number;
  problems: Array<{ kind: string; detail: string }>;
}

// Runs per property: the groups whose cases wait (receive, proxies) get fewer.
const groups: Array<[string, number, number]> = [
  // [group, runs per property, properties in the group]
  ["constructors", 250, 4],
  ["options", 150, 3],
  ["send", 400, 1],
  ["receive", 150, 1],
  ["subscribe", 300, 1],
  ["endpoints", 300, 1],
  ["curve", 300, 2],
  ["observer-proxy", 120, 2],
];

describe.concurrent("random values of random types at every public entry point", () => {
  it.for(groups)(
    "%s: only TypeError, RangeError or coded errors; no crash, hang or unhandled rejection",
    // The groups run at once: on a loaded 2-core machine each takes about a minute.
    { timeout: 240_000 },
    async ([group, runs, properties], { expect }) => {
      const log = path.join(logDir, `${group}.log`);
      const child = runFixture("reliability-hostile-input.cjs", [group, runsFor(runs), seed], {
        env: { RELIABILITY_CASE_LOG: log },
        timeoutMs: 200_000,
      });
      const result = await child.done;
      const lastCase = () => {
        try {
          return fs.readFileSync(log, "utf8").trim().split("\n").slice(-3).join("\n");
        } catch {
          return "(no case log)";
        }
      };
      const context = `group ${group}, seed ${seed}; last cases:\n${lastCase()}\nstderr: ${result.stderr.slice(-2000)}`;
      expect(result.timedOut, `hung: ${context}`).toBe(false);
      expect(result.signal, `crashed: ${context}`).toBeNull();
      expect(result.code, context).toBe(0);
      const report = lastJson<Report>(result.stdout);
      expect(report.problems, context).toEqual([]);
      expect(report.failures, context).toEqual([]);
      expect(report.runs).toBe(Number(runsFor(runs)) * properties);
      // The generators reach past the argument checks: libzmq itself answers some cases.
      const total = Object.values(report.outcomes).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(report.runs);
    },
  );
});

describe.concurrent("hostile messages found by hand", () => {
  // A sparse array is a valid JavaScript array of `length` holes: the addon sizes its frame
  // table by the length before looking at a single frame.
  // (trySend() and sendBatch() reach the same native code, Socket::SendOne.)
  it(
    "send() of a sparse array of 2^29 frames is refused, not an abort (std::bad_alloc)",
    { timeout: 90_000 },
    async ({ expect }) => {
      const child = runFixture("reliability-sparse-frames.cjs", ["send", String(2 ** 29)], {
        timeoutMs: 80_000,
      });
      const result = await child.done;
      expect(result.stderr).not.toMatch(/bad_alloc|terminate called/);
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const outcome = lastJson<{ ok?: boolean; error?: { name: string; code?: string } }>(
        result.stdout,
      );
      expect(outcome.ok).toBeUndefined();
      expect(
        ["TypeError", "RangeError"].includes(outcome.error!.name) ||
          typeof outcome.error!.code === "string",
      ).toBe(true);
    },
  );

  // Addresses with a NUL are refused (EINVAL) because libzmq reads a C string; a group name is
  // one too, so "g\0evil" must not silently become "g".
  it("a RADIO group or DISH join with a NUL character is refused, not truncated", async ({
    expect,
  }) => {
    const address = `inproc://reliability-nul-group-${process.pid}`;
    const radio = new Radio({ linger: 0 });
    const dish = new Dish({ linger: 0, receiveTimeout: 300 });
    try {
      radio.bindSync(address);
      dish.connect(address);
      dish.join("g");
      await new Promise((resolve) => setTimeout(resolve, 50));
      let sendError: unknown;
      try {
        await radio.send("for g\\0evil only", { group: "g\0evil" });
      } catch (error) {
        sendError = error;
      }
      const delivered = await dish.receive().then(
        ([frame]) => frame.toString(),
        () => null,
      );
      expect(delivered).toBeNull();
      expect(sendError).toBeDefined();
      expect(() => dish.join("h\0x")).toThrow();
    } finally {
      radio.close();
      dish.close();
    }
  });
});
