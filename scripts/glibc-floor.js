"use strict";
// Audits a linux glibc binary as auditwheel does for manylinux: every versioned symbol it needs
// from glibc must be at GLIBC_2.28 or older (Node 20's own floor), it needs no versioned
// symbol from libstdc++ or libgcc_s (both are linked in statically), and it loads nothing but
// glibc's own libraries. Reads the tables with readelf (scripts/elf-tables.js), so the arm64
// prebuild is audited on an x64 host.
//
//   node scripts/glibc-floor.js FILE...   prints each file's verdict; exits 1 if any fails

const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { dynamicSymbols, neededLibraries } = require("./elf-tables");

const root = path.join(__dirname, "..");

const FLOOR = "2.28";

// glibc's libraries (and its dynamic loaders, whose names differ per machine).
const GLIBC_LIBRARIES = /^(libc|libm|libpthread|libdl|librt)\.so\.\d+$|^ld-linux-[\w-]+\.so\.\d+$/;

function compareVersions(a, b) {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

// The undefined dynamic symbols and the version each names ("pthread_create@GLIBC_2.2.5").
function importedSymbols(file) {
  return dynamicSymbols(file)
    .filter((entry) => !entry.defined)
    .map((entry) => ({ symbol: entry.name, match: /^([A-Za-z_]+)_([\d.]+)$/.exec(entry.version) }))
    .filter((entry) => entry.match)
    .map(({ symbol, match }) => ({ symbol, library: match[1], version: match[2] }));
}

/**
 * @returns {{ file: string, newest: string, aboveFloor: string[], foreignVersions: string[],
 *   foreignLibraries: string[], ok: boolean }}
 */
function audit(file) {
  const imports = importedSymbols(file);
  const glibc = imports.filter((entry) => entry.library === "GLIBC");
  const newest =
    glibc
      .map((entry) => entry.version)
      .sort(compareVersions)
      .at(-1) ?? "none";
  const aboveFloor = glibc
    .filter((entry) => compareVersions(entry.version, FLOOR) > 0)
    .map((entry) => `${entry.symbol}@GLIBC_${entry.version}`);
  const foreignVersions = imports
    .filter((entry) => entry.library !== "GLIBC")
    .map((entry) => `${entry.symbol}@${entry.library}_${entry.version}`);
  const foreignLibraries = neededLibraries(file).filter((name) => !GLIBC_LIBRARIES.test(name));
  const ok =
    aboveFloor.length === 0 && foreignVersions.length === 0 && foreignLibraries.length === 0;
  return { file, newest, aboveFloor, foreignVersions, foreignLibraries, ok };
}

// Names the first few offenders of each kind; a binary built without the floor has dozens.
function listed(names) {
  const shown = names.slice(0, 8).join(", ");
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

function verdict(result) {
  if (result.ok) return `glibc ${result.newest} at most (floor ${FLOOR})`;
  const reasons = [
    result.aboveFloor.length && `needs glibc newer than ${FLOOR}: ${listed(result.aboveFloor)}`,
    result.foreignVersions.length &&
      `versioned non-glibc symbols: ${listed(result.foreignVersions)}`,
    result.foreignLibraries.length && `loads ${result.foreignLibraries.join(", ")}`,
  ].filter(Boolean);
  return reasons.join("; ");
}

// Builds test/fixtures/glibc-floor-check.cc with binding/linux/glibc_floor.c into `output`,
// linked as the addon is (static libgcc and libstdc++), with the given compilers.
function compileFloorCheck(output, { cc = "cc", cxx = "c++" } = {}) {
  const object = `${output}.floor.o`;
  const options = { stdio: ["ignore", "inherit", "inherit"], timeout: 120_000 };
  const floor = path.join(root, "binding", "linux", "glibc_floor.c");
  execFileSync(cc, ["-O2", "-Wall", "-c", floor, "-o", object], options);
  const check = path.join(root, "test", "fixtures", "glibc-floor-check.cc");
  const link = ["-static-libgcc", "-static-libstdc++", "-pthread"];
  execFileSync(cxx, ["-O2", "-std=c++17", check, object, ...link, "-o", output], options);
  return output;
}

module.exports = { FLOOR, audit, verdict, compileFloorCheck };

if (require.main === module)
  require("./check-steps").auditCommand("glibc-floor.js", audit, verdict);
