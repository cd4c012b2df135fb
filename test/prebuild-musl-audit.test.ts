// The linux-x64-musl prebuild loads on Alpine: it needs no library but musl itself, no
// versioned symbol, and nothing musl's libc.so does not define (scripts/musl-audit.js). The
// glibc floor's audit (prebuild-glibc-floor.test.ts) reads the .glibc.node files alone; this
// one audits every .musl.node present, and proves itself on libraries built here against
// Debian's musl (apt-get install musl): one that passes, and one for each way to fail.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { linuxPrebuilds } from "./helpers/prebuilds";

const musl = createRequire(__filename)("../scripts/musl-audit.js") as {
  audit(file: string): {
    file: string;
    ok: boolean;
    libc: string | null;
    foreignLibraries: string[];
    versioned: string[];
    missing: string[];
  };
  verdict(result: unknown): string;
};

const root = path.join(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-musl-audit-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// musl's libc.so, as the audit finds it (Debian's package links /lib/ld-musl-x86_64.so.1 to it).
const muslLibDir = path.dirname(fs.realpathSync("/lib/ld-musl-x86_64.so.1"));

// A shared library of `source`, linked against musl's libc alone (and `extra`).
function muslLibrary(name: string, source: string, extra: string[] = []): string {
  const file = path.join(scratch, `${name}.c`);
  const library = path.join(scratch, `${name}.so`);
  fs.writeFileSync(file, source);
  execFileSync(
    "gcc",
    ["-shared", "-fPIC", "-nostdlib", file, "-o", library, `-L${muslLibDir}`, "-lc", ...extra],
    { timeout: 60_000 },
  );
  return library;
}

describe("the musl audit", () => {
  it("every linux musl prebuild present needs musl alone", () => {
    const failures = linuxPrebuilds("musl")
      .map((file) => musl.audit(file))
      .filter((result) => !result.ok);
    expect(failures.map((result) => `${result.file}: ${musl.verdict(result)}`)).toEqual([]);
  });

  it("passes a library that calls musl alone", () => {
    const library = muslLibrary(
      "plain",
      "#include <string.h>\nunsigned long size(const char *s) { return strlen(s); }\n",
    );
    const result = musl.audit(library);
    expect(musl.verdict(result)).toMatch(/^musl only/);
    expect(result.ok).toBe(true);
  });

  it("rejects a glibc build: the native addon's GLIBC_ symbol versions", () => {
    const result = musl.audit(path.join(root, "build", "Release", "zmq_napi.node"));
    expect(result.ok).toBe(false);
    expect(result.versioned.some((name) => /@GLIBC_2\./.test(name))).toBe(true);
  });

  it("rejects a call musl lacks and a dynamic libstdc++", () => {
    const libstdcxx = execFileSync("gcc", ["-print-file-name=libstdc++.so"], { encoding: "utf8" });
    const library = muslLibrary(
      "glibc-only",
      "unsigned arc4random(void);\nunsigned draw(void) { return arc4random(); }\n",
      ["-Wl,--no-as-needed", libstdcxx.trim()],
    );
    const result = musl.audit(library);
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual(["arc4random"]);
    expect(result.foreignLibraries).toEqual(["libstdc++.so.6"]);
  });
});
