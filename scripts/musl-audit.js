"use strict";
// Audits a linux musl binary (the linux-x64-musl prebuild) for what Alpine has: it loads no
// library but musl itself (libc, and the names musl's loader answers with libc: libm, librt,
// libpthread, libdl; so no libstdc++.so or libgcc_s.so, which are linked in statically), needs
// no versioned symbol (musl has no symbol versions; a GLIBC_ one means a glibc build), and
// every symbol it takes from outside is one musl's libc.so defines or one the runtime offers
// (Node-API, and the libuv functions the addon uses under Node). The last check reads musl's
// own library, /lib/ld-musl-<machine>.so.1 (Debian: apt-get install musl, 1.2.3 as on Alpine
// 3.17; later musl only adds), so a call musl lacks (glibc's arc4random, _dl_find_object,
// __libc_single_threaded …) fails here rather than at dlopen.
//
//   node scripts/musl-audit.js FILE...   prints each file's verdict; exits 1 if any fails

const fs = require("node:fs");
const { dynamicSymbols, neededLibraries, machine } = require("./elf-tables");

// The names musl's dynamic loader resolves to libc itself (its "reserved" library names).
const MUSL_LIBRARIES =
  /^lib(c|pthread|rt|m|dl|util|xnet)\.so(\.\d+)*$|^(libc\.musl|ld-musl)-\w+\.so\.1$/;
// What the runtime, not libc, offers an addon.
const RUNTIME_SYMBOLS = /^(napi|node_api|uv)_/;
const MUSL_MACHINES = { "Advanced Micro Devices X86-64": "x86_64", AArch64: "aarch64" };

// musl's libc.so for the file's machine, or null where musl is not installed.
function muslLibrary(file) {
  const name = MUSL_MACHINES[machine(file)];
  const loader = name && `/lib/ld-musl-${name}.so.1`;
  return loader && fs.existsSync(loader) ? loader : null;
}

/**
 * @returns {{ file: string, libc: string | null, foreignLibraries: string[],
 *   versioned: string[], missing: string[], ok: boolean }}
 */
function audit(file) {
  const symbols = dynamicSymbols(file);
  const foreignLibraries = neededLibraries(file).filter((name) => !MUSL_LIBRARIES.test(name));
  const versioned = symbols
    .filter((entry) => entry.version)
    .map((entry) => `${entry.name}@${entry.version}`);
  const libc = muslLibrary(file);
  const offered = new Set(
    libc
      ? dynamicSymbols(libc)
          .filter((entry) => entry.defined)
          .map((entry) => entry.name)
      : [],
  );
  const missing = libc
    ? symbols
        .filter((entry) => !entry.defined && entry.binding !== "WEAK")
        .map((entry) => entry.name)
        .filter((name) => !offered.has(name) && !RUNTIME_SYMBOLS.test(name))
    : [];
  const ok = Boolean(libc) && !foreignLibraries.length && !versioned.length && !missing.length;
  return { file, libc, foreignLibraries, versioned, missing, ok };
}

function listed(names) {
  const shown = names.slice(0, 8).join(", ");
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

function verdict(result) {
  if (result.ok) return `musl only (every import checked against ${result.libc})`;
  const reasons = [
    !result.libc && "no musl here to check its imports against: apt-get install musl",
    result.foreignLibraries.length && `loads ${result.foreignLibraries.join(", ")}`,
    result.versioned.length && `versioned symbols (not musl's): ${listed(result.versioned)}`,
    result.missing.length && `musl lacks ${listed(result.missing)}`,
  ].filter(Boolean);
  return reasons.join("; ");
}

module.exports = { audit, verdict };

if (require.main === module) require("./check-steps").auditCommand("musl-audit.js", audit, verdict);
