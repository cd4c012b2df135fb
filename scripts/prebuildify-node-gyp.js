#!/usr/bin/env node
"use strict";
// prebuildify drives node-gyp only. It calls this stand-in as `node-gyp rebuild --target=…
// --arch=… --release`; we answer by building the addon with CMake (build-native.js), which
// leaves it in build/Release where prebuildify picks it up.
const { buildNative } = require("./build-native");

const args = process.argv.slice(2);
if (args[0] !== "rebuild" && args[0] !== "build") {
  process.stderr.write(`prebuildify-node-gyp: unsupported command ${args[0]}\n`);
  process.exit(1);
}
const extra = args.includes("--debug") ? ["--debug"] : [];
try {
  buildNative(extra);
} catch (error) {
  process.stderr.write(`prebuildify-node-gyp: ${error.message}\n`);
  process.exit(1);
}
