"use strict";
// Runs the native-heavy part of the suite (vitest.asan.config.mts) against the AddressSanitizer
// + UndefinedBehaviorSanitizer build, and fails on any report. Builds first (scripts/
// build-asan.js, incremental), so the binary under test is never older than binding/.
//
//   node scripts/test-asan.js [vitest arguments, e.g. a test file]     (npm run test:asan)
//
// Node itself is not instrumented, so libasan (and libubsan) are preloaded into it and into
// every process the tests start, which inherit the environment. ZMQ_NAPI_PREBUILD (node-gyp-
// build's own override) makes src/native.ts load build-asan/build/Release/zmq_napi.node.
//
// A report fails the run three ways: the sanitizers stop the process at the first one
// (halt_on_error, -fno-sanitize-recover); every report is also written to
// build-asan/build/sanitizer-reports/ (log_path: that catches child processes whose exit a
// test does not check); and the output is scanned for report headers.
//
// LeakSanitizer is off: at exit Node leaves memory that V8, Node and the tools' own addons
// (vitest's rolldown) allocated and never free, so every process would report. Leaks in
// zmq-napi are the valgrind check's job (test/reliability-valgrind.test.ts, which fails on a
// definite leak in the addon) and the RSS checks' (test/reliability-memory.test.ts).

const fs = require("node:fs");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");

const { buildAsan, asanRoot, asanBinary } = require("./build-asan");

const root = path.join(__dirname, "..");
// Inside build-asan/build/, which .gitignore's build/ already covers.
const reportDir = path.join(asanRoot, "build", "sanitizer-reports");
const REPORT_PATTERN =
  /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/;

/** The compiler's copy of a sanitizer runtime, e.g. libasan.so. */
function runtimeLibrary(name) {
  const compiler = process.env.CXX || "c++";
  const found = spawnSync(compiler, [`-print-file-name=${name}`], { encoding: "utf8" });
  const file = (found.stdout || "").trim();
  if (!path.isAbsolute(file) || !fs.existsSync(file)) {
    throw new Error(`${compiler} has no ${name} (the sanitizer build needs GCC's runtimes)`);
  }
  return file;
}

function sanitizerEnv() {
  const preload = [runtimeLibrary("libasan.so"), runtimeLibrary("libubsan.so")];
  if (process.env.LD_PRELOAD) preload.push(process.env.LD_PRELOAD);
  // GCC's libubsan prints to stderr whatever log_path says, and its setting of the report path
  // reaches libasan's: both get the same one. abort_on_error + handle_abort turn each UBSan
  // report into an ASan report with the stack too, in that file.
  const logPath = `log_path=${path.join(reportDir, "report")}`;
  return {
    ...process.env,
    LD_PRELOAD: preload.join(":"),
    ASAN_OPTIONS: [
      "detect_leaks=0",
      "halt_on_error=1",
      "handle_abort=1",
      "detect_stack_use_after_return=1",
      "strict_string_checks=1",
      "check_initialization_order=1",
      // Freed memory waits in quarantine (to catch a use after free) and counts as RSS: 256 MB by
      // default, which alone breaks socket-lifecycle's bound of 64 MiB of RSS growth over 2000
      // dropped sockets (about 65 MiB with the default, 41 MiB with this; 0.4 MiB unsanitized).
      "quarantine_size_mb=32",
      `suppressions=${path.join(__dirname, "sanitizer-suppressions", "asan.supp")}`,
      logPath,
    ].join(":"),
    UBSAN_OPTIONS: ["halt_on_error=1", "abort_on_error=1", "print_stacktrace=1", logPath].join(":"),
    ZMQ_NAPI_PREBUILD: asanRoot,
  };
}

/** Fails unless a process with `env` loads the instrumented binary. */
function checkLoaded(env) {
  const probe = spawnSync(
    process.execPath,
    ["-p", `require("node-gyp-build").path(${JSON.stringify(root)})`],
    { cwd: root, env, encoding: "utf8" },
  );
  const loaded = (probe.stdout || "").trim();
  if (probe.status !== 0 || loaded !== asanBinary) {
    throw new Error(`node-gyp-build resolves ${loaded || "nothing"}, not ${asanBinary}`);
  }
  if (!fs.readFileSync(asanBinary).includes("__asan_init")) {
    throw new Error(`${asanBinary} is not instrumented`);
  }
}

/** Runs vitest with `env`, copying its output through; resolves its exit code and whether the
 * output held a report header. */
function runVitest(args, env) {
  const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const child = spawn(
    process.execPath,
    [vitest, "run", "--config", "vitest.asan.config.mts", ...args],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let sawReport = false;
  const scan = (stream, into) => {
    let tail = "";
    stream.on("data", (chunk) => {
      into.write(chunk);
      const text = tail + chunk.toString("utf8");
      if (REPORT_PATTERN.test(text)) sawReport = true;
      tail = text.slice(-200);
    });
  };
  scan(child.stdout, process.stdout);
  scan(child.stderr, process.stderr);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code: code ?? signal, sawReport }));
  });
}

function reportFiles() {
  return fs
    .readdirSync(reportDir)
    .map((name) => path.join(reportDir, name))
    .filter((file) => fs.statSync(file).size > 0);
}

async function main() {
  buildAsan();
  const env = sanitizerEnv();
  checkLoaded(env);
  fs.rmSync(reportDir, { recursive: true, force: true });
  fs.mkdirSync(reportDir, { recursive: true });

  const started = Date.now();
  const { code, sawReport } = await runVitest(process.argv.slice(2), env);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const reports = reportFiles();
  for (const file of reports) {
    process.stderr.write(
      `\n--- ${path.relative(root, file)} ---\n${fs.readFileSync(file, "utf8")}`,
    );
  }
  if (reports.length > 0 || sawReport) {
    process.stderr.write(
      `\ntest-asan: FAILED: ${reports.length} sanitizer report(s) in ${path.relative(root, reportDir)}` +
        `${sawReport ? ", and a report in the output" : ""} (${seconds} s)\n`,
    );
    return 1;
  }
  if (code !== 0) {
    process.stderr.write(`\ntest-asan: FAILED: vitest exited with ${code} (${seconds} s)\n`);
    return 1;
  }
  process.stderr.write(`\ntest-asan: OK, no sanitizer reports (${seconds} s)\n`);
  return 0;
}

main().then(
  (status) => process.exit(status),
  (error) => {
    process.stderr.write(`test-asan: ${error.message}\n`);
    process.exit(1);
  },
);
