"use strict";
// What the numbers were measured on: they mean little without it.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

function read(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function cpuModel() {
  const line = read("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
  return line ? line[1].trim() : (os.cpus()[0]?.model ?? "unknown");
}

function osName() {
  return (
    read("/etc/os-release").match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ??
    `${os.type()} ${os.release()}`
  );
}

function python() {
  const result = spawnSync(process.env.PYTHON || "/usr/bin/python3", ["--version"], {
    encoding: "utf8",
  });
  return result.status === 0
    ? (result.stdout || result.stderr).trim().replace(/^Python /, "")
    : null;
}

/**
 * The commit measured, and whether the library's code differs from it: "671bc62 (+ local
 * changes to the library)". BENCH_COMMIT names it instead, for a tree outside git (an export).
 */
function commit() {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  const root = path.join(__dirname, "..", "..");
  const git = (...args) => spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return null;
  const changed = git("status", "--porcelain", "--", "src", "binding", "CMakeLists.txt", "deps");
  return `${head.stdout.trim()}${changed.stdout.trim() ? " (+ local changes to the library)" : ""}`;
}

/** The machine, and each peer's versions ({ name: { library, libzmq, runtime } | { error } }). */
function describeMachine(peerVersions) {
  return {
    nproc:
      typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    cpu: cpuModel(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    kernel: os.release(),
    arch: process.arch,
    node: process.versions.node,
    python: python(),
    commit: commit(),
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
    peers: peerVersions,
  };
}

module.exports = { describeMachine };
