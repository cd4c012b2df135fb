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

function buildNative(extra = []) {
  const missing = missingTools();
  if (missing.length) {
    throw new Error(
      `building zmq-napi from source needs ${missing.join(", ")} on PATH.\n` +
        "On Debian/Ubuntu: apt-get install -y cmake g++ make python3 tar xz-utils patch\n" +
        "(or install a release that ships a prebuilt binary for this platform).",
    );
  }
  const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
  const args = [cmakeJs, "compile", "--directory", root, `--CDNODE_EXECUTABLE=${process.execPath}`];
  if (spawnSync("ninja", ["--version"]).status === 0) args.push("--generator", "Ninja");
  const result = spawnSync(process.execPath, [...args, ...extra], { stdio: "inherit", cwd: root });
  if (result.status !== 0) throw new Error(`cmake-js exited with code ${result.status}`);
}

module.exports = { buildNative };

if (require.main === module) {
  const extra = process.argv.slice(2);
  try {
    buildNative(extra);
  } catch (error) {
    process.stderr.write(`zmq-napi: ${error.message}\n`);
    process.exit(1);
  }
}
