"use strict";
// The release path, end to end: build a prebuild in a clean copy of the tracked files, pack it,
// install the tarball into an empty project whose PATH has no compiler or cmake, and load it
// with require() and import. Exits non-zero (with the reason) when any step fails.
//
//   node scripts/test-packed.js [--keep]

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const packing = require("./packed-tree");
const { step, run, capture } = packing;

const pinned = require("../deps/versions.json").libzmq.version;
const keep = process.argv.includes("--keep");

// A PATH with node, npm and a shell only: no cc, gcc, g++, c++, cmake, make or ninja.
function compilerFreePath(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const npmCli = path.join(
    path.dirname(process.execPath),
    "..",
    "lib",
    "node_modules",
    "npm",
    "bin",
    "npm-cli.js",
  );
  const links = { node: process.execPath, sh: "/bin/sh", npm: fs.realpathSync(npmCli) };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

// What an install may print and a newcomer could take for trouble: deprecation warnings (from
// build tooling it should not install), compiler or CMake output, errors.
const ALARMING = /deprecated|\bgyp\b|cmake|warning:|error|\bERR!|\[zmq-napi/i;

function main() {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-pack-"));
  try {
    step("copy the tracked files into a clean tree");
    const tree = path.join(stage, "tree");
    packing.copyTrackedTree(tree);

    step("prebuild (prebuildify through the node-gyp stand-in)");
    // This machine's prebuild only: the cross targets have tests of their own
    // (scripts/test-prebuild-arm64.js).
    run(process.execPath, ["scripts/prebuild.js", "--arch", process.arch], { cwd: tree });
    packing.buildPackageContents(tree);

    step("npm pack");
    const packed = packing.pack(tree, stage);
    const { tarball, names } = packed;
    packing.checkTarballContents(names, { prebuild: true });
    process.stdout.write(
      `${packed.filename}: ${names.length} files, ${packed.size} bytes packed, ` +
        `${packed.unpackedSize} unpacked\n`,
    );

    step("install the tarball into an empty project, with no compiler on PATH");
    const consumer = packing.emptyProject(path.join(stage, "consumer"));
    const PATH = compilerFreePath(path.join(stage, "bin"));
    const env = { ...process.env, PATH };
    delete env.CC;
    delete env.CXX;
    for (const tool of ["cc", "gcc", "g++", "c++", "cmake", "make", "ninja"]) {
      const found = spawnSync("/bin/sh", ["-c", `command -v ${tool}`], { env }).status === 0;
      if (found) throw new Error(`${tool} is still reachable on the restricted PATH`);
    }
    const install = spawnSync(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball],
      { cwd: consumer, env, encoding: "utf8" },
    );
    const printed = `${install.stdout}${install.stderr}`;
    process.stdout.write(printed);
    if (install.status !== 0) throw new Error(`npm install failed (exit ${install.status})`);
    // npm's own advisory about packages whose install scripts no allowScripts policy covers is
    // about npm's policy, not this package; everything else it printed is judged.
    const alarming = printed
      .split("\n")
      .filter((line) => !/^npm warn install-scripts\b/.test(line))
      .filter((line) => ALARMING.test(line));
    if (alarming.length) throw new Error(`the install printed:\n${alarming.join("\n")}`);
    const installedDir = path.join(consumer, "node_modules");
    const packages =
      capture("npm", ["ls", "--all", "--parseable"], { cwd: consumer, env }).trim().split("\n")
        .length - 1;
    const du = capture("du", ["-sk", installedDir]).split("\t")[0];
    process.stdout.write(
      `installed: ${fs.readdirSync(installedDir).filter((name) => !name.startsWith(".")).length} ` +
        `top-level package(s), ${packages} in npm ls --all, ${(Number(du) / 1024).toFixed(1)} MB\n`,
    );
    const installed = path.join(installedDir, "zmq-napi");
    if (fs.existsSync(path.join(installed, "build")))
      throw new Error("the install built from source although a prebuild matched");
    const unresolved = packing.unresolvedSourceMaps(installed);
    if (unresolved.length)
      throw new Error(`source maps name missing sources:\n${unresolved.slice(0, 5).join("\n")}`);

    step("load it with require() and import");
    const cjs = capture(
      process.execPath,
      [
        "-e",
        "const z=require('zmq-napi');const v5=require('zmq-napi/v5-compat');if(typeof v5.socket!=='function')throw new Error('zmq-napi/v5-compat has no socket()');const d=require('path').dirname(require.resolve('zmq-napi/package.json'));const p=require(require.resolve('node-gyp-build',{paths:[d]})).path(d);console.log(JSON.stringify({version:z.version,capability:z.capability,binary:p}))",
      ],
      { cwd: consumer, env },
    );
    const esm = capture(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "import {version, capability} from 'zmq-napi'; import v5 from 'zmq-napi/v5-compat'; if (typeof v5.socket !== 'function') throw new Error('no v5 socket()'); console.log(JSON.stringify({version, capability}))",
      ],
      { cwd: consumer, env },
    );
    const loaded = JSON.parse(cjs);
    const imported = JSON.parse(esm);
    process.stdout.write(`require: ${cjs}import:  ${esm}`);
    if (loaded.version !== pinned || imported.version !== pinned)
      throw new Error(`wrong libzmq version: not the pinned ${pinned}`);
    if (!loaded.binary.includes(`${path.sep}prebuilds${path.sep}`))
      throw new Error("did not load the prebuild");
    packing.expectFullCapability(loaded.capability);
    process.stdout.write("\npacked release OK\n");
  } finally {
    if (keep) process.stdout.write(`kept ${stage}\n`);
    else fs.rmSync(stage, { recursive: true, force: true });
  }
}

packing.runCheck("test-packed", main);
