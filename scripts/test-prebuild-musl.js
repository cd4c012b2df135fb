"use strict";
// Tests the linux-x64-musl prebuild by running it in a musl runtime: Bun's musl build (the npm
// package @oven/bun-linux-x64-musl, of the Bun version the suite's runtime tests use; Node has no
// musl build on npm) under Debian's musl loader loads the prebuild through an installed-package
// layout (package.json, lib/, prebuilds/linux-x64/ with both libcs' files, node-gyp-build) and
// runs test/fixtures/prebuild-smoke.cjs: REQ/REP and PUB/SUB over tcp and ipc, CURVE, draft
// SERVER/CLIENT, the exact capability set, and, as uid 65534, the refusal of pgm:// without
// CAP_NET_RAW. Before that it audits the file (scripts/musl-audit.js) and checks that each
// runtime loads its own libc's file from that layout: Bun-musl the .musl.node, Node and Bun
// (glibc) the .glibc.node. Exits non-zero on any failure.
//
// Bun's musl build needs libstdc++.so.6 (Alpine's), which Debian does not build for musl: the
// test links one from the objects Bun needs out of Debian's own libstdc++.a (GCC 12), against
// musl, with test/fixtures/musl-libstdcxx-standins.c. The addon needs none (its C++ runtime,
// zig's libc++, is linked in).
//
//   node scripts/test-prebuild-musl.js [--build]
//
// --build (or a missing prebuild) runs `node scripts/prebuild.js --target linux-x64-musl` first.
// Needs: apt-get install -y musl g++; the native addon and lib/ built (npm run build); the npm
// registry once, for Bun's musl build (kept in the zmq-napi cache).

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { step, run, buildPrebuildIfAsked, auditElfPrebuild } = require("./check-steps");
const musl = require("./musl-audit");
const { dynamicSymbols } = require("./elf-tables");
const { npmBinary } = require("./npm-binary");
const { stageInstalledPackage } = require("./staged-package");

const root = path.join(__dirname, "..");
const BUN_PACKAGE = `@oven/bun-linux-x64-musl@${require("bun/package.json").version}`;
const LOADER = "/lib/ld-musl-x86_64.so.1";
const NOBODY = 65534;
const prebuild = path.join(root, "prebuilds", "linux-x64", "zmq-napi.musl.node");
// The glibc file beside it in the staged package: the native build the suite runs (audited by
// test/prebuild-glibc-floor.test.ts), as prebuildify copies it into prebuilds/.
const glibcBuild = path.join(root, "build", "Release", "zmq_napi.node");

function requireTools() {
  const missing = ["gcc", "readelf"].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (!fs.existsSync(LOADER)) missing.push(LOADER);
  if (missing.length) throw new Error(`missing ${missing.join(", ")}: apt-get install -y musl g++`);
  if (!fs.existsSync(path.join(root, "lib", "index.js"))) {
    throw new Error("lib/ is not built: npm run build:ts");
  }
  if (!fs.existsSync(glibcBuild)) throw new Error("the addon is not built: npm run build:native");
}

// libstdc++.so.6 for Bun on musl: what Bun imports (or copies in: typeinfo vtables) out of
// Debian's libstdc++.a, linked as a shared library against musl's libc.
function libstdcxxForMusl(bun, into) {
  const gccFile = (name) => run("gcc", [`-print-file-name=${name}`], { quiet: true }).trim();
  const archive = gccFile("libstdc++.a");
  const offered = new Set(
    run("nm", ["-g", "--defined-only", archive], { quiet: true })
      .split("\n")
      .map((line) => line.split(" ")[2])
      .filter(Boolean),
  );
  const wanted = [...new Set(dynamicSymbols(bun).map((entry) => entry.name))].filter((name) =>
    offered.has(name),
  );
  const standins = path.join(into, "standins.o");
  const fixture = path.join(root, "test", "fixtures", "musl-libstdcxx-standins.c");
  run("gcc", ["-O2", "-fPIC", "-c", fixture, "-o", standins]);
  const library = path.join(into, "libstdc++.so.6");
  run("gcc", [
    "-shared",
    "-nostdlib",
    "-Wl,-soname,libstdc++.so.6",
    "-o",
    library,
    gccFile("crtbeginS.o"),
    standins,
    ...wanted.map((name) => `-Wl,-u,${name}`),
    archive,
    gccFile("libgcc_eh.a"),
    gccFile("libgcc.a"),
    `-L${path.dirname(fs.realpathSync(LOADER))}`,
    "-lc",
    gccFile("crtendS.o"),
  ]);
  process.stdout.write(`libstdc++.so.6 for musl: ${wanted.length} symbols Bun takes from it\n`);
}

