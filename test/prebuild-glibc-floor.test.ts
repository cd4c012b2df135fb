// The linux binaries load on glibc 2.28 (Node 20's floor), as auditwheel checks manylinux
// wheels: no versioned glibc symbol newer than 2.28, no libstdc++/libgcc_s dependency.
// binding/linux/glibc_floor.c makes that hold; this file checks the result and the stand-ins
// it brings. build/Release's addon is always audited (it is what prebuildify strips and copies
// into prebuilds/, and what this suite runs), so the audit never passes on nothing; every
// prebuild present is audited too. The release test (package-release.test.ts, through
// scripts/test-packed.js) audits the prebuild it builds and packs.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { Pair } from "../src/index";
import { describeExit, runChild } from "./helpers/children";
import { linuxPrebuilds } from "./helpers/prebuilds";

const floor = createRequire(__filename)("../scripts/glibc-floor.js") as {
  FLOOR: string;
  audit(file: string): { file: string; ok: boolean; newest: string; aboveFloor: string[] };
  verdict(result: unknown): string;
  compileFloorCheck(output: string): string;
};

const root = path.join(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-floor-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the glibc floor", () => {
  it(`build/Release's addon and every linux glibc prebuild need glibc ${floor.FLOOR} at most`, () => {
    const binaries = [
      path.join(root, "build", "Release", "zmq_napi.node"),
      ...linuxPrebuilds("glibc"),
    ];
    const failures = binaries.map((file) => floor.audit(file)).filter((result) => !result.ok);
    expect(failures.map((result) => `${result.file}: ${floor.verdict(result)}`)).toEqual([]);
  });

  it("the audit rejects a library that needs a newer glibc", () => {
    // The oracle: a library built here without the floor, calling arc4random (glibc 2.36).
    const source = path.join(scratch, "newer.c");
    const library = path.join(scratch, "newer.so");
    fs.writeFileSync(source, "#include <stdlib.h>\nunsigned draw(void) { return arc4random(); }\n");
    execFileSync("cc", ["-shared", "-fPIC", source, "-o", library], { timeout: 60_000 });
    const result = floor.audit(library);
    expect(result.ok).toBe(false);
    expect(result.aboveFloor).toContain("arc4random@GLIBC_2.36");
  });

  it("the stand-ins for what glibc 2.28 lacks behave like glibc's own", async () => {
    const program = floor.compileFloorCheck(path.join(scratch, "glibc-floor-check"));
    const result = await runChild([program, scratch], { timeoutMs: 30_000 });
    expect(result.code, describeExit(result)).toBe(0);
    expect(result.stdout).toContain("glibc floor OK");
  });

  it("libzmq's stat (now __xstat) sees TMPDIR: ipc://* binds inside it", async () => {
    const tmpdir = fs.mkdtempSync(path.join(scratch, "ipc-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmpdir;
    const socket = new Pair();
    try {
      await socket.bind("ipc://*");
      expect(socket.lastEndpoint).toMatch(new RegExp(`^ipc://${tmpdir}/tmp\\w{6}/socket$`));
    } finally {
      socket.close();
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
