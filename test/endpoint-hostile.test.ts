// No input to bind()/connect() may abort or hang the process. Every case runs in a child
// process (test/fixtures/hostile-endpoint.cjs) inside a fresh user + network namespace of its
// own (`unshare -rn`, lo up; the child is root there, so pgm:// gets past the CAP_NET_RAW check
// and reaches libzmq and OpenPGM). An abort shows as a signal exit and fails the test, naming
// the exact endpoint, socket type and operation; so does a child that does not exit by itself
// within its time limit, or whose file descriptors 0-2 were closed or replaced by the cases (a
// refused endpoint must not close descriptors it does not own).
//
// Cases run in one child one after the other; when that child does not end cleanly, each case
// runs again alone to name the culprits. Separate tests run many binds/connects at once, and
// hostile pgm/epgm socket options (applied by libzmq only when its I/O thread opens the PGM
// socket, after bind/connect returned).
//
// The fixture loads lib/ (`npx tsc -p tsconfig.build.json`).
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

const fixture = path.join(__dirname, "fixtures", "hostile-endpoint.cjs");

type SocketType = "Publisher" | "Subscriber" | "Radio" | "Dish";
type Op = "bind" | "connect" | "bindSync";

interface Case {
  type: SocketType;
  op: Op;
  endpoint: string;
  options?: Record<string, unknown>;
}

interface Result {
  ok: boolean;
  code?: string;
  errno?: number;
  name?: string;
  message?: string;
  stage?: string;
  thrown?: string;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  hung: boolean;
  results: Result[] | null;
  /** What fds 0, 1, 2 were before and after the cases. */
  stdio: { before: string[]; after: string[] } | null;
  stderr: string;
  stdout: string;
}

// Children run a few at a time: each is a node process in namespaces of its own.
const maxChildren = Math.max(2, Math.min(6, os.availableParallelism()));
let running = 0;
const queue: Array<() => void> = [];
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= maxChildren) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    queue.shift()?.();
  }
}

// A hang is for ever; this is long enough for a loaded machine to start node in namespaces.
const HANG_MS = 30_000;

/** Runs cases in one child process in a fresh namespace; never rejects. */
async function runInNamespace(
  cases: Case[],
  sequential = false,
  settleMs = 200,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  const result = await limited(() =>
    runChild(
      [
        "unshare",
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && exec "$0" "$1" "$2" "$3"',
        process.execPath,
        fixture,
        String(settleMs),
        sequential ? "sequential" : "together",
      ],
      {
        stdin: JSON.stringify(cases),
        group: true,
        env,
        timeoutMs: HANG_MS,
        name: "hostile-endpoint.cjs",
      },
    ),
  );
  let results: Result[] | null = null;
  let stdio: Run["stdio"] = null;
  for (const line of result.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed = JSON.parse(line) as { results?: Result[]; stdio?: Run["stdio"] };
    if (parsed.results) results = parsed.results;
    if (parsed.stdio) stdio = parsed.stdio;
  }
  const { code, signal, timedOut: hung, stderr, stdout } = result;
  return { code, signal, hung, results, stdio, stderr, stdout };
}

function stdioIntact(run: Run): boolean {
  return run.stdio !== null && run.stdio.before.join("\n") === run.stdio.after.join("\n");
}

function clean(run: Run): boolean {
  return (
    run.code === 0 && run.signal === null && !run.hung && run.results !== null && stdioIntact(run)
  );
}

function describeRun(run: Run): string {
  if (run.hung) return `hung (killed after ${HANG_MS} ms)`;
  if (run.code === 0 && run.signal === null && run.results !== null && !stdioIntact(run)) {
    return `closed or replaced file descriptors it does not own: fds 0-2 were ${JSON.stringify(run.stdio?.before)}, then ${JSON.stringify(run.stdio?.after)}`;
  }
  // libzmq's last words (stderr) and OpenPGM's (it logs on stdout), when there are any.
  const lines = `${run.stderr}\n${run.stdout}`
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("{"));
  const why =
    lines.filter((line) => /assert|fatal|abort|\.c(pp)?:\d+|error/i.test(line)).at(-1) ??
    lines.at(-1);
  return `exit code ${run.code}, signal ${run.signal}${why ? `: ${why.slice(0, 240)}` : ""}`;
}

