// The examples in examples/, run end to end the way a newcomer runs them: `node
// examples/run.mjs <name>` (what `npm run example -- <name>` does), which picks free ports and
// starts every program in a process of its own. Each run is bounded in time; the runner is the
// leader of a process group of its own, so that the test can check that nothing of it is left
// when it is over (and kill the whole group if it is not).
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { startChild, type Child } from "./helpers/children";

const runner = path.join(__dirname, "..", "examples", "run.mjs");

const runners: Child[] = [];

/** Whether any process of the group is still there. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  for (const child of runners.splice(0)) child.kill("SIGKILL"); // the whole group
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as [program, text] pairs ("name | text" lines; lines without a name have ""). */
  lines: Array<[string, string]>;
  /** The text of the lines printed by programs whose name starts with `prefix`. */
  of(prefix: string): string[];
}

interface Started {
  process: Child;
  /** Resolves once stdout contains `text`. */
  printed(text: string): Promise<void>;
  /** Resolves when the runner has exited (and checks that nothing of its group is left). */
  done: Promise<Run>;
}

/** Starts `node examples/run.mjs ...args`, to be done within `ms`. */
function startExample(args: string[], ms = 45_000): Started {
  const what = `run.mjs ${args.join(" ")}`.trim();
  const child = startChild([process.execPath, runner, ...args], {
    group: true, // a process group of its own
    timeoutMs: ms,
    stdin: true,
    name: what,
  });
  runners.push(child);
  const pgid = child.child.pid!;
  const done = child.done.then((result): Run => {
    const { code, stdout, stderr } = result;
    if (result.timedOut) throw new Error(`${what}: not done within ${ms} ms\n${stdout}\n${stderr}`);
    // The runner waits for every program it started: nothing of the group may be left.
    expect(groupAlive(pgid), "processes left behind by the runner").toBe(false);
    const lines = stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line): [string, string] => {
        const match = /^(\S+)\s*\| (.*)$/.exec(line);
        return match ? [match[1], match[2]] : ["", line];
      });
    const of = (prefix: string) =>
      lines.filter(([name]) => name.startsWith(prefix)).map(([, text]) => text);
    return { code, stdout, stderr, lines, of };
  });
  const printed = async (text: string) => {
    await child.line(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), ms);
  };
  return { process: child, printed, done };
}

/** Runs `node examples/run.mjs ...args` to its end. */
function runExample(args: string[]): Promise<Run> {
  return startExample(args).done;
}

