"use strict";
// Builds libsodium, OpenPGM and libzmq as static, position-independent libraries into a
// prefix in the cache, and prints that prefix. The prefix is keyed by everything that shapes
// the result (pins, recipes, this script, the compiler, the platform), so a second build
// reuses it without fetching or compiling, and a changed recipe builds afresh.
//
//   node deps/build.js [--prefix-file FILE] [--sanitize FLAGS] [--toolchain FILE]
//
// The top-level CMakeLists.txt runs this at configure time. --sanitize (ZMQ_NAPI_SANITIZE=ON,
// `npm run build:asan`) compiles all three with those compiler flags (AddressSanitizer and
// UndefinedBehaviorSanitizer) into a prefix of its own, so the normal build's cache is untouched.
// --toolchain cross-compiles them with a CMake toolchain file (deps/toolchains/<target>.cmake,
// the one the addon is configured with) into a prefix named after the file's target.

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { obtain, cacheRoot, log, versions } = require("./sources");

const LIBRARIES = ["libsodium", "openpgm", "libzmq"];

// libzmq's own CMake options. TLS/NSS/libbsd/NORM are forced off so that headers that happen
// to be on the build machine do not add dynamic dependencies to the addon.
const LIBZMQ_OPTIONS = {
  BUILD_SHARED: "OFF",
  BUILD_STATIC: "ON",
  BUILD_TESTS: "OFF",
  WITH_DOCS: "OFF",
  ENABLE_CPACK: "OFF",
  ENABLE_DRAFTS: "ON",
  ENABLE_CURVE: "ON",
  WITH_LIBSODIUM: "ON",
  WITH_LIBSODIUM_STATIC: "ON",
  WITH_OPENPGM: "ON",
  OPENPGM_PKGCONFIG_NAME: "openpgm-5.3",
  WITH_TLS: "OFF",
  WITH_NSS: "OFF",
  WITH_LIBBSD: "OFF",
  WITH_NORM: "OFF",
  WITH_VMCI: "OFF",
  ZMQ_BUILD_TESTS: "OFF",
  // No fork detection: with it, libzmq calls getpid() (a system call since glibc 2.25) on
  // every signal it sends or waits for, about ten per round trip. It only protects a forked
  // child that goes on using its parent's sockets, and no JavaScript runtime can fork without
  // exec. Presetting the cache variable skips libzmq's check for fork().
  HAVE_FORK: "OFF",
};

// What libzmq's configuration must show; it falls back silently otherwise (tweetnacl instead
// of libsodium, no draft sockets). OpenPGM is passed as a compiler flag, not through
// platform.hpp, so it is checked in the CMake cache.
const REQUIRED_PLATFORM_DEFINES = ["ZMQ_USE_LIBSODIUM", "ZMQ_BUILD_DRAFT_API"];
// What it must not show (LIBZMQ_OPTIONS says why).
const FORBIDDEN_PLATFORM_DEFINES = ["HAVE_FORK"];
const REQUIRED_CACHE_ENTRIES = ["OPENPGM_FOUND:INTERNAL=1"];

// A win32 target (deps/toolchains/win32-*.cmake): OpenPGM's recipe and the addon's pgm:// checks
// are POSIX-only, so Windows builds go without pgm/epgm (capability.pgm is false there).
function isWindowsTarget(toolchain) {
  return Boolean(toolchain) && path.basename(toolchain).startsWith("win32-");
}

function librariesFor(toolchain) {
  return isWindowsTarget(toolchain) ? LIBRARIES.filter((lib) => lib !== "openpgm") : LIBRARIES;
}

// What a win32 target changes in libzmq's options: no OpenPGM, and the I/O threads' poller
// named (wepoll, libzmq's choice under MSVC; its autodetection under mingw would settle for
// select()).
const LIBZMQ_WIN32_OPTIONS = { WITH_OPENPGM: "OFF", POLLER: "epoll" };

function libzmqOptions(toolchain) {
  return isWindowsTarget(toolchain)
    ? { ...LIBZMQ_OPTIONS, ...LIBZMQ_WIN32_OPTIONS }
    : LIBZMQ_OPTIONS;
}

const PERF_TOOLS = [
  "local_lat",
  "remote_lat",
  "local_thr",
  "remote_thr",
  "inproc_lat",
  "inproc_thr",
];

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
  }
}

