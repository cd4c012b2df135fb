"use strict";
// Writes prebuilds/<platform>-<arch>/zmq-napi.napi.node (the layout node-gyp-build loads) with
// prebuildify, whose node-gyp is our cmake-js shim, and copies the vendored libraries'
// licences into licenses/ so that a packed release carries them. A linux glibc prebuild that
// needs more than glibc 2.28 fails the step (scripts/glibc-floor.js).

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const floor = require("./glibc-floor");

const root = path.join(__dirname, "..");

const prebuildify = require.resolve("prebuildify/bin.js");
const result = spawnSync(
  process.execPath,
  [prebuildify, "--napi", "--strip", "--tag-libc", "--target", `node@${process.versions.node}`],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PREBUILD_NODE_GYP: path.join(__dirname, "prebuildify-node-gyp.js") },
  },
);
if (result.status !== 0) process.exit(result.status ?? 1);

const prefix = fs.readFileSync(path.join(root, "build", "deps-prefix.txt"), "utf8").trim();
const licenses = path.join(root, "licenses");
fs.rmSync(licenses, { recursive: true, force: true });
fs.cpSync(path.join(prefix, "licenses"), licenses, { recursive: true });

const prebuilds = path.join(root, "prebuilds");
for (const platform of fs.readdirSync(prebuilds)) {
  for (const name of fs.readdirSync(path.join(prebuilds, platform))) {
    const file = path.join(prebuilds, platform, name);
    const size = `${(fs.statSync(file).size / 1e6).toFixed(2)} MB`;
    if (!name.endsWith(".glibc.node")) {
      process.stdout.write(`prebuild ${platform}/${name}: ${size}\n`);
      continue;
    }
    const result = floor.audit(file);
    process.stdout.write(`prebuild ${platform}/${name}: ${size}; ${floor.verdict(result)}\n`);
    if (!result.ok) process.exitCode = 1;
  }
}
