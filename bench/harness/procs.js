"use strict";
// Child processes of the benchmark. Each runs in its own process group, so that a timeout, a
// failed cell or an interrupted run kills it together with anything it started; a registry
// kills whatever is still alive when the harness exits, however it exits.
//
// Workers talk a line protocol: every stdout line that parses as JSON is an event
// ({"event":"ready"}, {"event":"result",...}); other lines are kept as text (the C perf tools
// print plain text, parsed at exit). stdin is the control channel: "go\n" starts a publisher,
// end-of-file tells a sender or echoer that the measurement is over and it may close.
const { spawn } = require("node:child_process");

const live = new Set();

class Proc {
  constructor(command, args, options = {}) {
    this.label = options.label ?? command;
    this.stdout = "";
    this.stderr = "";
    this.events = [];
    this.killedByUs = false;
    this.listeners = new Set();
    this.exit = null; // { code, signal, error } once it has exited
    this.child = spawn(command, args, {
      detached: true, // own process group: kill(-pid) reaches its children too
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    live.add(this);
    let partial = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk) => {
      this.stdout += chunk;
      partial += chunk;
      let newline;
      while ((newline = partial.indexOf("\n")) >= 0) {
        this.#onLine(partial.slice(0, newline));
        partial = partial.slice(newline + 1);
      }
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk) => {
      // Bounded: a worker stuck in an error loop must not fill the harness's memory.
      if (this.stderr.length < 64 * 1024) this.stderr += chunk;
    });
    this.child.stdin.on("error", () => {}); // EPIPE when the child died first: not our error
    this.exited = new Promise((resolve) => {
      const finish = (exit) => {
        if (this.exit !== null) return;
        this.exit = exit;
        live.delete(this);
        this.#notify();
        resolve(exit);
      };
      this.child.on("error", (error) => finish({ code: null, signal: null, error }));
      // "close" rather than "exit": stdout is fully read by then.
      this.child.on("close", (code, signal) => finish({ code, signal, error: null }));
    });
  }

  #onLine(line) {
    const text = line.trim();
    if (!text.startsWith("{")) return;
    try {
      this.events.push(JSON.parse(text));
    } catch {
      return;
    }
    this.#notify();
  }

  #notify() {
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls `fn(event)` for every event, past and future. */
  onEvent(fn) {
    let seen = 0;
    const listener = () => {
      while (seen < this.events.length) fn(this.events[seen++]);
    };
    this.listeners.add(listener);
    listener();
  }

  /**
   * Resolves with the first event that `match` accepts; rejects when the process exits
   * without one or `deadline` (a Date.now() value) passes.
   */
  waitForEvent(match, deadline, what) {
    return new Promise((resolve, reject) => {
      let timer = null;
      const done = (fn, value) => {
        this.listeners.delete(check);
        clearTimeout(timer);
        fn(value);
      };
      const check = () => {
        const event = this.events.find(match);
        if (event !== undefined) done(resolve, event);
        else if (this.exit !== null)
          done(reject, new Error(`${this.label} exited before ${what}: ${this.describeExit()}`));
      };
      timer = setTimeout(
        () => done(reject, new TimeoutError(`timed out waiting for ${what}`)),
        Math.max(0, deadline - Date.now()),
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves once exited; rejects at `deadline`. */
  waitForExit(deadline, what) {
    if (this.exit !== null) return Promise.resolve(this.exit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError(`timed out waiting for ${what}`)),
        Math.max(0, deadline - Date.now()),
      );
      void this.exited.then((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  write(text) {
    if (this.exit === null && this.child.stdin.writable) this.child.stdin.write(text);
  }

  closeInput() {
    if (this.exit === null) this.child.stdin.end();
  }

  kill(signal = "SIGKILL") {
    if (this.exit !== null || this.child.pid === undefined) return;
    this.killedByUs = true;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** "exit code 1: <last stderr lines>" and the like, for error rows. */
  describeExit() {
    const exit = this.exit;
    if (exit === null) return "still running";
    if (exit.error)
      return exit.error.code === "ENOENT" ? `${this.label}: command not found` : exit.error.message;
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    const why =
      this.events.find((event) => event.event === "error")?.message ??
      errorLine(this.stderr || this.stdout);
    return why ? `${how}: ${why}` : how;
  }
}

class TimeoutError extends Error {}

/** The line that says what went wrong: the first that names an error, else the last. */
function errorLine(text) {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const line = lines.find((l) => /\b\w*(Error|error|Exception)\b/.test(l)) ?? lines.at(-1) ?? "";
  return line.slice(0, 300);
}

function start(command, args, options) {
  return new Proc(command, args, options);
}

/** Kills every child still running (process groups, SIGKILL). */
function killAll() {
  for (const proc of live) proc.kill("SIGKILL");
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    killAll();
    process.stderr.write(`\nbench: interrupted (${signal}); child processes killed\n`);
    process.exit(130);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { start, killAll, sleep, TimeoutError };
