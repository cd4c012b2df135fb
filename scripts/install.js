"use strict";
// `npm install` hook. A packed release carries prebuilt binaries in prebuilds/: when one loads
// on this machine there is nothing to do and no compiler is needed. Otherwise (a git checkout,
// or a platform without a prebuild) the addon is built from source, once, with progress on
// stderr (npm shows it with --foreground-scripts, and in full when the build fails).

const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");

function prebuildLoads() {
  try {
    const file = require("node-gyp-build").path(root);
    if (!file.includes(`${path.sep}prebuilds${path.sep}`)) return false;
    require(file);
    return true;
  } catch {
    return false;
  }
}

// In a checkout we always (re)build: it is incremental, and keeps build/ in step with binding/.
const isCheckout = fs.existsSync(path.join(root, ".git"));
if (!isCheckout && process.env.ZMQ_NAPI_BUILD_FROM_SOURCE !== "1" && prebuildLoads()) {
  process.exit(0);
}

const { MissingToolError } = require("./build-tools");
try {
  if (!isCheckout) {
    const why =
      process.env.ZMQ_NAPI_BUILD_FROM_SOURCE === "1"
        ? "ZMQ_NAPI_BUILD_FROM_SOURCE=1"
        : `no prebuilt binary loads on ${process.platform}-${process.arch}`;
    process.stderr.write(`[zmq-napi] ${why}: building from source\n`);
  }
  require("./build-native").buildNative();
} catch (error) {
  if (error instanceof MissingToolError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `\nzmq-napi: could not build the native addon from source.\n${error.message}\n` +
        `No prebuilt binary matched ${process.platform}-${process.arch} (Node-API 8).\n`,
    );
  }
  process.exit(1);
}
