"use strict";
// The release path, end to end: build a prebuild in a clean copy of the tracked files, pack it,
// install the tarball into an empty project whose PATH has no compiler or cmake, and load it
// with require() and import. Exits non-zero (with the reason) when any step fails.
//
//   node scripts/test-packed.js [--keep]

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync, execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const pinned = require("../deps/versions.json").libzmq.version;
const keep = process.argv.includes("--keep");

function step(name) {
  process.stdout.write(`\n== ${name}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

function capture(command, args, options = {}) {
  return execFileSync(command, args, { encoding: "utf8", ...options });
}

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

function main() {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-pack-"));
  try {
    step("copy the tracked files into a clean tree");
    const tree = path.join(stage, "tree");
    const files = capture("git", ["ls-files", "-z"], { cwd: root }).split("\0").filter(Boolean);
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      fs.copyFileSync(path.join(root, file), path.join(tree, file));
      fs.chmodSync(path.join(tree, file), fs.statSync(path.join(root, file)).mode);
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));

    step("prebuild (prebuildify through the cmake-js shim)");
    // This machine's prebuild only: the cross targets have tests of their own
    // (scripts/test-prebuild-arm64.js).
    run(process.execPath, ["scripts/prebuild.js", "--arch", process.arch], { cwd: tree });
    run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: tree,
    });
    // The declarations for compilers before 5.4 (typesVersions), as npm run build:ts makes them.
    run(process.execPath, ["scripts/downlevel-types.js"], { cwd: tree });

    step("npm pack");
    const packed = JSON.parse(
      capture("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", stage], {
        cwd: tree,
      }),
    )[0];
    const tarball = path.join(stage, packed.filename);
    const names = packed.files.map((file) => file.path);
    const expect = [
      (name) => /^prebuilds\/[^/]+\/.+\.node$/.test(name),
      (name) => name === "lib/index.js",
      (name) => name === "lib/index.mjs",
      (name) => name === "lib/index.d.ts",
      (name) => name === "lib/v5-compat.js",
      (name) => name === "lib/ts3.7/index.d.ts",
      (name) => name === "lib/package.json",
      (name) => name === "LICENSE",
      (name) => name.startsWith("licenses/libzmq/"),
      (name) => name.startsWith("licenses/openpgm/"),
      (name) => name.startsWith("licenses/libsodium/"),
    ];
    const missing = expect.filter((test) => !names.some(test));
    if (missing.length) throw new Error(`tarball lacks expected files:\n${missing.join("\n")}`);
    const stray = names.filter((name) => /(^|\/)(build|node_modules)\/|\.(o|a)$/.test(name));
    if (stray.length) throw new Error(`tarball carries build output: ${stray.join(", ")}`);
    process.stdout.write(`${packed.filename}: ${names.length} files, ${packed.size} bytes\n`);

    step("install the tarball into an empty project, with no compiler on PATH");
    const consumer = path.join(stage, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true }),
    );
    const PATH = compilerFreePath(path.join(stage, "bin"));
    const env = { ...process.env, PATH };
    delete env.CC;
    delete env.CXX;
    for (const tool of ["cc", "gcc", "g++", "c++", "cmake", "make", "ninja"]) {
      const found = spawnSync("/bin/sh", ["-c", `command -v ${tool}`], { env }).status === 0;
      if (found) throw new Error(`${tool} is still reachable on the restricted PATH`);
    }
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
      cwd: consumer,
      env,
    });

    step("load it with require() and import");
    const cjs = capture(
      process.execPath,
      [
        "-e",
        "const z=require('zmq-napi');const v5=require('zmq-napi/v5-compat');if(typeof v5.socket!=='function')throw new Error('zmq-napi/v5-compat has no socket()');const p=require('node-gyp-build').path(require('path').dirname(require.resolve('zmq-napi/package.json')));console.log(JSON.stringify({version:z.version,capability:z.capability,binary:p}))",
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
    for (const key of ["pgm", "curve", "draft"]) {
      if (!loaded.capability[key]) throw new Error(`capability.${key} is false`);
    }
    process.stdout.write("\npacked release OK\n");
  } finally {
    if (keep) process.stdout.write(`kept ${stage}\n`);
    else fs.rmSync(stage, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`test-packed: ${error.message}\n`);
  process.exit(1);
}
