"use strict";
// Writes prebuilds/<platform>-<arch>/zmq-napi.napi.node (the layout node-gyp-build loads) with
// prebuildify, whose node-gyp is our cmake-js shim, and copies the vendored libraries'
// licences into licenses/ so that a packed release carries them.

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

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
process.stdout.write(`prebuilds: ${fs.readdirSync(path.join(root, "prebuilds")).join(", ")}\n`);
