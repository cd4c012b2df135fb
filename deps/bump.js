"use strict";
// Moves one vendored library to another release and regenerates what depends on its pin:
//   1. fetches the release's source archive (Debian's orig tarball through `apt-get source`, and
//      the upstream URL derived from the current pin; where both exist they must be the same
//      bytes, since sources.js checks either against one sha256) and Debian's patch set;
//   2. checks them: against the expected sha256 (--sha256, or the current pin when the release
//      stays the same), and that the archive unpacks into one directory holding the licence
//      files build.js copies;
//   3. prints the sha256 to pin, puts the archives in the cache, and rewrites the library's entry
//      in versions.json and the documentation that states the version (STATEMENTS below);
//   4. lists the other text that names the old release: facts about that release (audits,
//      observed behaviour, patch headers) that someone has to re-check against the new one.
// Nothing is written unless every check passed.
//
//   node deps/bump.js <library> <version> --debian <debian-version> [options]
//
//   --debian V      Debian's source package version of the release, e.g. 1.2.3-1 (`apt-cache
//                   showsrc <source>` lists them); it names the patch set
//   --archive SRC   take the source archive from SRC (a path, or a file:, http: or https: URL)
//                   instead of apt and upstream
//   --patches SRC   take Debian's patch set from SRC instead of apt
//   --sha256 HEX    the archive's expected sha256 (as upstream publishes it): refuse any other
//   --no-apt        do not ask apt (machines outside Debian)
//   --dry-run       fetch and check, print what would change, write nothing

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { aptSourceDownload, download, intoCache, sha256Of, ChecksumError } = require("./sources");

const root = path.join(__dirname, "..");
const PINS = "deps/versions.json";

// Text that states a pinned version as the one zmq-napi ships; `{lib}` is the version of `lib`
// in versions.json. A bump rewrites these, and test/deps-bump.test.ts checks that each is there
// with the pinned versions. Other text naming a release states a fact about that release.
const STATEMENTS = [
  { file: "README.md", text: "**libzmq {libzmq} vendored**" },
  { file: "README.md", text: "CURVE (libsodium {libsodium})" },
  { file: "README.md", text: "OpenPGM {openpgm} (`pgm://`" },
  { file: "README.md", text: "// {libzmq} { ipc:" },
  {
    file: "docs/guides/coming-from-zeromq.md",
    text: 'zmq-napi links libzmq {libzmq}, so `version` is `"{libzmq}"`',
  },
];

// Records of what was measured with which release: neither rewritten nor listed.
const RECORDS = ["docs/benchmarks/", "docs/benchmark.md", "docs/api/", "package-lock.json", PINS];
const SKIPPED_DIRECTORIES = new Set(["node_modules", "build", "lib", "prebuilds", "licenses"]);

const USAGE =
  "usage: node deps/bump.js <library> <version> --debian <debian-version> " +
  "[--archive SRC] [--patches SRC] [--sha256 HEX] [--no-apt] [--dry-run]";

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { apt: true, dryRun: false };
  const valued = {
    "--debian": "debian",
    "--archive": "archive",
    "--patches": "patches",
    "--sha256": "sha256",
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (Object.hasOwn(valued, arg)) {
      if (i + 1 === argv.length) throw new UsageError(`${arg} needs a value`);
      options[valued[arg]] = argv[++i];
    } else if (arg === "--no-apt") options.apt = false;
    else if (arg === "--dry-run") options.dryRun = true;
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new UsageError("expected a library and a version");
  [options.lib, options.version] = positional;
  return options;
}

const withoutEpoch = (debianVersion) => debianVersion.replace(/^\d+:/, "");
const upstreamPart = (debianVersion) => withoutEpoch(debianVersion).replace(/-[^-]*$/, "");

function validate(options, entry) {
  const { lib, version, debian } = options;
  if (!/^[0-9][0-9A-Za-z.+~]*$/.test(version)) {
    throw new UsageError(`"${version}" is not a release version (such as 4.3.5)`);
  }
  if (entry.debian && debian === undefined) {
    throw new UsageError(
      `--debian is required: the version of Debian's ${entry.debian.source} package for ` +
        `${lib} ${version}, such as ${version}-1 (\`apt-cache showsrc ${entry.debian.source}\`)`,
    );
  }
  if (debian !== undefined) {
    const upstream = upstreamPart(debian);
    const rest = upstream.slice(version.length);
    if (
      !/^(\d+:)?[0-9][0-9A-Za-z.+~-]*$/.test(debian) ||
      !upstream.startsWith(version) ||
      !/^([~+].*)?$/.test(rest)
    ) {
      throw new UsageError(`--debian ${debian} is not a Debian version of ${lib} ${version}`);
    }
  }
  if (options.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.sha256)) {
    throw new UsageError(`--sha256 takes 64 hexadecimal digits, not "${options.sha256}"`);
  }
}

