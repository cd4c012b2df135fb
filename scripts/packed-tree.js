"use strict";
// What the release tests share (scripts/test-packed.js, scripts/test-offline-build.js): a clean
// copy of the tracked files, its TypeScript build and source archives, `npm pack` of it, and an
// empty project to install the tarball into.

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync, execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");

function step(name) {
  process.stdout.write(`\n== ${name}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

function capture(command, args, options = {}) {
  return execFileSync(command, args, { encoding: "utf8", ...options });
}

// The tracked files only (no build/, no lib/, no deps/archives/), with node_modules linked.
function copyTrackedTree(tree) {
  const files = capture("git", ["ls-files", "-z"], { cwd: root }).split("\0").filter(Boolean);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(tree, file));
    fs.chmodSync(path.join(tree, file), fs.statSync(path.join(root, file)).mode);
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
}

// lib/ (as `npm run build:ts` makes it) and deps/archives/ (the prepack script, which
// `npm pack --ignore-scripts` does not run).
function buildPackageContents(tree) {
  run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: tree,
  });
  // The declarations for compilers before 5.4 (typesVersions).
  run(process.execPath, ["scripts/downlevel-types.js"], { cwd: tree });
  run(process.execPath, ["deps/sources.js", "--pack"], { cwd: tree });
}

// `npm pack` of `tree` into `destination`: { tarball, names, size, unpackedSize }.
function pack(tree, destination) {
  const packed = JSON.parse(
    capture("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
      cwd: tree,
    }),
  )[0];
  return {
    tarball: path.join(destination, packed.filename),
    filename: packed.filename,
    names: packed.files.map((file) => file.path),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
  };
}

// What every tarball must carry: the build, the pinned source archives, the bundled
// dependencies, licences, and no build output.
function checkTarballContents(names, { prebuild }) {
  const versions = require("../deps/versions.json");
  const archives = Object.values(versions)
    .filter((entry) => entry && entry.archive)
    .flatMap((entry) => [entry.archive, entry.debian.patches].filter(Boolean))
    .map((artifact) => `deps/archives/${artifact.file}`);
  const expect = [
    ...(prebuild ? [(name) => /^prebuilds\/[^/]+\/.+\.node$/.test(name)] : []),
    ...["lib/index.js", "lib/index.mjs", "lib/index.d.ts", "lib/v5-compat.js"],
    ...["lib/ts3.7/index.d.ts", "lib/package.json", "src/index.ts", "LICENSE"],
    ...["scripts/install.js", "scripts/build-native.js", "scripts/build-tools.js"],
    ...["CMakeLists.txt", "deps/build.js", "deps/sources.js", "deps/versions.json"],
    ...archives,
    ...["node-addon-api", "node-api-headers", "node-gyp-build"].map(
      (dep) => `node_modules/${dep}/package.json`,
    ),
    ...(prebuild ? ["libzmq", "openpgm", "libsodium"].map((lib) => `licenses/${lib}/`) : []),
  ];
  const missing = expect.filter((want) =>
    typeof want === "function"
      ? !names.some(want)
      : want.endsWith("/")
        ? !names.some((name) => name.startsWith(want))
        : !names.includes(want),
  );
  if (missing.length) throw new Error(`tarball lacks expected files:\n${missing.join("\n")}`);
  const stray = names.filter(
    (name) => /(^|\/)build\/|\.(o|a)$/.test(name) || /^node_modules\/cmake-js\//.test(name),
  );
  if (stray.length) throw new Error(`tarball carries build output: ${stray.join(", ")}`);
}

// The source maps of an installed package whose sources are missing ([] when all resolve).
function unresolvedSourceMaps(packageDir) {
  const missing = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".map")) {
        const map = JSON.parse(fs.readFileSync(file, "utf8"));
        for (const source of map.sources) {
          const resolved = path.resolve(path.dirname(file), map.sourceRoot || "", source);
          if (!fs.existsSync(resolved))
            missing.push(`${path.relative(packageDir, file)} → ${source}`);
        }
      }
    }
  };
  walk(path.join(packageDir, "lib"));
  return missing;
}

// What every linux build of the package has: pgm, CURVE and the draft API.
function expectFullCapability(capability) {
  for (const key of ["pgm", "curve", "draft"]) {
    if (!capability[key]) throw new Error(`capability.${key} is false`);
  }
}

// Runs a check script's main(): a failure is one line on stderr and exit code 1.
function runCheck(name, main) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
}

function emptyProject(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true }),
  );
  return dir;
}

module.exports = {
  expectFullCapability,
  runCheck,
  step,
  run,
  capture,
  copyTrackedTree,
  buildPackageContents,
  pack,
  checkTarballContents,
  unresolvedSourceMaps,
  emptyProject,
};