// An installed package, readable by uid 65534: DIR/node_modules/{zmq-napi,node-gyp-build},
// with both libcs' prebuilds, Bun's musl build and its libstdc++ in DIR/musl-lib.
function stagePackage(stage, bun) {
  stageInstalledPackage(stage, "linux-x64", {
    "zmq-napi.musl.node": prebuild,
    "zmq-napi.glibc.node": glibcBuild,
  });
  fs.copyFileSync(bun, path.join(stage, "bun"));
  fs.chmodSync(path.join(stage, "bun"), 0o755);
  const lib = path.join(stage, "musl-lib");
  fs.mkdirSync(lib);
  libstdcxxForMusl(bun, lib);
  const tmp = path.join(stage, "tmp");
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
  run("chmod", ["-R", "a+rX", stage]);
  return { tmp, env: { ...process.env, LD_LIBRARY_PATH: lib, TMPDIR: tmp } };
}

// Which file of the staged package a runtime loads.
const WHICH_FILE =
  "require('zmq-napi'); console.log(require('node-gyp-build').path('node_modules/zmq-napi'))";

function expectLoads(runtime, args, env, file, stage) {
  const loaded = run(runtime, [...args, WHICH_FILE], { cwd: stage, env, quiet: true }).trim();
  process.stdout.write(`${path.basename(runtime)} ${args.join(" ")}: loads ${loaded}\n`);
  if (path.basename(loaded) !== file) throw new Error(`expected ${file}, loaded ${loaded}`);
}

function main() {
  const started = Date.now();
  requireTools();
  buildPrebuildIfAsked(prebuild, ["--target", "linux-x64-musl"]);

  step("audit it: musl's libraries and symbols only");
  auditElfPrebuild(prebuild, musl, "Advanced Micro Devices X86-64");

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-musl-"));
  fs.chmodSync(stage, 0o755);
  try {
    step(`stage an installed package and ${BUN_PACKAGE} (with a libstdc++ for musl)`);
    const { env } = stagePackage(stage, npmBinary(BUN_PACKAGE, "bin/bun"));
    const bun = path.join(stage, "bun");
    run(bun, ["-e", "console.log('bun', process.versions.bun, process.platform, process.arch)"], {
      cwd: stage,
      env,
    });

    step("each runtime loads its own libc's prebuild");
    expectLoads(bun, ["-e"], env, "zmq-napi.musl.node", stage);
    expectLoads(process.execPath, ["-e"], process.env, "zmq-napi.glibc.node", stage);
    const glibcBun = path.join(path.dirname(require.resolve("bun/package.json")), "bin", "bun.exe");
    expectLoads(glibcBun, ["-e"], process.env, "zmq-napi.glibc.node", stage);

    step("the smoke subset under Bun on musl");
    const smoke = run(bun, ["smoke.cjs", "main"], { cwd: stage, env });
    if (!smoke.includes("zmq-napi.musl.node"))
      throw new Error("the smoke subset loaded another file");
    if (!smoke.includes("prebuild smoke OK")) throw new Error("the smoke subset failed");

    step(`pgm:// refused without privilege (uid ${NOBODY}) under Bun on musl`);
    const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const refused = run(bun, ["smoke.cjs", "pgm-refused"], {
      cwd: stage,
      env: { ...env, HOME: env.TMPDIR },
      ...asNobody,
    });
    if (!refused.includes("prebuild smoke OK")) throw new Error("the pgm refusal check failed");
    if (asNobody.uid !== undefined) {
      step("the control: as root, pgm:// gets past the privilege check under Bun on musl");
      const control = run(bun, ["smoke.cjs", "pgm-privileged"], { cwd: stage, env });
      if (!control.includes("prebuild smoke OK")) throw new Error("the pgm control failed");
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\nlinux-x64-musl prebuild OK under Bun on musl (${seconds} s)\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`test-prebuild-musl: ${error.message}\n`);
  process.exit(1);
}