// The new release's entry, before its archives are seen: each name that carried the old version
// carries the new one.
function nextEntry(lib, entry, version, debianVersion) {
  const rename = (value, from, to, what) => {
    if (value === null || from === to) return value;
    if (!value.includes(from)) {
      throw new Error(`cannot name ${what} of ${lib} ${version}: "${value}" has no ${from} in it`);
    }
    return value.split(from).join(to);
  };
  const next = structuredClone(entry);
  next.version = version;
  next.archive.file = rename(entry.archive.file, entry.version, version, "the archive");
  next.archive.topdir = rename(entry.archive.topdir, entry.version, version, "the top directory");
  next.archive.upstream = rename(entry.archive.upstream, entry.version, version, "the URL");
  if (entry.debian) {
    next.debian.version = debianVersion;
    if (entry.debian.patches) {
      const [from, to] = [entry.debian.version, debianVersion].map(withoutEpoch);
      next.debian.patches.file = rename(entry.debian.patches.file, from, to, "the patch set");
    }
  }
  return next;
}

// versions.json as prettier writes it: two-space indents, arrays of plain values on one line.
function serialisePins(pins) {
  const text = JSON.stringify(pins, null, 2).replace(
    /\[\n\s*([^[\]{}]*?)\n\s*\]/g,
    (_, items) => `[${items.split(/,\n\s*/).join(", ")}]`,
  );
  return `${text}\n`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// A statement as a pattern with the given versions (library → version). Any run of white space
// matches any other, as prose gets re-wrapped; each version is a group of its own, so that a
// bump replaces the versions only.
function statementPattern(text, versions) {
  const libraries = [];
  let source = "";
  for (const part of text.split(/(\{\w+\})/)) {
    const lib = /^\{(\w+)\}$/.exec(part)?.[1];
    if (lib === undefined) {
      source += part.split(/\s+/).map(escapeRegExp).join("\\s+");
    } else {
      if (versions[lib] === undefined) throw new Error(`statement "${text}": no library ${lib}`);
      libraries.push(lib);
      source += `(${escapeRegExp(versions[lib])})`;
    }
  }
  return { regex: new RegExp(source, "gd"), libraries };
}

function libraryVersions(pins) {
  return Object.fromEntries(
    Object.keys(pins)
      .filter((key) => !key.startsWith("/"))
      .map((lib) => [lib, pins[lib].version]),
  );
}

/** The STATEMENTS not found under `dir` with the versions pinned there, as readable lines. */
function missingStatements(dir = root) {
  const versions = libraryVersions(JSON.parse(fs.readFileSync(path.join(dir, PINS), "utf8")));
  return STATEMENTS.filter(({ file, text }) => {
    const content = fs.readFileSync(path.join(dir, file), "utf8");
    return !statementPattern(text, versions).regex.test(content);
  }).map(({ file, text }) => `${file}: ${text.replace(/\{(\w+)\}/g, (_, lib) => versions[lib])}`);
}

// `content` with `lib`'s version in every statement of `statements` changed to `version`.
function rewriteStatements(content, statements, versions, lib, version) {
  for (const { file, text } of statements) {
    const { regex, libraries } = statementPattern(text, versions);
    const matches = [...content.matchAll(regex)];
    if (matches.length === 0) {
      throw new Error(
        `${file} no longer says "${text}" with ${lib} ${versions[lib]}: ` +
          `make the text and STATEMENTS in deps/bump.js agree`,
      );
    }
    for (const match of matches.reverse()) {
      const spans = libraries.map((name, i) => [name, match.indices[i + 1]]).reverse();
      for (const [name, [start, end]] of spans) {
        if (name === lib) content = content.slice(0, start) + version + content.slice(end);
      }
    }
  }
  return content;
}

// Every text file of the tree, as paths relative to it, without build output and dot files.
function treeFiles(dir = "") {
  const found = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.posix.join(dir, entry.name);
    if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    if (entry.isDirectory()) found.push(...treeFiles(relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

// Lines that name `version` as a release ("1.2.3", "v1.2.3", "libfoo-1.2.3"; not "11.2.3").
function mentions(version) {
  const pattern = new RegExp(`(?<![0-9.])${escapeRegExp(version)}(?![0-9]|\\.[0-9])`);
  const found = [];
  for (const file of treeFiles()) {
    if (RECORDS.some((record) => file === record || file.startsWith(record))) continue;
    const bytes = fs.readFileSync(path.join(root, file));
    if (bytes.length > 1 << 20 || bytes.includes(0)) continue;
    bytes
      .toString("utf8")
      .split("\n")
      .forEach((line, index) => {
        if (pattern.test(line)) found.push(`${file}:${index + 1}: ${line.trim().slice(0, 110)}`);
      });
  }
  return found;
}

function listArchive(file) {
  const listing = spawnSync("tar", ["-tf", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (listing.status !== 0) {
    throw new Error(`${file} is not an archive tar can read: ${listing.stderr.trim()}`);
  }
  return listing.stdout
    .split("\n")
    .map((name) => name.replace(/^\.\//, "").replace(/\/$/, ""))
    .filter(Boolean);
}

// The one directory the archive unpacks into, holding the licence files build.js copies.
function archiveTopdir(file, origin, licenseFiles) {
  const names = listArchive(file);
  const tops = [...new Set(names.map((name) => name.split("/")[0]))];
  if (tops.length !== 1) {
    throw new Error(`${origin} unpacks into ${tops.slice(0, 4).join(", ")}, not one directory`);
  }
  const missing = licenseFiles.filter((name) => !names.includes(`${tops[0]}/${name}`));
  if (missing.length) {
    throw new Error(`${origin} has no ${missing.join(", ")} in ${tops[0]}/ (see licenseFiles)`);
  }
  return tops[0];
}

// Copies SRC (a path or a file:, http: or https: URL) to `destination`.
async function fetchFrom(source, destination) {
  if (/^(file|https?):/.test(source)) await download(source, destination);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new Error(`cannot fetch ${source}`);
  else fs.copyFileSync(path.resolve(source), destination);
  return { file: destination };
}

// The file of a Debian source package whose name starts with `prefix`, fetched by apt.
function fromApt(debian, prefix) {
  const dir = aptSourceDownload(debian);
  const name = dir && fs.readdirSync(dir).find((n) => n.startsWith(prefix) && !n.endsWith(".asc"));
  if (!name) throw new Error(`apt has no ${prefix}*`);
  return { file: path.join(dir, name), name };
}

// Obtains an artifact from every source that has it; those that do must agree to the byte.
async function obtainFrom(label, sources, scratch) {
  const found = [];
  const failures = [];
  for (const { origin, get } of sources) {
    try {
      const got = await get(path.join(fs.mkdtempSync(path.join(scratch, "get-")), "download"));
      found.push({ ...got, origin, sha256: sha256Of(got.file) });
    } catch (error) {
      failures.push(`${origin}: ${error.message}`);
    }
  }
  if (found.length === 0) throw new Error(`cannot obtain ${label}:\n  ${failures.join("\n  ")}`);
  const different = found.find((other) => other.sha256 !== found[0].sha256);
  if (different) {
    throw new Error(
      `${label} differs between sources:\n  ${found[0].origin} sha256 ${found[0].sha256}\n` +
        `  ${different.origin} sha256 ${different.sha256}\nPin one of them with --archive.`,
    );
  }
  return { ...found[0], origins: found.map((each) => each.origin), failures };
}

function expectSha(artifact, expected, why) {
  if (expected && artifact.sha256 !== expected.toLowerCase()) {
    throw new ChecksumError(artifact.origin, expected.toLowerCase(), artifact.sha256, why);
  }
}

// Where the archive of the new release can come from: --archive alone, or apt and upstream.
function archiveSources(options, entry, next) {
  if (options.archive) {
    return [{ origin: options.archive, get: (to) => fetchFrom(options.archive, to) }];
  }
  const sources = [];
  if (options.apt && entry.debian) {
    const debian = { source: entry.debian.source, version: options.debian };
    const prefix = `${debian.source}_${upstreamPart(debian.version)}.orig.tar.`;
    const origin = `apt-get source ${debian.source}=${debian.version}`;
    sources.push({ origin, get: () => fromApt(debian, prefix) });
  }
  const url = next.archive.upstream;
  if (url) sources.push({ origin: url, get: (to) => fetchFrom(url, to) });
  return sources;
}

// Where Debian's patch set of the new release can come from: --patches, or apt.
function patchSource(options, entry) {
  if (options.patches) {
    return { origin: options.patches, get: (to) => fetchFrom(options.patches, to) };
  }
  const debian = { source: entry.debian.source, version: options.debian };
  const prefix = `${debian.source}_${withoutEpoch(debian.version)}.debian.tar.`;
  return {
    origin: `apt-get source ${debian.source}=${debian.version}`,
    get: () => {
      if (!options.apt) throw new Error("--no-apt (give --patches)");
      return fromApt(debian, prefix);
    },
  };
}

// What was fetched and pinned, for the maintainer to check and commit.
function describePins(lib, entry, next, archive, patches, options) {
  const debianNote = options.debian ? ` (Debian ${options.debian})` : "";
  const out = [`${lib} ${entry.version} -> ${next.version}${debianNote}`];
  for (const [kind, artifact, pinned] of [
    ["archive", archive, next.archive],
    ["patches", patches, next.debian?.patches],
  ]) {
    if (!artifact) continue;
    out.push(`  ${kind} ${pinned.file}`, `    sha256 ${artifact.sha256}`);
    out.push(`    from ${artifact.origins.join(" and ")}`);
    out.push(...artifact.failures.map((failure) => `    not compared with ${failure}`));
  }
  if (!archive.origins.some((origin) => origin.startsWith("apt-get")) && !options.sha256) {
    out.push("  Compare the archive's sha256 with the one upstream publishes before committing.");
  }
  return out;
}

async function bump(options) {
  const pinsText = fs.readFileSync(path.join(root, PINS), "utf8");
  const pins = JSON.parse(pinsText);
  const versions = libraryVersions(pins);
  const { lib, version, debian } = options;
  if (!Object.hasOwn(versions, lib)) {
    throw new Error(`unknown library "${lib}": ${PINS} pins ${Object.keys(versions).join(", ")}`);
  }
  const entry = pins[lib];
  validate(options, entry);
  const next = nextEntry(lib, entry, version, debian);

  // The documents first: a statement that is not found stops the bump before any download.
  const statements = STATEMENTS.filter(({ text }) => text.includes(`{${lib}}`));
  const documents = new Map();
  for (const file of new Set(statements.map((s) => s.file))) {
    const before = fs.readFileSync(path.join(root, file), "utf8");
    const mine = statements.filter((s) => s.file === file);
    documents.set(file, { before, after: rewriteStatements(before, mine, versions, lib, version) });
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-bump-"));
  try {
    const sameRelease = version === entry.version;
    const sources = archiveSources(options, entry, next);
    const archive = await obtainFrom(`${lib} ${version}'s archive`, sources, scratch);
    expectSha(
      archive,
      options.sha256 ?? (sameRelease ? entry.archive.sha256 : null),
      options.sha256
        ? "(not the --sha256 given; nothing changed)"
        : "(not the pin; nothing changed)",
    );
    const derivedTopdir = next.archive.topdir;
    next.archive.file = archive.name ?? next.archive.file;
    next.archive.sha256 = archive.sha256;
    next.archive.topdir = archiveTopdir(archive.file, archive.origin, entry.licenseFiles);

    let patches = null;
    if (entry.debian?.patches) {
      const source = patchSource(options, entry);
      patches = await obtainFrom(`Debian's patch set ${debian}`, [source], scratch);
      const pinned = debian === entry.debian.version ? entry.debian.patches.sha256 : null;
      expectSha(patches, pinned, "(not the pin; nothing changed)");
      if (!listArchive(patches.file).some((name) => name.startsWith("debian/"))) {
        throw new Error(`${patches.origin} is not a Debian patch set (no debian/ in it)`);
      }
      next.debian.patches.file = patches.name ?? next.debian.patches.file;
      next.debian.patches.sha256 = patches.sha256;
    }

    const out = describePins(lib, entry, next, archive, patches, options);
    if (next.archive.topdir !== derivedTopdir) {
      out.push(`  note: the archive unpacks into ${next.archive.topdir}/`);
    }

    pins[lib] = next;
    documents.set(PINS, { before: pinsText, after: serialisePins(pins) });
    const changed = [...documents].filter(([, { before, after }]) => before !== after);
    const names = changed.map(([file]) => file).join(", ") || "nothing (the pins stand)";
    if (options.dryRun) {
      out.push(`would change ${names} (--dry-run: nothing written)`);
    } else {
      intoCache(archive.file, next.archive.file);
      if (patches) intoCache(patches.file, next.debian.patches.file);
      for (const [file, { after }] of changed) fs.writeFileSync(path.join(root, file), after);
      out.push(`changed ${names}; the archives are in the cache`);
    }
    if (!sameRelease) {
      const stale = mentions(entry.version);
      if (stale.length) {
        out.push(
          `still naming ${entry.version}: facts about that release, to re-check against ${version}:`,
        );
        out.push(...stale.map((line) => `  ${line}`));
      }
    }
    out.push(
      `next: npm run build:native (deps/patches/${lib}-*.patch must still apply)` +
        `${lib === "libzmq" ? ", node scripts/generate-constants.js" : ""}, npm test`,
    );
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { STATEMENTS, missingStatements, serialisePins };

if (require.main === module) {
  Promise.resolve()
    .then(() => bump(parseArgs(process.argv.slice(2))))
    .catch((error) => {
      process.stderr.write(`bump: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}