/** An endpoint as test names and messages show it: JSON-quoted, long ones abbreviated. */
function shown(endpoint: unknown): string {
  if (typeof endpoint !== "string") return String(endpoint);
  if (endpoint.length <= 100) return JSON.stringify(endpoint);
  return `${JSON.stringify(endpoint.slice(0, 60))}…(${endpoint.length} chars)`;
}

function label(testCase: Case): string {
  const options = testCase.options ? JSON.stringify(testCase.options) : "";
  return `new ${testCase.type}(${options}).${testCase.op}(${shown(testCase.endpoint)})`;
}

/**
 * Runs all cases in one child; if it does not end cleanly, runs each case alone to name the
 * ones that abort or hang. Returns per-case results and the list of failures.
 */
async function runCases(
  cases: Case[],
  sequential = false,
): Promise<{ results: Result[]; crashes: string[] }> {
  const together = await runInNamespace(cases, sequential);
  if (clean(together)) return { results: together.results!, crashes: [] };
  const alone = await Promise.all(cases.map((testCase) => runInNamespace([testCase])));
  const crashes: string[] = [];
  const results: Result[] = [];
  alone.forEach((run, i) => {
    if (clean(run)) results.push(run.results![0]);
    else {
      crashes.push(`${label(cases[i])}: ${describeRun(run)}`);
      results.push({ ok: false, code: "(crashed)" });
    }
  });
  if (crashes.length === 0) {
    // Only the combination failed: report it as a whole.
    const how = sequential ? "one after the other" : "at once";
    crashes.push(
      `all ${cases.length} cases in one process, ${how} (${cases.map(label).join(", ")}): ${describeRun(together)}`,
    );
  }
  return { results, crashes };
}

const allTypes: SocketType[] = ["Publisher", "Subscriber", "Radio", "Dish"];
const bindAndConnect: Op[] = ["bind", "connect"];

function combos(
  endpoint: string,
  types: SocketType[] = allTypes,
  ops: Op[] = bindAndConnect,
): Case[] {
  return types.flatMap((type) => ops.map((op) => ({ type, op, endpoint })));
}

/**
 * What a case may end in besides an abort or a hang (never allowed):
 *  - "reject": every bind/connect must fail with an error that has a string `code`;
 *  - a predicate naming the combinations libzmq legitimately accepts (the rest must reject).
 */
type Accepts = "reject" | ((testCase: Case) => boolean);

interface EndpointCase {
  endpoint: string;
  accepts: Accepts;
  /** Why libzmq accepts some combinations. */
  why?: string;
}

const radioConnect = (c: Case) => c.type === "Radio" && c.op === "connect";
const dishBind = (c: Case) => c.type === "Dish" && c.op === "bind";
const pubSub = (c: Case) => c.type === "Publisher" || c.type === "Subscriber";
const connectOnly = (c: Case) => c.op === "connect";

const longName = "a".repeat(100_000);

