// Runs the programs of one documentation snippet run for test/docs-snippets.test.ts, and prints
// what became of each as JSON on stdout:
//
//   node docs-snippet-runner.mjs <spec.json>
//
// The test starts it inside `unshare -rn` (a user and network namespace of its own, where it is
// root) for programs, and directly for shell scripts that make their own namespaces. The spec:
//
//   network   null, or { multicast, addresses }: bring lo up; with `multicast`, route
//             224.0.0.0/4 through lo; put each address (a /32) on lo
//   timeoutMs the whole run's limit
//   members   [{ name, argv, cwd, env, role, unprivileged, awaitOutput }], started in order
//             (services first): role "finish" must exit by itself; "service" runs until the
//             others are done (and until its output starts with `awaitOutput`, when given) and is
//             then stopped; "repeat" is started again each time it exits with 0, until the
//             others are done. `unprivileged` runs it as uid 65534 in a nested user namespace,
//             without capabilities.
//
// The run is over when every "finish" member has exited and every service has printed what it
// awaits, or at once when a "finish" or "repeat" member fails or a service exits; whatever still
// runs is then stopped (SIGTERM to its process group, SIGKILL 2 s later).
//
// The members live in process groups of their own, which a kill of this runner would not reach:
// so the runner also ends the run when its stdin closes (the test closes it to stop the run, and
// it closes by itself when the test process dies), when stdin is a pipe, and on SIGTERM, SIGINT
// or SIGHUP. Such a run is reported with `aborted` set to why.
import { spawn, spawnSync } from "node:child_process";
import { fstatSync, readFileSync } from "node:fs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const normalize = (text) => text.replace(/\s+/g, " ").trim();
const OUTPUT_LIMIT = 20_000;

function setUpNetwork(network) {
  const commands = [["link", "set", "lo", "up"]];
  if (network.multicast) commands.push(["route", "add", "224.0.0.0/4", "dev", "lo"]);
  for (const address of network.addresses) {
    commands.push(["addr", "add", `${address}/32`, "dev", "lo"]);
  }
  for (const args of commands) {
    const result = spawnSync("ip", args, { encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(`ip ${args.join(" ")}: ${result.error?.message ?? result.stderr.trim()}`);
    }
  }
}

const members = spec.members.map((member) => ({
  ...member,
  code: null,
  signal: null,
  stdout: "",
  stderr: "",
  stopped: false,
  runs: 0,
  child: null,
  running: false,
}));
let over = false;
let timedOut = false;
let aborted = null;

function append(text, chunk) {
  const joined = text + chunk;
  return joined.length > OUTPUT_LIMIT ? joined.slice(-OUTPUT_LIMIT) : joined;
}

function start(member) {
  const argv = member.unprivileged
    ? ["unshare", "-U", "--map-user=65534", "--map-group=65534", ...member.argv]
    : member.argv;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: member.cwd,
    env: { ...process.env, ...member.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, so that stopping it stops its children too
  });
  member.child = child;
  member.running = true;
  member.runs += 1;
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    member.stdout = append(member.stdout, chunk);
    checkDone();
  });
  child.stderr.on("data", (chunk) => {
    member.stderr = append(member.stderr, chunk);
  });
  child.on("error", (error) => {
    member.stderr = append(member.stderr, `\n[runner] could not start: ${error.message}\n`);
  });
  child.on("close", (code, signal) => {
    member.running = false;
    member.code = code;
    member.signal = signal;
    exited(member);
  });
}

function exited(member) {
  if (over) return;
  if (member.role === "repeat" && member.code === 0) {
    setTimeout(() => {
      if (!over) start(member);
    }, 200);
    return;
  }
  if (member.role !== "finish" || member.code !== 0) return end();
  checkDone();
}

function checkDone() {
  if (over) return;
  const finished = members.every((member) => member.role !== "finish" || !member.running);
  const heard = members.every(
    (member) =>
      member.role !== "service" ||
      !member.awaitOutput ||
      normalize(member.stdout).startsWith(member.awaitOutput),
  );
  if (finished && heard) end();
}

let resolveEnded;
const ended = new Promise((resolve) => (resolveEnded = resolve));

function end() {
  if (over) return;
  over = true;
  const live = members.filter((member) => member.running);
  for (const member of live) {
    member.stopped = true;
    signalGroup(member.child, "SIGTERM");
  }
  const kill = setTimeout(() => {
    for (const member of live) if (member.running) signalGroup(member.child, "SIGKILL");
  }, 2000);
  const closed = live.map((member) => new Promise((resolve) => member.child.on("close", resolve)));
  void Promise.all(closed).then(() => {
    clearTimeout(kill);
    resolveEnded();
  });
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

let setupError = null;
try {
  if (spec.network) setUpNetwork(spec.network);
} catch (error) {
  setupError = error.message;
}

function abort(why) {
  aborted ??= why;
  end();
}
if (fstatSync(0).isFIFO()) {
  process.stdin.on("end", () => abort("stdin closed"));
  process.stdin.on("error", () => abort("stdin failed"));
  process.stdin.resume();
}
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => abort(signal));

if (setupError === null) {
  const timer = setTimeout(() => {
    timedOut = true;
    end();
  }, spec.timeoutMs);
  for (const member of members) start(member);
  await ended;
  clearTimeout(timer);
}

process.stdout.write(
  JSON.stringify({
    setupError,
    timedOut,
    aborted,
    members: members.map(({ name, code, signal, stdout, stderr, stopped, runs }) => ({
      name,
      code,
      signal,
      stdout,
      stderr,
      stopped,
      runs,
    })),
  }),
  // stdin (open until the test closes it) would keep the process alive.
  () => process.exit(0),
);
