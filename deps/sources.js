"use strict";
// Obtains the pinned third-party source archives listed in versions.json and verifies each
// against its sha256 before anything uses it. No third-party source lives in git.
//
// Where an archive comes from, in order:
//   1. a local file named by an environment variable (ZMQ_NAPI_<LIB>_TARBALL for the source
//      archive, ZMQ_NAPI_<LIB>_PATCHES_TARBALL for Debian's patch set);
//   2. deps/archives/ in an installed package (not a git checkout), where `npm pack` puts every
//      pinned archive (`node deps/sources.js --pack`, the prepack script), so that an install
//      from the tarball needs no network and no apt;
//   3. the cache (ZMQ_NAPI_CACHE_DIR, default ~/.cache/zmq-napi/sources);
//   4. Debian's source packages through `apt-get source`, using a private deb-src list derived
//      from this machine's own apt configuration (so no mirror host is named here);
//   5. the upstream release URL, for machines outside Debian.
// A checksum mismatch anywhere is a hard error that names the file and both hashes.

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { fileURLToPath } = require("node:url");

const versions = require("./versions.json");

function log(message) {
  process.stderr.write(`[zmq-napi deps] ${message}\n`);
}

function cacheRoot() {
  if (process.env.ZMQ_NAPI_CACHE_DIR) return path.resolve(process.env.ZMQ_NAPI_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "zmq-napi");
}

// The archives a packed release carries (gitignored; filled by packArchives()). An installed
// package takes them from there; a git checkout keeps to its cache (deps/archives/ there is
// only what the last `npm pack` left, like lib/).
const packedDir = path.join(__dirname, "archives");
const isCheckout = fs.existsSync(path.join(__dirname, "..", ".git"));

function sha256Of(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

class ChecksumError extends Error {
  constructor(file, expected, actual, hint) {
    super(
      `checksum mismatch for ${file}\n  expected sha256 ${expected}\n  actual   sha256 ${actual}\n${hint}`,
    );
    this.name = "ChecksumError";
  }
}

function verify(file, expected, hint) {
  const actual = sha256Of(file);
  if (actual !== expected) throw new ChecksumError(file, expected, actual, hint);
}

function envName(lib, kind) {
  return `ZMQ_NAPI_${lib.toUpperCase()}_${kind === "patches" ? "PATCHES_" : ""}TARBALL`;
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: "utf8", ...options });
}

function hasCommand(command) {
  return run("sh", ["-c", `command -v ${command}`]).status === 0;
}

// Turns the machine's apt sources (deb822 *.sources files and one-line *.list files) into
// deb-src entries in a private directory, so apt-get can fetch source packages without
// touching the system's configuration.
function writePrivateSourceList(aptDir) {
  const entries = [];
  const etc = "/etc/apt";
  const listFiles = [];
  if (fs.existsSync(path.join(etc, "sources.list"))) listFiles.push(path.join(etc, "sources.list"));
  const partsDir = path.join(etc, "sources.list.d");
  if (fs.existsSync(partsDir)) {
    for (const name of fs.readdirSync(partsDir).sort()) listFiles.push(path.join(partsDir, name));
  }
  for (const file of listFiles) {
    const text = fs.readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      entries.push(text.replace(/^Types:.*$/gm, "Types: deb-src"));
    } else if (file.endsWith(".list") || file.endsWith("sources.list")) {
      const lines = text
        .split("\n")
        .filter((line) => /^\s*deb\s/.test(line))
        .map((line) => line.replace(/^\s*deb\s/, "deb-src "));
      if (lines.length) entries.push(lines.join("\n"));
    }
  }
  const sourcesFile = path.join(aptDir, "parts", "deb-src.sources");
  const oneLine = entries.filter((entry) => entry.startsWith("deb-src "));
  const deb822 = entries.filter((entry) => !entry.startsWith("deb-src "));
  fs.mkdirSync(path.join(aptDir, "parts"), { recursive: true });
  fs.mkdirSync(path.join(aptDir, "lists", "partial"), { recursive: true });
  fs.mkdirSync(path.join(aptDir, "archives", "partial"), { recursive: true });
  fs.writeFileSync(sourcesFile, deb822.join("\n\n") + "\n");
  fs.writeFileSync(path.join(aptDir, "parts", "deb-src.list"), oneLine.join("\n") + "\n");
  return entries.length > 0;
}

