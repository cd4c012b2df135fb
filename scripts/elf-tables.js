"use strict";
// The tables of an ELF file that the prebuild audits read (scripts/glibc-floor.js,
// scripts/musl-audit.js), through readelf (binutils), which reads any ELF machine: so the arm64
// prebuild is audited on an x64 host.

const { execFileSync } = require("node:child_process");

function readelf(args, file) {
  return execFileSync("readelf", ["-W", ...args, file], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}

// The dynamic symbols as { name, version, binding, defined } ("pthread_create@GLIBC_2.2.5 (2)"
// gives name pthread_create, version GLIBC_2.2.5; an unversioned symbol has version "").
function dynamicSymbols(file) {
  const symbols = [];
  for (const line of readelf(["--dyn-syms"], file).split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0]) || fields.length < 8) continue;
    const [name, version = ""] = fields[7].split(/@+/);
    symbols.push({ name, version, binding: fields[4], defined: fields[6] !== "UND" });
  }
  return symbols.filter((symbol) => symbol.name);
}

function neededLibraries(file) {
  return [
    ...readelf(["--dynamic"], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g),
  ].map((match) => match[1]);
}

// readelf's name of the file's machine ("Advanced Micro Devices X86-64", "AArch64").
function machine(file) {
  return /^\s*Machine:\s+(.+)$/m.exec(readelf(["-h"], file))?.[1].trim() ?? "";
}

// What an addon's dynamic symbol table should offer its host: the Node-API entry points alone
// (binding/exports.map), as test/addon-symbols.test.ts checks of the native build.
const NODE_API_ENTRY_POINTS = ["napi_register_module_v1", "node_api_module_get_api_version_v1"];

function exportedSymbols(file) {
  return dynamicSymbols(file)
    .filter((entry) => entry.defined && entry.binding === "GLOBAL")
    .map((entry) => entry.name)
    .sort();
}

module.exports = {
  readelf,
  dynamicSymbols,
  neededLibraries,
  machine,
  exportedSymbols,
  NODE_API_ENTRY_POINTS,
};
