import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

// A build from source on a machine that lacks one of its programs stops before anything starts,
// with one line that names the program and the command that installs it — not minutes into a
// build, in CMake's or the compiler's words.
const root = path.join(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-build-tools-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// Every program a build needs, as found on this machine.
const BUILD_PROGRAMS = ["cmake", "cc", "c++", "make", "ninja", "pkg-config", "patch", "tar", "xz"];

// A PATH directory holding node and the build programs, less `without`.
function pathWithout(name: string, without: string[]): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir);
  fs.symlinkSync(process.execPath, path.join(dir, "node"));
  for (const program of BUILD_PROGRAMS.filter((program) => !without.includes(program))) {
    const found = ["/usr/local/bin", "/usr/bin", "/bin"]
      .map((bin) => path.join(bin, program))
      .find((file) => fs.existsSync(file));
    if (found) fs.symlinkSync(found, path.join(dir, program));
  }
  return dir;
}

// How each tool is installed, by hand, for the package managers the hint may name.
const INSTALLS = {
  cmake: [
    "apt-get install -y cmake",
    "dnf install -y cmake",
    "apk add cmake",
    "brew install cmake",
  ],
  "a C++ compiler": ["apt-get install -y g++", "dnf install -y gcc-c++", "apk add g++"],
};

function oneLineFor(tool: keyof typeof INSTALLS): RegExp {
  const escape = (text: string) => text.replace(/[+]/g, "\\+");
  const commands = INSTALLS[tool].map(escape).join("|");
  return new RegExp(`^zmq-napi: building from source needs ${escape(tool)}: (${commands})$`);
}

async function run(script: string, PATH: string) {
  return runChild([process.execPath, path.join(root, "scripts", script)], {
    cwd: root,
    env: { PATH, CC: undefined, CXX: undefined },
    timeoutMs: 30_000,
  });
}

describe("a build from source with a program missing", () => {
  it("says in one line that cmake is missing and how to install it, and fails", async () => {
    const result = await run("build-native.js", pathWithout("no-cmake", ["cmake"]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(oneLineFor("cmake"));
    expect(result.stdout).toBe("");
  });

  it("names a missing C++ compiler the same way", async () => {
    const result = await run("build-native.js", pathWithout("no-cxx", ["c++"]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(oneLineFor("a C++ compiler"));
  });

  it("says the same through the install script, in one line", async () => {
    // A checkout always builds from source, so the install script gets as far as the check.
    const result = await run("install.js", pathWithout("install-no-cmake", ["cmake"]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(oneLineFor("cmake"));
  });
});
