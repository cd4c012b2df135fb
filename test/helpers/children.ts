// The one way tests start child processes. Every child has a time limit and is killed
// whatever happens: by its own timer, by kill() in the test's finally/afterEach, after the test
// file (afterAll), and when the test process ends (vitest stops a worker with SIGTERM, which
// runs no "exit" handler of its own). A timeout says which process it was and after how long.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { afterAll } from "vitest";

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** What the child wrote on stderr; after a timeout, followed by a line that says so. */
  stderr: string;
  elapsed: number;
  /** The child outlived its time limit and was killed (SIGKILL). */
  timedOut: boolean;
}

export interface Child {
  /** How messages name the process. */
  readonly name: string;
  child: ChildProcess;
  /** Resolves (never rejects) once the process has exited and its output is read. */
  done: Promise<ChildResult>;
  /** Everything the child printed on stdout so far. */
  output(): string;
  /** Everything the child printed on stderr so far. */
  errors(): string;
  /** Resolves with the first stdout line that matches (already printed or to come). */
  line(match: RegExp | string, ms?: number): Promise<string>;
  /** Kills the process (its whole group with `group`); a no-op once it is gone. */
  kill(signal?: NodeJS.Signals): void;
  /** Writes a line to the child's stdin (with `stdin: true`). */
  tell(line: string): void;
}

export interface StartOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) once it has run this long; the result says so. Default 60 s. */
  timeoutMs?: number;
  /** true: stdin stays open for tell(); a string: written to stdin, which is then closed. */
  stdin?: boolean | string;
  /** A process group of its own: kill() and the clean-ups kill everything it started. */
  group?: boolean;
  /**
   * The child ends itself, and everything it started, when its stdin closes: clean-ups close
   * stdin instead of killing it (a runner whose own children live in process groups of their
   * own). Its time limit still ends in SIGKILL, 5 s after stdin was closed.
   */
  endsWhenStdinCloses?: boolean;
  /** How messages name the process (default: the program and its first argument). */
  name?: string;
}

// One registry per process, even if the module is loaded twice (setup files, helpers).
const registryKey = Symbol.for("zmq-napi.test.children");
interface Registry {
  /** What stops each child that may still be running. */
  running: Map<object, () => void>;
}
const registry: Registry =
  ((globalThis as Record<symbol, unknown>)[registryKey] as Registry) ?? installRegistry();

function installRegistry(): Registry {
  const created: Registry = { running: new Map() };
  (globalThis as Record<symbol, unknown>)[registryKey] = created;
  process.on("exit", stopAll);
  // The default action of SIGTERM ends the process without an "exit" event: stop the children,
  // then let the signal do what it would have done.
  const onSigterm = () => {
    stopAll();
    process.off("SIGTERM", onSigterm);
    process.kill(process.pid, "SIGTERM");
  };
  process.on("SIGTERM", onSigterm);
  return created;
}

function stopAll(): void {
  for (const stop of [...registry.running.values()]) stop();
}

/**
 * For a child that startChild cannot start (more pipes than stdio): `stop` kills it in the same
 * clean-ups. Call the returned function once it is gone.
 */
export function registerChild(stop: () => void): () => void {
  const token = {};
  registry.running.set(token, stop);
  return () => registry.running.delete(token);
}

/** Kills every child still running; test files run it after their last test. */
export function killAllChildren(): void {
  stopAll();
}

afterAll(killAllChildren);

const defaultName = (argv: string[]) =>
  [path.basename(argv[0]), ...argv.slice(1, 2).map((arg) => path.basename(arg))].join(" ");

/** Starts `argv`; see StartOptions. */
export function startChild(argv: string[], options: StartOptions = {}): Child {
  const name = options.name ?? defaultName(argv);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    stdio: [
      options.stdin === undefined || options.stdin === false ? "ignore" : "pipe",
      "pipe",
      "pipe",
    ],
    env: { ...process.env, ...options.env },
    detached: options.group === true,
  });
  if (typeof options.stdin === "string") child.stdin!.end(options.stdin);
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  let closed = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin?.on("error", () => undefined); // writing to a child that is gone
  child.on("error", (error) => (stderr += `\n[test] could not start ${name}: ${error.message}\n`));

  // Once the group is gone its id may be reused by a stranger's group: never signal it again.
  let groupGone = false;
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (how: NodeJS.Signals) => {
    if (options.group && child.pid !== undefined && !groupGone) {
      try {
        process.kill(-child.pid, how); // the group outlives its leader when others are left
        return;
      } catch {
        groupGone = true;
      }
    }
    if (!closed) child.kill(how);
  };
  let graceTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    stderr += `\n[test] ${name}: killed by its time limit after ${timeoutMs} ms\n`;
    if (options.endsWhenStdinCloses) {
      child.stdin?.end();
      graceTimer = setTimeout(() => signal("SIGKILL"), 5000);
    } else {
      signal("SIGKILL");
    }
  }, timeoutMs);

  const done = new Promise<ChildResult>((resolve) => {
    child.on("close", (code, exitSignal) => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      if (options.group && child.pid !== undefined && !groupAlive()) groupGone = true;
      if (!options.group || groupGone) registry.running.delete(handle);
      notify();
      resolve({
        code,
        signal: exitSignal,
        stdout,
        stderr,
        elapsed: performance.now() - started,
        timedOut,
      });
    });
  });

  const line = (match: RegExp | string, ms = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const matches = (text: string) =>
        typeof match === "string" ? text === match : match.test(text);
      const check = () => {
        // Complete lines only (a pipe may deliver a line in pieces), but the last one at the end.
        const lines = stdout.split("\n");
        if (!closed) lines.pop();
        const found = lines.find(matches);
        if (found !== undefined) {
          cleanup();
          resolve(found);
        } else if (closed || child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          const how = child.signalCode ?? `code ${child.exitCode}`;
          reject(
            new Error(`${name} exited (${how}) before printing ${match}:\n${stdout}\n${stderr}`),
          );
        }
      };
      const timeout = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `${name} did not print ${match} within ${ms} ms (running for ${Math.round(performance.now() - started)} ms):\n${stdout}\n${stderr}`,
          ),
        );
      }, ms);
      const cleanup = () => {
        clearTimeout(timeout);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const handle: Child = {
    name,
    child,
    done,
    output: () => stdout,
    errors: () => stderr,
    line,
    kill: (how = "SIGKILL") => {
      if (options.group) {
        signal(how);
        if (how === "SIGKILL") registry.running.delete(handle);
      } else if (!closed) {
        signal(how);
      }
    },
    tell: (text: string) => {
      child.stdin?.write(`${text}\n`);
    },
  };
  // Clean-ups close stdin of a child that then stops what it started, and itself.
  registry.running.set(
    handle,
    options.endsWhenStdinCloses ? () => child.stdin?.end() : () => handle.kill("SIGKILL"),
  );
  return handle;
}

/** Runs `argv` to its end (or its time limit); with `group`, kills what it left behind. */
export async function runChild(argv: string[], options: StartOptions = {}): Promise<ChildResult> {
  const child = startChild(argv, options);
  try {
    return await child.done;
  } finally {
    if (options.group) child.kill("SIGKILL");
  }
}

/** How a child ended, for assertion messages. */
export function describeExit(result: ChildResult): string {
  const how = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
  const limit = result.timedOut ? ", killed by its time limit" : "";
  return `${how}${limit} after ${Math.round(result.elapsed)} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