function aptOptions(aptDir) {
  return [
    "-o",
    "Dir::Etc::SourceList=/dev/null",
    "-o",
    `Dir::Etc::SourceParts=${path.join(aptDir, "parts")}`,
    "-o",
    `Dir::State::Lists=${path.join(aptDir, "lists")}`,
    "-o",
    `Dir::Cache=${aptDir}`,
    "-o",
    "Debug::NoLocking=1",
    "-o",
    "APT::Sandbox::User=root",
  ];
}

let aptReady = null;
function prepareApt() {
  if (aptReady !== null) return aptReady;
  aptReady = false;
  if (process.platform !== "linux" || !hasCommand("apt-get") || !fs.existsSync("/etc/apt")) {
    return false;
  }
  // A private apt directory per process: concurrent builds sharing a cache must not race on
  // one set of index files.
  const aptDir = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-apt-index-"));
  process.once("exit", () => fs.rmSync(aptDir, { recursive: true, force: true }));
  try {
    if (!writePrivateSourceList(aptDir)) return false;
  } catch (error) {
    log(`cannot read this machine's apt sources (${error.message}); skipping Debian sources`);
    return false;
  }
  log("updating a private deb-src index from this machine's apt configuration");
  const update = run("apt-get", [...aptOptions(aptDir), "-qq", "update"]);
  if (update.status !== 0) {
    log(`apt-get update failed; skipping Debian sources\n${update.stderr}`);
    return false;
  }
  aptReady = aptDir;
  return aptDir;
}

