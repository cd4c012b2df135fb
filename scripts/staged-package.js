"use strict";
// An installed zmq-napi for the prebuild checks (test-prebuild-{arm64,win32,musl}.js) to load in
// a runtime the suite does not run in: DIR/node_modules/zmq-napi (package.json, lib/ and the
// prebuilds given), DIR/node_modules/node-gyp-build, and DIR/smoke.cjs
// (test/fixtures/prebuild-smoke.cjs), which requires it as an application would.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");

/**
 * @param {string} stage the directory to fill
 * @param {string} platform the prebuilds/ directory, e.g. "linux-x64"
 * @param {Record<string, string>} prebuilds file name in it → the file to copy there
 */
function stageInstalledPackage(stage, platform, prebuilds) {
  const pkg = path.join(stage, "node_modules", "zmq-napi");
  const dir = path.join(pkg, "prebuilds", platform);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(root, "package.json"), path.join(pkg, "package.json"));
  fs.cpSync(path.join(root, "lib"), path.join(pkg, "lib"), { recursive: true });
  for (const [name, file] of Object.entries(prebuilds)) {
    fs.copyFileSync(file, path.join(dir, name));
  }
  const nodeGypBuild = path.dirname(require.resolve("node-gyp-build/package.json"));
  fs.cpSync(nodeGypBuild, path.join(stage, "node_modules", "node-gyp-build"), { recursive: true });
  fs.copyFileSync(
    path.join(root, "test", "fixtures", "prebuild-smoke.cjs"),
    path.join(stage, "smoke.cjs"),
  );
}

module.exports = { stageInstalledPackage };
