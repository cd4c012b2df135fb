// deps/bump.js, run on a copy of the files it reads and writes, with archives made here and
// served by this process (http://127.0.0.1) or named by path or file: URL: it never reaches the
// network (every run passes --no-apt) and never writes to the real tree.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

interface Bump {
  STATEMENTS: { file: string; text: string }[];
  missingStatements(dir?: string): string[];
  serialisePins(pins: unknown): string;
}
const { STATEMENTS, missingStatements, serialisePins } = require("../deps/bump.js") as Bump;

const root = path.join(__dirname, "..");
const pinsText = fs.readFileSync(path.join(root, "deps", "versions.json"), "utf8");
const pins = JSON.parse(pinsText);
const current: string = pins.libzmq.version;
// A release no text in the tree names, so that every mention of it is the bump's doing.
const next = current.replace(/\d+$/, (patch) => String(Number(patch) + 100));
const source: string = pins.libzmq.debian.source;

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A tar archive of `files` (relative path → content) made with the system's tar. */
function makeArchive(file: string, files: Record<string, string>) {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-bump-archive-"));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(staging, name)), { recursive: true });
      fs.writeFileSync(path.join(staging, name), content);
    }
    const tops = [...new Set(Object.keys(files).map((name) => name.split("/")[0]))];
    const made = spawnSync("tar", ["-caf", file, "-C", staging, ...tops], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`tar: ${made.stderr}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function releaseFiles(version: string, licences = pins.libzmq.licenseFiles as string[]) {
  const files: Record<string, string> = { [`libzmq-${version}/include/zmq.h`]: `// ${version}\n` };
  for (const name of licences) files[`libzmq-${version}/${name}`] = `licence ${name}\n`;
  return files;
}

// The archives the upstream "server" offers, by URL path.
const served = new Map<string, string>();
const requested: string[] = [];
const server = http.createServer((request, response) => {
  requested.push(request.url ?? "");
  const file = served.get(request.url ?? "");
  if (file === undefined) response.writeHead(404).end();
  else response.writeHead(200).end(fs.readFileSync(file));
});
let upstream = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let work: string;
let tree: string;
let cache: string;
let archive: string;
let patches: string;
const fact = "binding/udp.cc";
const record = "docs/benchmarks/run.md";

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-bump-test-"));
  tree = path.join(work, "tree");
  cache = path.join(work, "cache");
  const copy = (file: string) => {
    fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(tree, file));
  };
  for (const file of ["deps/bump.js", "deps/sources.js", ...STATEMENTS.map((s) => s.file)]) {
    copy(file);
  }
  const fixturePins = structuredClone(pins);
  fixturePins.libzmq.archive.upstream = `${upstream}/libzmq/v${current}.tar.gz`;
  fs.writeFileSync(path.join(tree, "deps", "versions.json"), serialisePins(fixturePins));
  // A fact about the current release, and a record of a measurement made with it.
  fs.mkdirSync(path.join(tree, "binding"));
  fs.writeFileSync(path.join(tree, fact), `// libzmq ${current}'s udp engine: 8 KiB\n`);
  fs.mkdirSync(path.join(tree, "docs", "benchmarks"), { recursive: true });
  fs.writeFileSync(path.join(tree, record), `| zmq-napi | ${current} |\n`);

  archive = path.join(work, "release.tar.gz");
  makeArchive(archive, releaseFiles(next));
  patches = path.join(work, "patches.tar.xz");
  makeArchive(patches, { "debian/patches/series": "fix-eintr.patch\n" });
  served.clear();
  served.set(`/libzmq/v${next}.tar.gz`, archive);
  requested.length = 0;
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function bump(...args: string[]) {
  return runChild([process.execPath, path.join(tree, "deps", "bump.js"), ...args, "--no-apt"], {
    env: { ZMQ_NAPI_CACHE_DIR: cache },
    timeoutMs: 30_000,
  });
}

/** Every file of the fixture tree with its content, to show that a refusal changed nothing. */
function snapshot(dir = tree): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) files[path.relative(tree, file)] = fs.readFileSync(file, "utf8");
  }
  return files;
}

const readPins = () =>
  JSON.parse(fs.readFileSync(path.join(tree, "deps", "versions.json"), "utf8"));
const cached = () =>
  fs.existsSync(path.join(cache, "sources")) ? fs.readdirSync(path.join(cache, "sources")) : [];