function capture(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

function cmakeGenerator() {
  return spawnSync("ninja", ["--version"]).status === 0 ? ["-G", "Ninja"] : [];
}

// The compilers a toolchain file names (`set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)`).
function toolchainCompilers(text) {
  return [...text.matchAll(/set\(CMAKE_(?:C|CXX)_COMPILER\s+([^\s)]+)/g)].map((match) => match[1]);
}

function buildKey(sanitize, toolchain) {
  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify(versions));
  hash.update(JSON.stringify(libzmqOptions(toolchain)));
  if (sanitize) hash.update(`sanitize ${sanitize}`);
  for (const file of [
    "build.js",
    "libsodium/CMakeLists.txt",
    "openpgm/CMakeLists.txt",
    ...ownPatches(undefined, sanitize),
  ]) {
    hash.update(fs.readFileSync(path.join(__dirname, file)));
  }
  if (toolchain) {
    const text = fs.readFileSync(toolchain, "utf8");
    hash.update(text);
    for (const compiler of toolchainCompilers(text)) hash.update(capture(compiler, ["--version"]));
  } else {
    hash.update(capture(process.env.CC || "cc", ["--version"]));
    hash.update(capture(process.env.CXX || "c++", ["--version"]));
  }
  const target = toolchain
    ? path.basename(toolchain, ".cmake")
    : `${process.platform}-${process.arch}`;
  hash.update(target);
  const flavour = sanitize ? "-sanitize" : "";
  return `${target}${flavour}-${hash.digest("hex").slice(0, 16)}`;
}

// Our own fixes to the vendored sources (deps/patches/<lib>-*.patch), applied after Debian's;
// sanitizer builds would add deps/patches/sanitize/<lib>-*.patch (fixes only they need; none now).
function ownPatches(lib, sanitize = "") {
  const dirs = sanitize ? ["patches", path.join("patches", "sanitize")] : ["patches"];
  return dirs.flatMap((dir) => {
    const full = path.join(__dirname, dir);
    if (!fs.existsSync(full)) return [];
    return fs
      .readdirSync(full)
      .filter(
        (name) => name.endsWith(".patch") && (lib === undefined || name.startsWith(`${lib}-`)),
      )
      .sort()
      .map((name) => path.join(dir, name));
  });
}

function extract(archive, into) {
  fs.mkdirSync(into, { recursive: true });
  sh("tar", ["-xf", archive, "-C", into]);
}

