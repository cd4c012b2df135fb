"use strict";
// Builds the addon from source by running CMake on CMakeLists.txt (which builds the vendored
// libraries through deps/build.js, then the addon). CMake is driven directly, not through
// cmake-js: a Node-API addon needs only the Node-API headers (node-api-headers) and
// node-addon-api, and cmake-js would add some forty packages to every install, prebuild or not,
// and retry a failed build from clean (its `compile` command), running a 7-minute failure twice.
// Incremental: a warm rebuild compiles nothing.
//
//   node scripts/build-native.js [--debug] [--out DIR] [--CD<NAME>=<VALUE> …]
//
// --out is the build directory (default build/; the addon lands in DIR/Release/zmq_napi.node,
// where node-gyp-build looks); --CD<NAME>=<VALUE> (cmake-js's spelling, kept for the callers)
// or -D<NAME>=<VALUE> passes a CMake definition.

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { findMissingTools, MissingToolError } = require("./build-tools");

const root = path.join(__dirname, "..");

function progress(message) {
  process.stderr.write(`[zmq-napi] ${message}\n`);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function parseArguments(extra) {
  const options = { config: "Release", out: path.join(root, "build"), defines: {} };
  for (let i = 0; i < extra.length; i++) {
    const arg = extra[i];
    const define = /^(?:--CD|-D)([A-Za-z_][A-Za-z0-9_]*)(?::[A-Z]+)?=(.*)$/.exec(arg);
    if (arg === "--debug") options.config = "Debug";
    else if (arg === "--out") options.out = path.resolve(root, extra[++i] ?? "");
    else if (define) options.defines[define[1]] = define[2];
    else throw new TypeError(`build-native: unknown argument ${JSON.stringify(arg)}`);
  }
  return options;
}

// The generator an existing build directory was configured with: CMake refuses another one.
function cachedGenerator(out) {
  try {
    const cache = fs.readFileSync(path.join(out, "CMakeCache.txt"), "utf8");
    return /^CMAKE_GENERATOR:INTERNAL=(.*)$/m.exec(cache)?.[1] ?? null;
  } catch {
    return null;
  }
}

function hasNinja() {
  return spawnSync("ninja", ["--version"], { stdio: "ignore" }).status === 0;
}

// What cmake-js passed and CMakeLists.txt reads: the Node-API headers, node-addon-api, Node
// itself, and the output directory node-gyp-build loads from.
function nodeApiDefines(options) {
  const headers = require("node-api-headers").include_dir;
  const addonApi = path.dirname(require.resolve("node-addon-api/package.json"));
  const defines = {
    CMAKE_BUILD_TYPE: options.config,
    CMAKE_LIBRARY_OUTPUT_DIRECTORY: path.join(options.out, options.config),
    CMAKE_JS_INC: `${headers};${addonApi}`,
    NODE_EXECUTABLE: process.execPath,
  };
  const cxxFlags = [process.env.CXXFLAGS, "-DBUILDING_NODE_EXTENSION"];
  if (process.platform === "darwin") {
    // Node-API symbols resolve against the node binary at load time.
    defines.CMAKE_SHARED_LINKER_FLAGS = [process.env.LDFLAGS, "-undefined dynamic_lookup"]
      .filter(Boolean)
      .join(" ");
    defines.CMAKE_OSX_ARCHITECTURES = process.arch === "x64" ? "x86_64" : process.arch;
  }
  defines.CMAKE_CXX_FLAGS = cxxFlags.filter(Boolean).join(" ");
  return defines;
}

function cmake(args, { quiet }) {
  const result = spawnSync("cmake", args, {
    stdio: quiet ? "pipe" : ["ignore", "inherit", "inherit"],
    encoding: "utf8",
    cwd: root,
  });
  if (result.error) throw new Error(`cmake: ${result.error.message}`);
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout}${result.stderr}` : "";
    throw new Error(`cmake ${args[0]} ${args[1]} exited with code ${result.status}${output}`);
  }
}

// Configures the build directory: always, since a warm configure takes a second (deps/build.js
// finds its cached prefix) and so new definitions always apply.
function configure(options, { quiet = false } = {}) {
  const args = ["-S", root, "-B", options.out, "--no-warn-unused-cli"];
  if (!cachedGenerator(options.out) && hasNinja()) args.push("-G", "Ninja");
  for (const [name, value] of Object.entries({ ...nodeApiDefines(options), ...options.defines })) {
    args.push(`-D${name}=${value}`);
  }
  cmake(args, { quiet });
}

/**
 * Configures and builds the addon once (a failure is reported, never retried from clean).
 * @param {string[]} extra build-native's command-line arguments (see the top of this file)
 */
// Before anything starts: a missing program is one line that says how to install it.
function checkTools(options) {
  const missing = findMissingTools({ crossCompiling: "CMAKE_TOOLCHAIN_FILE" in options.defines });
  if (missing.length) throw new MissingToolError(missing);
}

function buildNative(extra = []) {
  const options = parseArguments(extra);
  checkTools(options);
  const started = Date.now();
  const warm = fs.existsSync(path.join(options.out, "CMakeCache.txt"));
  progress(
    `configuring in ${path.relative(root, options.out) || "."}` +
      (warm ? "" : " (the first time this builds libsodium, OpenPGM and libzmq: minutes)"),
  );
  configure(options);
  progress(`configured (${seconds(started)}); compiling the addon`);
  const parallel = String(os.availableParallelism?.() ?? os.cpus().length);
  cmake(["--build", options.out, "--config", options.config, "--parallel", parallel], {
    quiet: false,
  });
  const addon = path.join(options.out, options.config, "zmq_napi.node");
  progress(`built ${path.relative(root, addon)} in ${seconds(started)}`);
}

// Configures a build of the addon in `out` without compiling it, writing
// out/compile_commands.json (the compiler's view of binding/, for clang-tidy).
function writeCompileCommands(out) {
  const options = parseArguments(["--out", out, "--CDCMAKE_EXPORT_COMPILE_COMMANDS=ON"]);
  checkTools(options);
  configure(options, { quiet: true });
}

module.exports = { buildNative, writeCompileCommands };

if (require.main === module) {
  try {
    buildNative(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      error instanceof MissingToolError ? `${error.message}\n` : `zmq-napi: ${error.message}\n`,
    );
    process.exit(1);
  }
}
