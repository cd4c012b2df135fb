"use strict";
// The programs a build from source runs, and how to install each on the systems people build
// on. A missing one is named in one line with the command that installs it, before anything
// starts (rather than minutes into a build, in CMake's words).

const fs = require("node:fs");
const path = require("node:path");

// `found`: any of these names on PATH will do. `packages`: the package per package manager.
const TOOLS = [
  {
    name: "cmake",
    found: ["cmake"],
    packages: { apt: "cmake", dnf: "cmake", apk: "cmake", brew: "cmake" },
  },
  {
    name: "a C compiler",
    found: () => compilers("CC", ["cc", "gcc", "clang"]),
    packages: { apt: "gcc", dnf: "gcc", apk: "gcc musl-dev", brew: null },
    native: true,
  },
  {
    name: "a C++ compiler",
    found: () => compilers("CXX", ["c++", "g++", "clang++"]),
    packages: { apt: "g++", dnf: "gcc-c++", apk: "g++", brew: null },
    native: true,
  },
  {
    name: "make or ninja",
    found: ["ninja", "make"],
    packages: { apt: "make", dnf: "make", apk: "make", brew: null },
  },
  {
    name: "pkg-config",
    found: ["pkg-config", "pkgconf"],
    packages: { apt: "pkg-config", dnf: "pkgconf-pkg-config", apk: "pkgconf", brew: "pkgconf" },
  },
  {
    name: "patch",
    found: ["patch"],
    packages: { apt: "patch", dnf: "patch", apk: "patch", brew: null },
  },
  {
    name: "tar",
    found: ["tar"],
    packages: { apt: "tar", dnf: "tar", apk: "tar", brew: null },
  },
  {
    name: "xz",
    found: ["xz"],
    packages: { apt: "xz-utils", dnf: "xz", apk: "xz", brew: "xz" },
  },
];

// The compiler CMake will take: $CC/$CXX when set (its first word: "ccache gcc"), else any usual name.
function compilers(variable, usual) {
  const chosen = process.env[variable]?.trim();
  return chosen ? [chosen.split(/\s+/)[0]] : usual;
}

const INSTALL = {
  apt: (list) => `apt-get install -y ${list}`,
  dnf: (list) => `dnf install -y ${list}`,
  apk: (list) => `apk add ${list}`,
  brew: (list) => `brew install ${list}`,
};

function onPath(name, PATH = process.env.PATH || "") {
  if (name.includes("/")) return isExecutable(name);
  return PATH.split(path.delimiter)
    .filter(Boolean)
    .some((dir) => isExecutable(path.join(dir, name)));
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// The package manager of this system, from /etc/os-release (ID and ID_LIKE), or brew on macOS.
function packageManager() {
  if (process.platform === "darwin") return "brew";
  let release = "";
  try {
    release = fs.readFileSync("/etc/os-release", "utf8");
  } catch {
    return null;
  }
  const ids = [/^ID=(.*)$/m, /^ID_LIKE=(.*)$/m]
    .map((pattern) => (pattern.exec(release)?.[1] ?? "").replace(/"/g, ""))
    .join(" ")
    .split(/\s+/);
  if (ids.includes("alpine")) return "apk";
  if (ids.some((id) => ["debian", "ubuntu"].includes(id))) return "apt";
  if (ids.some((id) => ["fedora", "rhel", "centos"].includes(id))) return "dnf";
  return null;
}

function installHint(tool, manager) {
  if (manager === "brew" && tool.packages.brew === null) {
    return "xcode-select --install (Apple's command line tools)";
  }
  if (manager) return INSTALL[manager](tool.packages[manager]);
  return Object.entries(INSTALL)
    .filter(([key]) => key !== "brew")
    .map(([key, command]) => command(tool.packages[key]))
    .join(" or ");
}

/**
 * The build tools that are not on PATH, each with the command that installs it here.
 * @param {{crossCompiling?: boolean, PATH?: string}} [options] a cross build takes its
 *   compilers from its toolchain file, so the native ones are not required
 * @returns {{name: string, install: string}[]}
 */
function findMissingTools({ crossCompiling = false, PATH } = {}) {
  const manager = packageManager();
  return TOOLS.filter((tool) => !(crossCompiling && tool.native))
    .filter((tool) => {
      const names = typeof tool.found === "function" ? tool.found() : tool.found;
      return !names.some((name) => onPath(name, PATH));
    })
    .map((tool) => ({ name: tool.name, install: installHint(tool, manager) }));
}

// One line per missing tool: "zmq-napi: building from source needs cmake: apt-get install -y cmake".
class MissingToolError extends Error {
  constructor(missing) {
    super(
      missing
        .map((tool) => `zmq-napi: building from source needs ${tool.name}: ${tool.install}`)
        .join("\n"),
    );
    this.name = "MissingToolError";
    this.missing = missing;
  }
}

module.exports = { findMissingTools, MissingToolError, packageManager };