// Downloads a Debian source package (orig tarball, patch set, .dsc) into a scratch directory.
// apt checks every file against the signed index; we check the ones we use against our pins.
const aptDownloads = new Map();
function aptSourceDownload(debian) {
  const key = `${debian.source}=${debian.version}`;
  if (aptDownloads.has(key)) return aptDownloads.get(key);
  const aptDir = prepareApt();
  let dir = null;
  if (aptDir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-apt-"));
    const scratch = dir;
    process.once("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));
    for (const spec of [key, debian.source]) {
      log(`apt-get source --download-only ${spec}`);
      // A missing optional file (seen: a 404 for a .debian.tar.xz) fails the command, yet the
      // files that did arrive are good: callers check for the file they need.
      const result = run(
        "apt-get",
        [...aptOptions(aptDir), "-qq", "source", "--download-only", spec],
        {
          cwd: dir,
        },
      );
      if (fs.readdirSync(dir).some((name) => name.endsWith(".dsc"))) break;
      if (result.status !== 0) log(`apt-get source ${spec} failed:\n${result.stderr.trim()}`);
    }
  }
  aptDownloads.set(key, dir);
  return dir;
}

// Fetches `url` (http, https, or file: for local mirrors and tests) into `destination`.
async function download(url, destination) {
  log(`downloading ${url}`);
  if (url.startsWith("file:")) {
    try {
      fs.copyFileSync(fileURLToPath(url), destination);
    } catch (error) {
      throw new Error(`download of ${url} failed: ${error.message}`, { cause: error });
    }
    return;
  }
  let response;
  try {
    response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new Error(`download of ${url} failed: ${error.cause?.message ?? error.message}`, {
      cause: error,
    });
  }
  if (!response.ok) throw new Error(`download of ${url} failed: HTTP ${response.status}`);
  fs.writeFileSync(destination, Buffer.from(await response.arrayBuffer()));
}

// Puts a checked file into the cache as `name`, through a rename so that a concurrent build
// never sees half a file.
function intoCache(file, name) {
  const dir = path.join(cacheRoot(), "sources");
  fs.mkdirSync(dir, { recursive: true });
  const cached = path.join(dir, name);
  const partial = `${cached}.partial-${crypto.randomBytes(6).toString("hex")}`;
  fs.copyFileSync(file, partial);
  fs.renameSync(partial, cached);
  return cached;
}

/**
 * Returns the path of a verified archive in the cache, obtaining it if needed.
 * @param {string} lib key in versions.json
 * @param {"archive"|"patches"} kind the source archive or Debian's patch set
 * @returns {Promise<string|null>} null only for a patch set that could not be obtained
 */
async function obtain(lib, kind) {
  const entry = versions[lib];
  const artifact = kind === "patches" ? entry.debian.patches : entry.archive;
  if (!artifact) return null;
  const dir = path.join(cacheRoot(), "sources");
  fs.mkdirSync(dir, { recursive: true });
  const cached = path.join(dir, artifact.file);
  const partial = `${cached}.partial-${crypto.randomBytes(6).toString("hex")}`;
  const adopt = (file, origin) => {
    verify(file, artifact.sha256, `(from ${origin}; not used)`);
    return intoCache(file, artifact.file);
  };

  const local = process.env[envName(lib, kind)];
  if (local) {
    log(`${artifact.file}: using ${local} (${envName(lib, kind)})`);
    return adopt(path.resolve(local), envName(lib, kind));
  }

  const packed = path.join(packedDir, artifact.file);
  if (!isCheckout && fs.existsSync(packed)) {
    verify(
      packed,
      artifact.sha256,
      "The copy packed with zmq-napi is corrupt or not the pinned release: reinstall the package.",
    );
    log(`${artifact.file}: packed with zmq-napi (sha256 verified)`);
    return packed;
  }

  if (fs.existsSync(cached)) {
    verify(
      cached,
      artifact.sha256,
      "The cached copy is corrupt or not the pinned release. Delete it to fetch it again.",
    );
    return cached;
  }

  const debianDir = aptSourceDownload(entry.debian);
  if (debianDir && fs.existsSync(path.join(debianDir, artifact.file))) {
    return adopt(path.join(debianDir, artifact.file), "apt-get source");
  }

  let upstreamError = "";
  if (kind === "archive" && artifact.upstream) {
    try {
      await download(artifact.upstream, partial);
      verify(partial, artifact.sha256, `(downloaded from ${artifact.upstream}; not used)`);
      fs.renameSync(partial, cached);
      return cached;
    } catch (error) {
      fs.rmSync(partial, { force: true });
      if (error instanceof ChecksumError) throw error;
      upstreamError = `; ${error.message}`;
    }
  }

  if (kind === "patches") return null;
  throw new Error(
    `cannot obtain ${artifact.file} (${lib} ${entry.version}): not in the cache, no Debian ` +
      `source package reachable${upstreamError}.\n` +
      `Download it yourself and point ${envName(lib, kind)} at it (sha256 ${artifact.sha256}).`,
  );
}

// The archives (and Debian patch sets) versions.json pins, in the order of its libraries.
function pinnedArtifacts() {
  return Object.keys(versions)
    .filter((key) => !key.startsWith("/"))
    .flatMap((lib) => [
      { lib, kind: "archive", artifact: versions[lib].archive },
      { lib, kind: "patches", artifact: versions[lib].debian.patches },
    ])
    .filter(({ artifact }) => artifact);
}

/**
 * Fills deps/archives/ with exactly the pinned archives, each obtained and verified as a build
 * would, so that `npm pack` carries them ("files" lists the directory). Files from an older pin
 * are removed. A patch set that cannot be obtained fails, as a build without it would.
 * @returns {Promise<string[]>} the files now in deps/archives/
 */
async function packArchives() {
  fs.mkdirSync(packedDir, { recursive: true });
  const wanted = new Set();
  for (const { lib, kind, artifact } of pinnedArtifacts()) {
    const target = path.join(packedDir, artifact.file);
    wanted.add(artifact.file);
    if (fs.existsSync(target) && sha256Of(target) === artifact.sha256) continue;
    fs.rmSync(target, { force: true });
    const file = await obtain(lib, kind);
    if (!file) throw new Error(`cannot obtain ${artifact.file} (${lib}'s Debian patch set)`);
    fs.copyFileSync(file, target);
    verify(target, artifact.sha256, "(copied into deps/archives; not packed)");
  }
  for (const name of fs.readdirSync(packedDir)) {
    if (!wanted.has(name)) fs.rmSync(path.join(packedDir, name), { recursive: true, force: true });
  }
  return [...wanted].sort();
}

module.exports = {
  obtain,
  packArchives,
  pinnedArtifacts,
  packedDir,
  aptSourceDownload,
  download,
  intoCache,
  cacheRoot,
  sha256Of,
  verify,
  envName,
  log,
  ChecksumError,
  versions,
};

if (require.main === module) {
  // `node deps/sources.js [lib …]` fetches and verifies sources without building;
  // `node deps/sources.js --pack` fills deps/archives/ for `npm pack`.
  if (process.argv[2] === "--pack") {
    packArchives().then(
      (files) => log(`deps/archives: ${files.join(", ")}`),
      (error) => {
        log(error.message);
        process.exit(1);
      },
    );
  } else {
    fetchSources(process.argv.slice(2));
  }
}

function fetchSources(wanted) {
  const libraries = Object.keys(versions).filter((key) => !key.startsWith("/"));
  (async () => {
    for (const lib of wanted.length ? wanted : libraries) {
      if (!libraries.includes(lib)) throw new Error(`unknown library ${lib}`);
      for (const kind of ["archive", "patches"]) {
        const file = await obtain(lib, kind);
        if (file) log(`ok ${path.basename(file)}`);
      }
    }
  })().catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