describe("examples/run.mjs", () => {
  it("lists the examples when given no name", async () => {
    const run = await runExample([]);
    expect(run.code).toBe(0);
    for (const name of [
      "hello-world",
      "weather",
      "pipeline",
      "broker",
      "lbbroker",
      "config-center",
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    }
  });

  it("refuses an unknown name, listing the known ones", async () => {
    const run = await runExample(["no-such-example"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No example named "no-such-example"');
    expect(run.stdout).toContain("hello-world");
  });

  it("stops every program on SIGINT (Ctrl-C) and exits with 130", async () => {
    // No zipcode starts with "x": the weather client would wait for ever.
    const started = startExample(["weather", "x"]);
    await Promise.race([started.printed("Collecting updates"), started.done]);
    started.process.child.kill("SIGINT");
    const run = await started.done;
    expect(run.code).toBe(130);
  });

  it("hello-world: the client sends Hello 10 times, the server answers World each time", async () => {
    const run = await runExample(["hello-world"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.of("client").filter((line) => line.startsWith("Received"))).toEqual(
      Array.from({ length: 10 }, (_, i) => `Received reply ${i} [ World ]`),
    );
    expect(run.of("server").filter((line) => line.startsWith("Received"))).toEqual(
      Array(10).fill("Received request: Hello"),
    );
  });

  it("weather: the client averages the temperatures of the zipcode it subscribed to", async () => {
    for (const prefix of [[], ["100"]]) {
      const run = await runExample(["weather", ...prefix]);
      expect(run.code, run.stderr).toBe(0);
      const filter = prefix[0] ?? "10001";
      const client = run.of("client");
      const updates = client.filter((line) => /^\d{5} -?\d+ \d+$/.test(line));
      expect(updates).toHaveLength(5);
      for (const update of updates) {
        expect(update.startsWith(filter), `"${update}" starts with ${filter}`).toBe(true);
        const [, temperature, humidity] = update.split(" ").map(Number);
        expect(temperature).toBeGreaterThanOrEqual(-80);
        expect(temperature).toBeLessThan(135);
        expect(humidity).toBeGreaterThanOrEqual(10);
        expect(humidity).toBeLessThan(60);
      }
      const average = updates.reduce((sum, line) => sum + Number(line.split(" ")[1]), 0) / 5;
      expect(client.at(-1)).toBe(`Average temperature for zipcode '${filter}' was ${average} F`);
    }
  }, 100_000);

  it("pipeline: the ventilator fans 100 tasks out to 3 workers, the sink collects all 100", async () => {
    const run = await runExample(["pipeline"]);
    expect(run.code, run.stderr).toBe(0);
    const expected = /^Total expected cost: (\d+) msec$/.exec(run.of("ventilator").at(-1) ?? "");
    expect(expected, run.stdout).not.toBeNull();
    const sink = run.of("sink");
    const elapsed = sink.map((line) => /^Total elapsed time: (\d+) msec$/.exec(line)).find(Boolean);
    expect(elapsed, run.stdout).toBeDefined();
    // Three workers in parallel: well under the sum of the workloads.
    expect(Number(elapsed![1])).toBeLessThan(Number(expected![1]));
    const perWorker = Object.fromEntries(
      sink.flatMap((line) => {
        const match = /^(worker-\d) did (\d+) tasks$/.exec(line);
        return match ? [[match[1], Number(match[2])]] : [];
      }),
    );
    expect(Object.keys(perWorker).sort()).toEqual(["worker-1", "worker-2", "worker-3"]);
    expect(Object.values(perWorker).reduce((a, b) => a + b, 0)).toBe(100);
    // The workers were all connected before the first task: round-robin gives each a third.
    for (const tasks of Object.values(perWorker)) expect(tasks).toBeGreaterThanOrEqual(33);
    // Each worker printed a dot per task it did.
    for (const [worker, tasks] of Object.entries(perWorker)) {
      expect(run.of(worker).join("")).toBe(".".repeat(tasks));
    }
  });

  it("broker: two REQ clients get 10 replies each through proxy(), from the REP workers", async () => {
    const run = await runExample(["broker"]);
    expect(run.code, run.stderr).toBe(0);
    for (const client of ["client-1", "client-2"]) {
      expect(run.of(client)).toEqual(
        Array.from({ length: 10 }, (_, i) => `Received reply ${i + 1} [World]`),
      );
    }
    const served = run.of("worker-").filter((line) => line === "Received request: Hello");
    expect(served).toHaveLength(20);
  });

  it("lbbroker: each of 10 clients gets its reply from the worker the broker gave its request", async () => {
    const run = await runExample(["lbbroker"]);
    expect(run.code, run.stderr).toBe(0);
    const clients = Array.from({ length: 10 }, (_, i) => `client-${i + 1}`);
    // Who answered whom, as the clients saw it and as the workers did: the same 10 pairs.
    const answeredBy = new Map(
      run.of("clients").map((line) => {
        const match = /^(client-\d+): OK from (worker-\d)$/.exec(line);
        expect(match, line).not.toBeNull();
        return [match![1], match![2]] as const;
      }),
    );
    expect([...answeredBy.keys()].sort()).toEqual([...clients].sort());
    const served = run.lines.flatMap(([program, text]) => {
      const match = /^HELLO from (client-\d+)$/.exec(text);
      return program.startsWith("worker-") && match ? [[match[1], program] as const] : [];
    });
    expect(served).toHaveLength(10);
    expect(new Map(served)).toEqual(answeredBy);
  });

  it("config-center: the demo ends with every node holding the server's state", async () => {
    const run = await runExample(["config-center"]);
    expect(run.code, run.stderr).toBe(0);
    const status = /^run \w+, seq 5, 2 keys, hash ([0-9a-f]{64})$/m.exec(run.stdout);
    expect(status, run.stdout).not.toBeNull();
    expect(run.stdout).toContain(`All 3 nodes hold the server's state: seq 5, hash ${status![1]}`);
    expect(run.stdout).toMatch(/^node-c \| snapshot at seq 3: 3 keys/m);
    expect(run.stdout).toMatch(/^node-b \| snapshot at seq 5: 2 keys/m);
  });
});
