import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { capability, version } from "../src/index";
import { describeExit, runChild } from "./helpers/children";

const root = path.join(__dirname, "..");
const pinned: string = JSON.parse(fs.readFileSync(path.join(root, "deps", "versions.json"), "utf8"))
  .libzmq.version;

/** What `argv` prints on stdout; fails (saying how it ended) unless it exits with 0. */
async function output(argv: string[], options: { cwd?: string } = {}): Promise<string> {
  const result = await runChild(argv, { ...options, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${argv.join(" ")}: ${describeExit(result)}`);
  return result.stdout;
}

describe("the native addon", () => {
  it("links the libzmq pinned in deps/versions.json", () => {
    expect(version).toBe(pinned);
  });

  it("reports pgm, curve and draft support from zmq_has()", () => {
    expect(capability).toMatchObject({ pgm: true, curve: true, draft: true, ipc: true });
    expect(capability.norm).toBe(false);
    expect(capability.gssapi).toBe(false);
  });

  it("loads through require() and import from the built package", async () => {
    const cjs = await output([process.execPath, "-p", "require('.').version"], { cwd: root });
    const esm = await output(
      [
        process.execPath,
        "--input-type=module",
        "-e",
        "import { version, capability } from 'zmq-napi'; console.log(version, capability.curve)",
      ],
      { cwd: root },
    );
    expect(cjs.trim()).toBe(pinned);
    expect(esm.trim()).toBe(`${pinned} true`);
  });
});

describe.runIf(process.platform === "linux")("the addon binary", () => {
  const binary: string = require("node-gyp-build").path(root);

  it("depends on no shared libzmq, libpgm or libsodium", async () => {
    const ldd = await output(["ldd", binary]);
    expect(ldd).not.toMatch(/libzmq|libpgm|libsodium|libstdc\+\+/);
  });

  it("exports no zmq_, pgm_ or sodium symbols", async () => {
    const symbols = await output(["nm", "-D", "--defined-only", binary]);
    expect(symbols).toMatch(/napi_register_module_v1/);
    expect(symbols).not.toMatch(/\b(zmq_|pgm_)|sodium/);
  });
});
