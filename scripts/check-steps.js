"use strict";
// What the prebuild checks (test-prebuild-{arm64,win32,musl}.js, and the audits glibc-floor.js
// and musl-audit.js) print and run: a step heading, a command run to its end with a time limit,
// the prebuild built first when asked, its ELF checks, an audit's command line.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { machine, exportedSymbols, NODE_API_ENTRY_POINTS } = require("./elf-tables");

const root = path.join(__dirname, "..");

function step(name) {
  process.stdout.write(`\n== ${name}\n`);
}

// Runs a command to its end (killed after its time limit) and returns its standard output,
// echoing what it printed unless `quiet`.
function run(command, args, { quiet = false, ...options } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
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

// Builds `prebuild` with scripts/prebuild.js (`args` name its target) when the check was run
// with --build or the file is missing.
function buildPrebuildIfAsked(prebuild, args) {
  if (!process.argv.includes("--build") && fs.existsSync(prebuild)) return;
  step(`build the ${args.at(-1)} prebuild`);
  run(process.execPath, [path.join(__dirname, "prebuild.js"), ...args], {
    stdio: "inherit",
    timeout: 3_600_000,
  });
}

// An audit's command line (`node scripts/<script> FILE...`): each file's verdict, and exit 1 if
// any fails.
function auditCommand(script, audit, verdict) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write(`usage: node scripts/${script} FILE...\n`);
    process.exit(2);
  }
  const results = files.map(audit);
  for (const result of results) process.stdout.write(`${result.file}: ${verdict(result)}\n`);
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}

// Checks an ELF prebuild: its libc's audit (glibc-floor.js or musl-audit.js), its machine
// (readelf's name, "AArch64"), and that it exports the Node-API entry points alone.
function auditElfPrebuild(prebuild, audit, expectedMachine) {
  const result = audit.audit(prebuild);
  process.stdout.write(`${path.relative(root, prebuild)}: ${audit.verdict(result)}\n`);
  if (!result.ok) throw new Error(`${path.basename(prebuild)} fails its libc's audit`);
  if (machine(prebuild) !== expectedMachine) {
    throw new Error(`${path.basename(prebuild)} is not an ${expectedMachine} ELF`);
  }
  const exported = exportedSymbols(prebuild);
  if (exported.join() !== NODE_API_ENTRY_POINTS.join()) {
    throw new Error(`${path.basename(prebuild)} exports ${exported.join(", ")}`);
  }
}

module.exports = { step, run, buildPrebuildIfAsked, auditCommand, auditElfPrebuild };