// Applies a Debian patch set (debian/patches/series, in order) to an unpacked source tree.
function applyDebianPatches(patchArchive, sourceDir, scratch) {
  const patchRoot = path.join(scratch, "debian-patches");
  extract(patchArchive, patchRoot);
  const patchesDir = path.join(patchRoot, "debian", "patches");
  const seriesFile = path.join(patchesDir, "series");
  if (!fs.existsSync(seriesFile)) return [];
  const series = fs
    .readFileSync(seriesFile, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
  for (const name of series) {
    const [file, ...flags] = name.split(/\s+/);
    sh("patch", [
      "-s",
      "-N",
      flags[0] || "-p1",
      "-d",
      sourceDir,
      "-i",
      path.join(patchesDir, file),
    ]);
  }
  return series;
}

function cmakeBuild(sourceDir, buildDir, prefix, defines, env = process.env) {
  const args = ["-S", sourceDir, "-B", buildDir, ...cmakeGenerator(), "-Wno-dev"];
  const all = {
    CMAKE_BUILD_TYPE: "Release",
    CMAKE_INSTALL_PREFIX: prefix,
    CMAKE_INSTALL_LIBDIR: "lib",
    CMAKE_POSITION_INDEPENDENT_CODE: "ON",
    CMAKE_PREFIX_PATH: prefix,
    ...defines,
  };
  for (const [key, value] of Object.entries(all)) args.push(`-D${key}=${value}`);
  // Progress, one line per step: "libzmq 4.3.4: build (1 min 12 s in)".
  const lib = path.basename(buildDir).replace(/^build-/, "");
  const step = (name) => log(`${lib} ${versions[lib]?.version ?? ""}: ${name} (${elapsed()} in)`);
  step("configure");
  sh("cmake", args, { env });
  step("build");
  sh(
    "cmake",
    ["--build", buildDir, "--parallel", String(os.availableParallelism?.() ?? os.cpus().length)],
    { env },
  );
  step("install");
  sh("cmake", ["--install", buildDir], { env, stdio: ["ignore", "ignore", "inherit"] });
}

const depsStarted = Date.now();
function elapsed() {
  const total = Math.round((Date.now() - depsStarted) / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${total % 60} s`;
}

function checkPlatformHeader(buildDir, toolchain) {
  const header = fs.readFileSync(path.join(buildDir, "platform.hpp"), "utf8");
  const defines = (name) => new RegExp(`^#define ${name}\\b`, "m").test(header);
  const missing = REQUIRED_PLATFORM_DEFINES.filter((name) => !defines(name));
  const forbidden = FORBIDDEN_PLATFORM_DEFINES.filter(defines);
  if (forbidden.length) {
    throw new Error(`libzmq was configured with ${forbidden.join(", ")} (see ${buildDir})`);
  }
  const cache = fs.readFileSync(path.join(buildDir, "CMakeCache.txt"), "utf8");
  const entries = isWindowsTarget(toolchain) ? [] : REQUIRED_CACHE_ENTRIES;
  missing.push(...entries.filter((entry) => !cache.split("\n").includes(entry)));
  if (missing.length) {
    throw new Error(`libzmq was configured without ${missing.join(", ")} (see ${buildDir})`);
  }
}

// Checks a library opts out of in sanitizer builds, each for a reason that is the library's own
// design, not a bug that could bite on the platforms we build for. Both read and write words
// through pointers of lesser alignment on purpose, which x86 allows: libsodium in its SIMD code
// (crypto_stream/salsa20/xmm6int/u1.h:187, uint32_t at any address), OpenPGM on packet headers
// in place (pgm_tsi_equal() in tsi.c:121, an 8-byte-aligned union at a 4-byte-aligned TSI).
// Every other check, and AddressSanitizer, stays on for them.
const SANITIZER_OPT_OUTS = {
  libsodium: "-fno-sanitize=alignment",
  openpgm: "-fno-sanitize=alignment",
};

// CMake definitions that compile `lib` with the sanitizer flags. RelWithDebInfo: -O2 keeps the
// build and the run fast enough for CI, -g gives the reports file and line numbers.
function sanitizerDefines(sanitize, lib) {
  if (!sanitize) return {};
  const flags = [sanitize, SANITIZER_OPT_OUTS[lib]].filter(Boolean).join(" ");
  return {
    CMAKE_BUILD_TYPE: "RelWithDebInfo",
    CMAKE_C_FLAGS: flags,
    CMAKE_CXX_FLAGS: flags,
    CMAKE_EXE_LINKER_FLAGS: flags,
    CMAKE_SHARED_LINKER_FLAGS: flags,
  };
}

// The toolchain file for every CMake build of a cross-compilation.
function targetDefines(toolchain) {
  return toolchain ? { CMAKE_TOOLCHAIN_FILE: toolchain } : {};
}

async function buildInto(prefix, scratch, sanitize, toolchain) {
  const sources = {};
  const libraries = librariesFor(toolchain);
  for (const lib of libraries) {
    const archive = await obtain(lib, "archive");
    const patches = await obtain(lib, "patches");
    const meta = versions[lib];
    if (!patches && meta.debian.patches && meta.debian.patches.required) {
      if (process.env.ZMQ_NAPI_ALLOW_UNPATCHED !== "1") {
        throw new Error(
          `Debian's patch set for ${lib} (${meta.debian.patches.file}) could not be obtained. ` +
            `Point ZMQ_NAPI_${lib.toUpperCase()}_PATCHES_TARBALL at it, or set ` +
            `ZMQ_NAPI_ALLOW_UNPATCHED=1 to build without its fixes.`,
        );
      }
      log(`WARNING: building ${lib} without Debian's patches`);
    }
    extract(archive, path.join(scratch, "src"));
    const sourceDir = path.join(scratch, "src", meta.archive.topdir);
    if (patches) {
      const applied = applyDebianPatches(patches, sourceDir, path.join(scratch, lib));
      log(`${lib}: applied ${applied.length} Debian patches (${applied.join(", ")})`);
    }
    for (const patch of ownPatches(lib, sanitize)) {
      sh("patch", ["-s", "-N", "-p1", "-d", sourceDir, "-i", path.join(__dirname, patch)]);
      log(`${lib}: applied ${path.basename(patch)}`);
    }
    sources[lib] = sourceDir;
    const licenseDir = path.join(prefix, "licenses", lib);
    fs.mkdirSync(licenseDir, { recursive: true });
    for (const file of meta.licenseFiles) {
      fs.copyFileSync(path.join(sourceDir, file), path.join(licenseDir, path.basename(file)));
    }
  }

  const started = Date.now();
  for (const lib of libraries.filter((name) => name !== "libzmq")) {
    cmakeBuild(path.join(__dirname, lib), path.join(scratch, `build-${lib}`), prefix, {
      SOURCE_DIR: sources[lib],
      ...sanitizerDefines(sanitize, lib),
      ...targetDefines(toolchain),
    });
  }

  const zmqBuild = path.join(scratch, "build-libzmq");
  const pkgConfigPath = [path.join(prefix, "lib", "pkgconfig"), process.env.PKG_CONFIG_PATH]
    .filter(Boolean)
    .join(path.delimiter);
  cmakeBuild(
    sources.libzmq,
    zmqBuild,
    prefix,
    {
      ...libzmqOptions(toolchain),
      // Point libzmq at our libsodium explicitly: a system copy must never be picked up.
      SODIUM_INCLUDE_DIRS: path.join(prefix, "include"),
      SODIUM_LIBRARIES: path.join(prefix, "lib", "libsodium.a"),
      CMAKE_FIND_PACKAGE_PREFER_CONFIG: "OFF",
      ...sanitizerDefines(sanitize, "libzmq"),
      ...targetDefines(toolchain),
    },
    { ...process.env, PKG_CONFIG_PATH: pkgConfigPath, PKG_CONFIG_LIBDIR: pkgConfigPath },
  );
  checkPlatformHeader(zmqBuild, toolchain);
  if (sanitize || toolchain) {
    // Only the benchmark uses the perf tools, and it runs against the normal, native build.
    log(`dependencies built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }

  // libzmq's CMake builds its perf tools only beside a shared library; the benchmark wants
  // them linked against the same static libzmq as the addon, so compile them here.
  const bin = path.join(prefix, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const libs = ["zmq", "pgm", "sodium"].map((lib) => path.join(prefix, "lib", `lib${lib}.a`));
  for (const tool of PERF_TOOLS) {
    sh(process.env.CXX || "c++", [
      "-O2",
      "-DZMQ_STATIC",
      "-I",
      path.join(prefix, "include"),
      "-I",
      zmqBuild,
      path.join(sources.libzmq, "perf", `${tool}.cpp`),
      "-o",
      path.join(bin, tool),
      ...libs,
      "-lpthread",
      "-lrt",
      "-lm",
    ]);
  }
  log(`dependencies built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function ensureBuilt(sanitize = "", toolchain = "") {
  const root = path.join(cacheRoot(), "build");
  const prefix = path.join(root, buildKey(sanitize, toolchain));
  if (fs.existsSync(path.join(prefix, ".complete"))) {
    log(`using cached dependencies in ${prefix}`);
    return prefix;
  }
  fs.mkdirSync(root, { recursive: true });
  // Build beside the final place and rename at the end, so an interrupted or concurrent build
  // never leaves a half-built prefix that looks complete.
  const staging = `${prefix}.staging-${crypto.randomBytes(6).toString("hex")}`;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-deps-"));
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    await buildInto(staging, scratch, sanitize, toolchain);
    fs.writeFileSync(path.join(staging, ".complete"), new Date().toISOString() + "\n");
    try {
      fs.renameSync(staging, prefix);
    } catch (error) {
      if (!fs.existsSync(path.join(prefix, ".complete"))) throw error;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return prefix;
}

module.exports = { ensureBuilt, LIBRARIES };

if (require.main === module) {
  const fileFlag = process.argv.indexOf("--prefix-file");
  const sanitizeFlag = process.argv.indexOf("--sanitize");
  const toolchainFlag = process.argv.indexOf("--toolchain");
  ensureBuilt(
    sanitizeFlag > 0 ? process.argv[sanitizeFlag + 1].trim() : "",
    toolchainFlag > 0 ? path.resolve(process.argv[toolchainFlag + 1]) : "",
  )
    .then((prefix) => {
      if (fileFlag > 0) fs.writeFileSync(process.argv[fileFlag + 1], prefix);
      process.stdout.write(`${prefix}\n`);
    })
    .catch((error) => {
      log(`error: ${error.message}`);
      process.exit(1);
    });
}
