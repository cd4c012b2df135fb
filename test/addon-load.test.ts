import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { capability, version } from "../src/index";

const root = path.join(__dirname, "..");

describe("the native addon", () => {
  it("links libzmq 4.3.4", () => {
    expect(version).toBe("4.3.4");
  });

  it("reports pgm, curve and draft support from zmq_has()", () => {
    expect(capability).toMatchObject({ pgm: true, curve: true, draft: true, ipc: true });
    expect(capability.norm).toBe(false);
    expect(capability.gssapi).toBe(false);
  });

  it("loads through require() and import from the built package", () => {
    const cjs = execFileSync(process.execPath, ["-p", "require('.').version"], {
      cwd: root,
      encoding: "utf8",
    });
    const esm = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "import { version, capability } from 'zmq-napi'; console.log(version, capability.curve)",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(cjs.trim()).toBe("4.3.4");
    expect(esm.trim()).toBe("4.3.4 true");
  });
});

describe.runIf(process.platform === "linux")("the addon binary", () => {
  const binary: string = require("node-gyp-build").path(root);

  it("depends on no shared libzmq, libpgm or libsodium", () => {
    const ldd = execFileSync("ldd", [binary], { encoding: "utf8" });
    expect(ldd).not.toMatch(/libzmq|libpgm|libsodium|libstdc\+\+/);
  });

  it("exports no zmq_, pgm_ or sodium symbols", () => {
    const symbols = execFileSync("nm", ["-D", "--defined-only", binary], { encoding: "utf8" });
    expect(symbols).toMatch(/napi_register_module_v1/);
    expect(symbols).not.toMatch(/\b(zmq_|pgm_)|sodium/);
  });
});