describe("deps/bump.js", () => {
  it("moves libzmq to a new release: fetches, prints and pins the sha256s, rewrites the statements", async () => {
    const before = snapshot();
    const result = await bump("libzmq", next, "--debian", `${next}-1`, "--patches", patches);
    expect(result.code, result.stderr).toBe(0);
    expect(requested).toEqual([`/libzmq/v${next}.tar.gz`]);
    expect(result.stdout).toContain(`sha256 ${sha256(archive)}`);
    expect(result.stdout).toContain(`sha256 ${sha256(patches)}`);

    const written = readPins();
    expect(written.libzmq).toEqual({
      ...pins.libzmq,
      version: next,
      archive: {
        file: `${source}_${next}.orig.tar.gz`,
        sha256: sha256(archive),
        topdir: `libzmq-${next}`,
        upstream: `${upstream}/libzmq/v${next}.tar.gz`,
      },
      debian: {
        source,
        version: `${next}-1`,
        patches: {
          file: `${source}_${next}-1.debian.tar.xz`,
          sha256: sha256(patches),
          required: true,
        },
      },
    });
    for (const key of Object.keys(pins).filter((key) => key !== "libzmq")) {
      expect(written[key]).toEqual(pins[key]);
    }

    // The statements now name the new release, and nothing else changed in their files.
    const after = snapshot();
    expect(missingStatements(tree)).toEqual([]);
    for (const file of new Set(STATEMENTS.map((s) => s.file))) {
      expect(after[file]).not.toBe(before[file]);
      expect(after[file].replaceAll(next, current)).toBe(before[file]);
      // What still names the old release there is listed for re-checking.
      after[file].split("\n").forEach((line, index) => {
        if (line.includes(`libzmq ${current}`)) {
          expect(result.stdout).toContain(`${file}:${index + 1}: ${line.trim().slice(0, 40)}`);
        }
      });
    }
    expect(after[fact]).toBe(before[fact]);
    expect(result.stdout).toContain(`${fact}:1: // libzmq ${current}'s udp engine`);
    expect(after[record]).toBe(before[record]);
    expect(result.stdout).not.toContain(record);

    // The archives wait in the cache for the build.
    const inCache = path.join(cache, "sources", `${source}_${next}.orig.tar.gz`);
    expect(sha256(inCache)).toBe(sha256(archive));
    expect(sha256(path.join(cache, "sources", `${source}_${next}-1.debian.tar.xz`))).toBe(
      sha256(patches),
    );
  });

  it("takes the archive from a file: URL; --dry-run checks it and writes nothing", async () => {
    const before = snapshot();
    const url = pathToFileURL(archive).href;
    const result = await bump(
      "libzmq",
      next,
      "--debian",
      `${next}-1`,
      "--archive",
      url,
      "--patches",
      patches,
      "--dry-run",
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`sha256 ${sha256(archive)}`);
    expect(result.stdout).toContain(`from ${url}`);
    expect(requested).toEqual([]);
    expect(snapshot()).toEqual(before);
    expect(cached()).toEqual([]);
  });

  it("refuses an archive whose sha256 is not the --sha256 given, changing nothing", async () => {
    const before = snapshot();
    const expected = createHash("sha256").update("another release").digest("hex");
    const result = await bump(
      "libzmq",
      next,
      "--debian",
      `${next}-1`,
      "--patches",
      patches,
      "--sha256",
      expected,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("checksum mismatch");
    expect(result.stderr).toContain(`expected sha256 ${expected}`);
    expect(result.stderr).toMatch(new RegExp(`actual\\s+sha256 ${sha256(archive)}`));
    expect(snapshot()).toEqual(before);
    expect(cached()).toEqual([]);
  });

  it("refuses other bytes for the release already pinned", async () => {
    const before = snapshot();
    const impostor = path.join(work, "impostor.tar.gz");
    makeArchive(impostor, releaseFiles(current));
    const debian: string = pins.libzmq.debian.version;
    const result = await bump(
      "libzmq",
      current,
      "--debian",
      debian,
      "--archive",
      impostor,
      "--patches",
      patches,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`expected sha256 ${pins.libzmq.archive.sha256}`);
    expect(result.stderr).toContain(impostor);
    expect(snapshot()).toEqual(before);
  });

  it("refuses an unknown library, naming those it knows", async () => {
    const before = snapshot();
    const result = await bump("libfoo", "1.0.0", "--debian", "1.0.0-1");
    expect(result.code).toBe(1);
    const known = Object.keys(pins).filter((key) => !key.startsWith("/"));
    expect(result.stderr).toContain(
      `unknown library "libfoo": deps/versions.json pins ${known.join(", ")}`,
    );
    expect(snapshot()).toEqual(before);
  });

  it("refuses to guess Debian's version, or take one of another release", async () => {
    const missing = await bump("libzmq", next, "--patches", patches);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--debian is required`);
    const other = await bump("libzmq", next, "--debian", `${current}-9`, "--patches", patches);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `--debian ${current}-9 is not a Debian version of libzmq ${next}`,
    );
    expect(requested).toEqual([]);
  });

  it("says why when upstream has no such release", async () => {
    const before = snapshot();
    const missing = current.replace(/\d+$/, (patch) => String(Number(patch) + 200));
    const result = await bump("libzmq", missing, "--debian", `${missing}-1`, "--patches", patches);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot obtain libzmq ${missing}'s archive`);
    expect(result.stderr).toContain(`${upstream}/libzmq/v${missing}.tar.gz failed: HTTP 404`);
    expect(snapshot()).toEqual(before);
  });

  it("refuses an archive without the licence files build.js copies", async () => {
    const [kept, dropped] = pins.libzmq.licenseFiles as string[];
    makeArchive(archive, releaseFiles(next, [kept]));
    const result = await bump("libzmq", next, "--debian", `${next}-1`, "--patches", patches);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`has no ${dropped} in libzmq-${next}/`);
    expect(cached()).toEqual([]);
  });

  it("stops before fetching when a document no longer states the version as registered", async () => {
    const readme = path.join(tree, "README.md");
    fs.writeFileSync(
      readme,
      fs.readFileSync(readme, "utf8").replace(`**libzmq ${current} vendored**`, "libzmq"),
    );
    const before = snapshot();
    const result = await bump("libzmq", next, "--debian", `${next}-1`, "--patches", patches);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`README.md no longer says "**libzmq {libzmq} vendored**"`);
    expect(requested).toEqual([]);
    expect(snapshot()).toEqual(before);
  });
});

describe("the tree bump.js works on", () => {
  it("states the pinned versions wherever STATEMENTS says it does", () => {
    expect(missingStatements()).toEqual([]);
  });

  it("has versions.json in the form bump.js writes, so that a bump's diff is the pins only", () => {
    expect(serialisePins(JSON.parse(pinsText))).toBe(pinsText);
  });
});
