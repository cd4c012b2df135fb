"use strict";
// What the prebuild checks (test-prebuild-arm64.js, test-prebuild-win32.js) print and run:
// a step heading, and a command run to its end with a time limit.
const path = require("node:path");
const { spawnSync } = require("node:child_process");

function step(name) {
  process.stdout.write(`\n== ${name}\n`);
}

// Runs a command to its end (killed after its time limit) and returns its standard output,
// echoing what it printed unless `quiet`.
function run(command, args, { quiet = false, ...options } = {}) {
  const result = spawnSync(command, args, {
    cwd: path.join(__dirname, ".."),
    encoding: "utf8",
    timeout: 600_000,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (!quiet && result.stdout) process.stdout.write(result.stdout);
  if (!quiet && result.stderr) process.stderr.write(result.stderr);
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
  return result.stdout ?? "";
}

module.exports = { step, run };
