"use strict";
// Builds the addon, libzmq, libsodium and OpenPGM with AddressSanitizer and
// UndefinedBehaviorSanitizer (CMakeLists.txt's ZMQ_NAPI_SANITIZE) into build-asan/, beside the
// normal build: build/Release/zmq_napi.node is left as it is. The vendored libraries get a
// cache prefix of their own (deps/build.js --sanitize). Incremental, like build:native.
//
//   node scripts/build-asan.js        (npm run build:asan)
//
// build-asan/ mirrors a package root (build-asan/build/Release/zmq_napi.node) so that
// node-gyp-build loads it when ZMQ_NAPI_PREBUILD=build-asan: its own override, which
// scripts/test-asan.js sets.

const fs = require("node:fs");
const path = require("node:path");

const { buildNative } = require("./build-native");

const root = path.join(__dirname, "..");
const asanRoot = path.join(root, "build-asan");
const asanBinary = path.join(asanRoot, "build", "Release", "zmq_napi.node");

function buildAsan() {
  const started = Date.now();
  buildNative(["--out", path.join(asanRoot, "build"), "--CDZMQ_NAPI_SANITIZE=ON"]);
  if (!fs.existsSync(asanBinary)) throw new Error(`the build did not produce ${asanBinary}`);
  process.stderr.write(
    `build-asan: ${path.relative(root, asanBinary)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

module.exports = { buildAsan, asanRoot, asanBinary };

if (require.main === module) {
  try {
    buildAsan();
  } catch (error) {
    process.stderr.write(`build-asan: ${error.message}\n`);
    process.exit(1);
  }
}
