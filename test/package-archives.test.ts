import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

// An installed package (a tarball's, no .git) takes the pinned archives from deps/archives/,
// where `npm pack` put them, checking each against versions.json's sha256 again: no cache, apt
// or download is needed, and a corrupted copy stops the build naming the file.
const root = path.join(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-archives-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const pins = JSON.parse(fs.readFileSync(path.join(root, "deps", "versions.json"), "utf8")) as {
  libzmq: { archive: { file: string }; debian: { patches: { file: string } } };
};
const libzmqFiles = [pins.libzmq.archive.file, pins.libzmq.debian.patches.file];

// The real archives, as this machine's build obtained them (verified by sources.js itself).
let originals: Record<string, string> = {};
beforeAll(async () => {
  const sources = createRequire(__filename)("../deps/sources.js") as {
    obtain(lib: string, kind: string): Promise<string>;
  };
  originals = {
    [libzmqFiles[0]]: await sources.obtain("libzmq", "archive"),
    [libzmqFiles[1]]: await sources.obtain("libzmq", "patches"),
  };
}, 300_000);

// deps/ of an installed package: sources.js and the pins, no .git above it.
function installedPackage(name: string, archives: Record<string, Buffer>): string {
  const pkg = path.join(scratch, name);
  fs.mkdirSync(path.join(pkg, "deps", "archives"), { recursive: true });
  for (const file of ["sources.js", "versions.json"]) {
    fs.copyFileSync(path.join(root, "deps", file), path.join(pkg, "deps", file));
  }
  for (const [file, content] of Object.entries(archives)) {
    fs.writeFileSync(path.join(pkg, "deps", "archives", file), content);
  }
  return pkg;
}

async function fetchLibzmq(pkg: string) {
  const cache = path.join(scratch, `${path.basename(pkg)}-cache`);
  const result = await runChild(
    [process.execPath, path.join(pkg, "deps", "sources.js"), "libzmq"],
    {
      env: { ZMQ_NAPI_CACHE_DIR: cache, ZMQ_NAPI_LIBZMQ_TARBALL: undefined },
      timeoutMs: 60_000,
    },
  );
  return { ...result, cache };
}

describe("the archives packed with zmq-napi", () => {
  it("are used, verified, without a cache, apt or a download", async () => {
    const pkg = installedPackage(
      "intact",
      Object.fromEntries(libzmqFiles.map((file) => [file, fs.readFileSync(originals[file])])),
    );
    const result = await fetchLibzmq(pkg);
    expect(result.code, result.stderr).toBe(0);
    for (const file of libzmqFiles) {
      expect(result.stderr).toContain(`${file}: packed with zmq-napi (sha256 verified)`);
    }
    expect(result.stderr).not.toMatch(/apt-get|downloading/);
    expect(fs.existsSync(path.join(result.cache, "sources", libzmqFiles[0]))).toBe(false);
  });

  it("stop at a corrupted copy, naming it and both hashes", async () => {
    const archive = fs.readFileSync(originals[libzmqFiles[0]]);
    const middle = archive.length >> 1;
    archive[middle] = archive[middle] ^ 0xff;
    const pkg = installedPackage("corrupt", { [libzmqFiles[0]]: archive });
    const result = await fetchLibzmq(pkg);
    expect(result.code).not.toBe(0);
    const packed = path.join(pkg, "deps", "archives", libzmqFiles[0]);
    expect(result.stderr).toContain(`checksum mismatch for ${packed}`);
    expect(result.stderr).toMatch(/expected sha256 [0-9a-f]{64}\n.*actual {3}sha256 [0-9a-f]{64}/);
    expect(result.stderr).toContain("reinstall the package");
  });
});