const endpointCases: EndpointCase[] = [
  // --- pgm / epgm: malformed --------------------------------------------------------------
  { endpoint: "epgm://", accepts: "reject" },
  { endpoint: "epgm://;", accepts: "reject" },
  { endpoint: "pgm://", accepts: "reject" },
  { endpoint: "epgm://nosuchif;239.1.1.1:5555", accepts: "reject" },
  { endpoint: "epgm://lo;239.1.1.1:5555", accepts: "reject", why: "names need DNS in OpenPGM" },
  { endpoint: "epgm://127.0.0.1;notagroup:5555", accepts: "reject" },
  { endpoint: "epgm://0.0.0.0;239.1.1.1:5555", accepts: "reject" },
  { endpoint: "epgm://*;239.1.1.1:5555", accepts: "reject" },
  { endpoint: "epgm://10.9.9.9;239.1.1.1:5555", accepts: "reject" }, // not a local address
  { endpoint: "epgm://127.0.0.1;10.0.0.1:5555", accepts: "reject" }, // unicast "group"
  { endpoint: "pgm://127.0.0.1;10.0.0.1:5555", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;127.0.0.1:5555", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;255.255.255.255:5555", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;0.0.0.0:5555", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;239.1.1.1,10.0.0.1:5555", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1,127.0.0.2;239.1.1.1:5555", accepts: "reject" },
  {
    endpoint: `epgm://127.0.0.1;${Array.from({ length: 24 }, (_, i) => `239.1.1.${i + 1}`).join(",")}:5555`,
    accepts: "reject",
  },
  { endpoint: "epgm://127.0.0.1;239.1.1.1:0", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;239.1.1.1:65536", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;239.1.1.1:abc", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;239.1.1.1", accepts: "reject" },
  { endpoint: `epgm://${"a".repeat(1000)};239.1.1.1:5555`, accepts: "reject" },
  { endpoint: "epgm://ünïcödé;239.1.1.1:5555", accepts: "reject" },
  {
    endpoint: "epgm://127.0.0.1;239.1.1.1:99999",
    accepts: pubSub,
    why: "libzmq/OpenPGM truncate the port to 16 bits (99999 → 34463)",
  },
  {
    endpoint: "epgm://127.0.0.1;239.1.1.1:-1",
    accepts: pubSub,
    why: "the port is truncated to 16 bits (-1 → 65535)",
  },
  // --- pgm / epgm: well formed, but unusable in a namespace without a multicast route --------
  // The default interface needs a route to the group. On a host with one these are valid.
  { endpoint: "epgm://;239.1.1.1:5555", accepts: pubSub, why: "valid with a multicast route" },
  { endpoint: "pgm://;239.1.1.1:5555", accepts: pubSub, why: "valid with a multicast route" },
  { endpoint: "epgm://:5555", accepts: pubSub, why: "default interface and group" },
  { endpoint: "epgm://;:5555", accepts: pubSub, why: "default interface and group" },
  { endpoint: "epgm://;[ff08::1]:5555", accepts: pubSub, why: "IPv6 group, default interface" },
  { endpoint: "epgm://127.0.0.1;[ff08::1]:5555", accepts: pubSub, why: "OpenPGM accepts it" },
  { endpoint: "epgm://[::1];239.1.1.1:5555", accepts: pubSub, why: "OpenPGM accepts it" },
  // --- udp ----------------------------------------------------------------------------------
  { endpoint: "udp://", accepts: "reject" },
  { endpoint: "udp://;", accepts: "reject" },
  { endpoint: "udp://300.1.1.1:1", accepts: "reject" },
  { endpoint: "udp://127.0.0.1;127.0.0.1:5556", accepts: "reject" }, // interface + unicast
  { endpoint: "udp://239.0.0.1;239.0.0.1:5556", accepts: "reject" }, // multicast interface
  { endpoint: "udp://nosuchif;239.0.0.1:5556", accepts: "reject" },
  { endpoint: "udp://[::1]:5556", accepts: "reject" }, // ipv6 is off
  { endpoint: "udp://example.invalid:5556", accepts: "reject" },
  { endpoint: "udp://ü;239.0.0.1:5556", accepts: "reject" },
  {
    endpoint: "udp://*:0",
    accepts: dishBind,
    why: "a DISH may bind the wildcard address (port 0: any port)",
  },
  {
    endpoint: "udp://127.0.0.1:99999",
    accepts: (c) => dishBind(c) || radioConnect(c),
    why: "libzmq truncates the port to 16 bits",
  },
  {
    endpoint: "udp://10.9.9.9;239.0.0.1:5556",
    accepts: (c) => dishBind(c) || radioConnect(c),
    why: "the interface address is only used when the engine starts (and then fails quietly)",
  },
  // --- other transports -----------------------------------------------------------------------
  { endpoint: "", accepts: "reject" },
  { endpoint: "://", accepts: "reject" },
  { endpoint: "tcp:/x", accepts: "reject" },
  { endpoint: "tcp://", accepts: "reject" },
  // libzmq checks a tcp:// address for connect only lexically and resolves it when it connects.
  { endpoint: "tcp://[::1", accepts: connectOnly, why: "libzmq resolves tcp:// lazily on connect" },
  { endpoint: "tcp://ü.invalid:5555", accepts: connectOnly, why: "resolved lazily on connect" },
  { endpoint: `tcp://${longName}:5555`, accepts: connectOnly, why: "resolved lazily on connect" },
  { endpoint: `ipc:///tmp/${"x".repeat(200)}`, accepts: "reject" },
  { endpoint: "ipc://", accepts: "reject" },
  { endpoint: "ipc://@", accepts: "reject" },
  { endpoint: "inproc://", accepts: "reject" },
  { endpoint: "ws://", accepts: "reject" },
  { endpoint: "ws://127.0.0.1", accepts: "reject" },
  { endpoint: "wss://127.0.0.1:5555", accepts: "reject" },
  { endpoint: "tipc://", accepts: "reject" },
  { endpoint: "tipc://{1,2", accepts: "reject" },
  { endpoint: "vmci://1:2", accepts: "reject" },
  { endpoint: "norm://239.1.1.1:5555", accepts: "reject" },
  { endpoint: "ééé://x", accepts: "reject" },
  { endpoint: `${longName}://x`, accepts: "reject" },
  // --- NUL bytes: libzmq takes a C string; what follows a NUL must not be silently dropped -----
  { endpoint: "\0", accepts: "reject" },
  { endpoint: "\0tcp://127.0.0.1:5555", accepts: "reject" },
  { endpoint: "inproc://a\0b", accepts: "reject" },
  { endpoint: "tcp://127.0.0.1:*\0junk", accepts: "reject" },
  { endpoint: "epgm://127.0.0.1;239.1.1.1:5555\0junk", accepts: "reject" },
  { endpoint: "udp://127.0.0.1:5556\0junk", accepts: "reject" },
];

function expectRejected(testCase: Case, result: Result): void {
  const what = label(testCase);
  expect(result.ok, `${what} was accepted`).toBe(false);
  expect(typeof result.code, `${what} failed without a code: ${JSON.stringify(result)}`).toBe(
    "string",
  );
  expect(result.code!.length, `${what}: empty code`).toBeGreaterThan(0);
}

describe.concurrent("bind()/connect() with hostile endpoints", () => {
  for (const { endpoint, accepts, why } of endpointCases) {
    const expectation =
      accepts === "reject" ? "always rejected with a code" : `may be accepted: ${why}`;
    it(`${shown(endpoint)}: no abort, no hang; ${expectation}`, async () => {
      const cases = combos(endpoint);
      // One after the other: each endpoint on its own (concurrency has tests of its own below).
      const { results, crashes } = await runCases(cases, true);
      expect(crashes, `crashed, hung or broke fds: ${crashes.join("; ")}`).toEqual([]);
      cases.forEach((testCase, i) => {
        const result = results[i];
        if (accepts !== "reject" && accepts(testCase)) {
          // Accepted by libzmq (see `why`), or rejected: either is fine, as long as a
          // rejection has a code.
          if (!result.ok) expectRejected(testCase, result);
        } else {
          expectRejected(testCase, result);
        }
      });
    }, 180_000);
  }

  it("bindSync() is as safe as bind() for pgm/epgm/udp endpoints", async () => {
    const endpoints = [
      "epgm://;",
      "epgm://127.0.0.1;notagroup:5555",
      "epgm://127.0.0.1;239.1.1.1:0",
      "udp://",
      "udp://300.1.1.1:1",
      "tcp://",
    ];
    const cases = endpoints.flatMap((endpoint) =>
      combos(endpoint, ["Publisher", "Subscriber", "Radio", "Dish"], ["bindSync"]),
    );
    const { results, crashes } = await runCases(cases);
    expect(crashes, `crashed, hung or broke fds: ${crashes.join("; ")}`).toEqual([]);
    cases.forEach((testCase, i) => expectRejected(testCase, results[i]));
  }, 180_000);

  it("a rejected bind/connect leaves no stale errno behind: port 0 and other bad ports are EINVAL", async () => {
    // libzmq returns -1 for a pgm/epgm port that parses to 0 without setting errno, so the
    // code is whatever the last failing system call left (EAGAIN here).
    const endpoints = [
      "epgm://127.0.0.1;239.1.1.1:0",
      "epgm://127.0.0.1;239.1.1.1:65536",
      "epgm://127.0.0.1;239.1.1.1:abc",
      "pgm://127.0.0.1;239.1.1.1:0",
    ];
    const cases = endpoints.flatMap((endpoint) => combos(endpoint, ["Publisher", "Subscriber"]));
    const { results, crashes } = await runCases(cases);
    expect(crashes).toEqual([]);
    const codes = cases.map((testCase, i) => `${label(testCase)} → ${results[i].code}`);
    expect(codes).toEqual(cases.map((testCase) => `${label(testCase)} → EINVAL`));
  }, 180_000);

  it("non-string endpoints are TypeErrors with a code, in the calling process", async () => {
    // Not libzmq's business at all; checked here for completeness, in a child as well.
    const cases: Case[] = [
      { type: "Publisher", op: "bind", endpoint: undefined as unknown as string },
      { type: "Publisher", op: "connect", endpoint: 42 as unknown as string },
      { type: "Dish", op: "bind", endpoint: null as unknown as string },
      { type: "Radio", op: "connect", endpoint: {} as unknown as string },
    ];
    const { results, crashes } = await runCases(cases);
    expect(crashes).toEqual([]);
    for (const result of results)
      expect(result).toMatchObject({ ok: false, name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  }, 180_000);
});

describe("pgm/epgm endpoints resolved on several threads at once", () => {
  // bind() runs on the libuv thread pool, connect() on the main thread, and libzmq's I/O
  // threads open PGM sockets too: OpenPGM's address parsing must survive being entered from
  // several threads at once. The default interface (empty before the ';') makes OpenPGM look
  // up the host name, with the non-reentrant gethostbyname() where getaddrinfo() finds nothing.
  // Many sockets and a big thread pool make a race likely to show in a few processes (about
  // every other process crashed where this was written).
  const endpoints = ["epgm://;239.1.1.1:5555", "epgm://127.0.0.1;239.1.1.1:5555"];
  for (const endpoint of endpoints) {
    it(`256 sockets binding/connecting ${JSON.stringify(endpoint)} at once: no crash, in 8 processes`, async () => {
      const cases: Case[] = Array.from({ length: 256 }, (_, i) => i).map((i) => ({
        type: i % 2 === 0 ? "Publisher" : "Subscriber",
        op: i % 4 < 3 ? "bind" : "connect",
        endpoint,
      }));
      const env = { ...process.env, UV_THREADPOOL_SIZE: "64" };
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => runInNamespace(cases, false, 100, env)),
      );
      const failures = runs.filter((run) => !clean(run)).map(describeRun);
      expect(failures, `processes that did not end cleanly: ${failures.join("; ")}`).toEqual([]);
      for (const run of runs) {
        run.results!.forEach((result, i) => {
          if (!result.ok) expectRejected(cases[i], result);
        });
      }
    }, 180_000);
  }
});

describe.concurrent("pgm/epgm bind/connect with hostile multicast options", () => {
  // libzmq applies these options only when its I/O thread opens the PGM socket, after
  // bind/connect already returned; OpenPGM rejects them there and libzmq aborts. The socket
  // option setter, bind() or connect() must refuse them instead.
  const endpoint = "epgm://127.0.0.1;239.1.1.1:5555";
  const optionCases: Array<{ types: SocketType[]; options: Record<string, unknown> }> = [
    { types: ["Publisher", "Subscriber"], options: { multicastMaxTransportDataUnit: 35 } },
    { types: ["Publisher", "Subscriber"], options: { multicastMaxTransportDataUnit: 65_536 } },
    // The default rate (100 kbit/s = 12 500 B/s) is less than one TPDU of 65 535 bytes.
    { types: ["Publisher"], options: { multicastMaxTransportDataUnit: 65_535 } },
    // 11 kbit/s = 1375 B/s, less than one default TPDU (1500 bytes).
    { types: ["Publisher"], options: { rate: 11 } },
    // rate * 1000 overflows a 32-bit int inside libzmq.
    { types: ["Publisher"], options: { rate: 20_000_000 } },
    { types: ["Publisher"], options: { rate: 100_000_000, recoveryInterval: 100_000 } },
  ];
  for (const { types, options } of optionCases) {
    it(`${JSON.stringify(options)}: no abort`, async () => {
      const cases = types.flatMap((type) =>
        bindAndConnect.map((op) => ({ type, op, endpoint, options })),
      );
      // At once (binds probe on worker threads while connects probe on the main thread), then
      // one after the other (each socket opened after the previous refusal).
      for (const sequential of [false, true]) {
        const { results, crashes } = await runCases(cases, sequential);
        expect(crashes, `crashed, hung or broke fds: ${crashes.join("; ")}`).toEqual([]);
        // Refused at construction (an option error) or by bind/connect: either way, with a code.
        cases.forEach((testCase, i) => expectRejected(testCase, results[i]));
      }
    }, 300_000);
  }
});
