"use strict";
// Builds the addon from source with cmake-js (which runs CMakeLists.txt, which builds the
// vendored libraries through deps/build.js). Incremental: a warm rebuild compiles nothing.
//
//   node scripts/build-native.js [--debug] [extra cmake-js arguments]

const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");

function missingTools() {
  const needed = ["cmake", process.env.CXX || "c++", process.env.CC || "cc", "tar", "patch"];
  return needed.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
}

// Runs `cmake-js <command>` on CMakeLists.txt. `quiet` keeps its output unless it fails.
function cmakeJs(command, extra, { quiet = false } = {}) {
  const missing = missingTools();
  if (missing.length) {
    throw new Error(
      `building zmq-napi from source needs ${missing.join(", ")} on PATH.\n` +
        "On Debian/Ubuntu: apt-get install -y cmake g++ make python3 tar xz-utils patch\n" +
        "(or install a release that ships a prebuilt binary for this platform).",
    );
  }
  const cmakeJsBin = require.resolve("cmake-js/bin/cmake-js");
  const args = [
    cmakeJsBin,
    command,
    "--directory",
    root,
    `--CDNODE_EXECUTABLE=${process.execPath}`,
  ];
  if (spawnSync("ninja", ["--version"]).status === 0) args.push("--generator", "Ninja");
  const result = spawnSync(process.execPath, [...args, ...extra], {
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
    cwd: root,
  });
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout}${result.stderr}` : "";
    throw new Error(`cmake-js ${command} exited with code ${result.status}${output}`);
  }
}

function buildNative(extra = []) {
  cmakeJs("compile", extra);
}

// Configures a build of the addon in `out` without compiling it, writing
// out/compile_commands.json (the compiler's view of binding/, for clang-tidy).
function writeCompileCommands(out) {
  cmakeJs("configure", ["--out", out, "--CDCMAKE_EXPORT_COMPILE_COMMANDS=ON"], { quiet: true });
}

module.exports = { buildNative, writeCompileCommands };

if (require.main === module) {
  const extra = process.argv.slice(2);
  try {
    buildNative(extra);
  } catch (error) {
    process.stderr.write(`zmq-napi: ${error.message}\n`);
    process.exit(1);
  }
}
