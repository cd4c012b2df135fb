import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

const root = path.join(__dirname, "..");
const versions = JSON.parse(fs.readFileSync(path.join(root, "deps", "versions.json"), "utf8"));
const libzmqArchive: { file: string; sha256: string } = versions.libzmq.archive;

function fetchSources(env: Record<string, string>) {
  return runChild([process.execPath, path.join(root, "deps", "sources.js"), "libzmq"], {
    env,
    timeoutMs: 30_000,
  });
}

describe("pinned third-party sources", () => {
  let cache: string;
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-cache-test-"));
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

  // What deps/bump.js keeps true and build.js relies on: each name of a release carries its
  // version, so that the names of the next one follow from them.
  it("pins libzmq, OpenPGM and libsodium by sha256, under names that carry the version", () => {
    expect(Object.keys(versions).filter((key) => !key.startsWith("/"))).toEqual([
      "libsodium",
      "openpgm",
      "libzmq",
    ]);
    for (const lib of ["libzmq", "openpgm", "libsodium"]) {
      const { version, archive, debian } = versions[lib];
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(archive.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(archive.file).toContain(`_${version}`);
      expect(archive.topdir).toContain(`-${version}`);
      if (archive.upstream !== null) expect(archive.upstream).toContain(version);
      expect(debian.version.startsWith(version)).toBe(true);
      if (debian.patches !== null) {
        expect(debian.patches.sha256).toMatch(/^[0-9a-f]{64}$/);
        const name = `${debian.source}_${debian.version}.debian.tar.`;
        expect(debian.patches.file.startsWith(name), debian.patches.file).toBe(true);
      }
    }
  });

  it("rejects a corrupted cached tarball, naming the file and both hashes", async () => {
    const corrupt = path.join(cache, "sources", libzmqArchive.file);
    fs.mkdirSync(path.dirname(corrupt), { recursive: true });
    const content = "not the libzmq release\n";
    fs.writeFileSync(corrupt, content);
    const actual = createHash("sha256").update(content).digest("hex");
    const result = await fetchSources({ ZMQ_NAPI_CACHE_DIR: cache });
    expect(result.timedOut, result.stderr).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(corrupt);
    expect(result.stderr).toContain(`expected sha256 ${libzmqArchive.sha256}`);
    expect(result.stderr).toMatch(new RegExp(`actual\\s+sha256 ${actual}`));
  });

  it("rejects a local tarball named by the environment when its hash differs", async () => {
    const local = path.join(cache, "my-libzmq.tar.gz");
    fs.writeFileSync(local, "something else");
    const result = await fetchSources({
      ZMQ_NAPI_CACHE_DIR: cache,
      ZMQ_NAPI_LIBZMQ_TARBALL: local,
    });
    expect(result.timedOut, result.stderr).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(local);
    expect(result.stderr).toContain("checksum mismatch");
    expect(fs.existsSync(path.join(cache, "sources", libzmqArchive.file))).toBe(false);
  });
});
