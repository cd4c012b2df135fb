"use strict";
// Checks formatting and types:
//   - prettier over the TypeScript/JavaScript sources (src, test, bench, examples, scripts,
//     deps/*.js and the *.ts/*.mts/*.cts config files at the top level);
//   - clang-format over binding/**/*.{c,cc,h}, when clang-format is installed (Debian package
//     clang-format; CLANG_FORMAT names another binary). Without it this step is skipped with a
//     notice, and fails only when CI=true;
//   - tsc -p tsconfig.json --noEmit;
//   - publint over the package as `npm pack` would publish it (package.json's exports, types,
//     files…): errors and warnings fail; suggestions are printed only.
//
//   node scripts/lint.js          check; exits non-zero when any step fails
//   node scripts/lint.js --fix    rewrite the formatting instead of checking it (tsc and
//                                 publint still run)

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
const fix = args.includes("--fix");
const unknown = args.filter((arg) => arg !== "--fix");
if (unknown.length) {
  process.stderr.write(
    `lint: unknown argument ${unknown.join(" ")}\nusage: node scripts/lint.js [--fix]\n`,
  );
  process.exit(2);
}
const inCI = /^(true|1)$/i.test(process.env.CI ?? "");

const SCRIPT_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const SKIPPED_DIRECTORIES = new Set(["node_modules", "build", "lib", "prebuilds", "licenses"]);

// Every file under `dir` (relative to the root) whose name passes `keep`, skipping dot
// directories and build output. A missing directory gives nothing.
function walk(dir, keep) {
  const found = [];
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return found;
  for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      found.push(...walk(relative, keep));
    } else if (entry.isFile() && keep(entry.name)) {
      found.push(relative);
    }
  }
  return found.sort();
}

function isScript(name) {
  return SCRIPT_EXTENSIONS.some((extension) => name.endsWith(extension));
}

function scriptFiles() {
  const files = [];
  for (const dir of ["src", "test", "bench", "examples", "scripts"])
    files.push(...walk(dir, isScript));
  files.push(
    ...walk("deps", (name) => name.endsWith(".js")).filter((file) => path.dirname(file) === "deps"),
  );
  // Top-level config files such as vitest.config.mts.
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && /\.(c|m)?ts$/.test(entry.name)) files.push(entry.name);
  }
  return files;
}

function cppFiles() {
  return walk("binding", (name) => /\.(c|cc|h)$/.test(name));
}

function run(command, commandArgs, options = {}) {
  return spawnSync(command, commandArgs, { cwd: root, encoding: "utf8", ...options });
}

function heading(text) {
  process.stdout.write(`\n== ${text}\n`);
}

// Each step returns { ok, summary }.
function prettierStep() {
  const files = scriptFiles();
  heading(`prettier ${fix ? "--write" : "--check"} (${files.length} files)`);
  if (!files.length) return { ok: true, summary: "no files" };
  const prettier = require.resolve("prettier/bin/prettier.cjs", { paths: [root] });
  const mode = fix ? ["--write", "--list-different"] : ["--check"];
  const result = run(process.execPath, [prettier, ...mode, "--", ...files], { stdio: "inherit" });
  if (result.error)
    return { ok: false, summary: `could not run prettier: ${result.error.message}` };
  if (fix) {
    return result.status === 0
      ? { ok: true, summary: "formatted" }
      : { ok: false, summary: `prettier --write exited with ${result.status}` };
  }
  return result.status === 0
    ? { ok: true, summary: "formatted correctly" }
    : { ok: false, summary: "files need formatting (npm run format)" };
}

function clangFormatStep() {
  const binary = process.env.CLANG_FORMAT || "clang-format";
  const files = cppFiles();
  heading(`clang-format ${fix ? "-i" : "--dry-run --Werror"} (${files.length} files)`);
  const probe = run(binary, ["--version"]);
  if (probe.error || probe.status !== 0) {
    const notice =
      `${binary} is not installed, so the C++ formatting was not checked ` +
      "(Debian/Ubuntu: apt-get install -y clang-format; or set CLANG_FORMAT).";
    process.stdout.write(`NOTICE: ${notice}\n`);
    return inCI
      ? { ok: false, summary: "clang-format missing (required when CI=true)" }
      : { ok: true, summary: "skipped: clang-format not installed" };
  }
  process.stdout.write(probe.stdout.trim() + "\n");
  if (!files.length) return { ok: true, summary: "no files" };
  const mode = fix ? ["-i"] : ["--dry-run", "--Werror"];
  const result = run(binary, ["--style=file", ...mode, ...files]);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.error)
    return { ok: false, summary: `could not run ${binary}: ${result.error.message}` };
  if (result.status === 0) return { ok: true, summary: fix ? "formatted" : "formatted correctly" };
  if (fix) return { ok: false, summary: `${binary} -i exited with ${result.status}` };
  const offending = new Set();
  for (const line of result.stderr.split("\n")) {
    const match = /^(.+?):\d+:\d+: (?:error|warning):/.exec(line);
    if (match) offending.add(path.relative(root, path.resolve(root, match[1])));
  }
  process.stdout.write(
    offending.size
      ? `files that need clang-format:\n${[...offending].map((f) => `  ${f}`).join("\n")}\n`
      : "",
  );
  const count = offending.size === 1 ? "1 file needs" : `${offending.size || "some"} files need`;
  return { ok: false, summary: `${count} formatting (npm run format)` };
}

function typecheckStep() {
  heading("tsc -p tsconfig.json --noEmit");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const result = run(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], {
    stdio: "inherit",
  });
  if (result.error) return { ok: false, summary: `could not run tsc: ${result.error.message}` };
  return result.status === 0
    ? { ok: true, summary: "no type errors" }
    : { ok: false, summary: "type errors" };
}

async function publintStep() {
  heading("publint (the package as npm pack publishes it)");
  let publint, formatMessage;
  try {
    // publint is an ES module.
    ({ publint } = await import("publint"));
    ({ formatMessage } = await import("publint/utils"));
  } catch (error) {
    return { ok: false, summary: `could not load publint: ${error.message}` };
  }
  let result;
  try {
    result = await publint({ pkgDir: root, level: "suggestion", pack: "npm" });
  } catch (error) {
    return { ok: false, summary: `publint failed: ${error.message}` };
  }
  const count = { error: 0, warning: 0, suggestion: 0 };
  for (const message of result.messages) {
    count[message.type] += 1;
    const text = formatMessage(message, result.pkg, { color: false }) ?? message.code;
    process.stdout.write(`${message.type}: ${text}\n`);
  }
  const tally = `${count.error} errors, ${count.warning} warnings, ${count.suggestion} suggestions`;
  if (!result.messages.length) process.stdout.write("no messages\n");
  return count.error || count.warning
    ? { ok: false, summary: `${tally} (errors and warnings must be fixed)` }
    : { ok: true, summary: tally };
}

async function main() {
  const results = [
    ["prettier", prettierStep()],
    ["clang-format", clangFormatStep()],
    ["tsc", typecheckStep()],
    ["publint", await publintStep()],
  ];

  heading("summary");
  for (const [name, { ok, summary }] of results) {
    process.stdout.write(`${ok ? "ok  " : "FAIL"} ${name}: ${summary}\n`);
  }
  process.exit(results.every(([, { ok }]) => ok) ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`lint: ${error.stack ?? error}\n`);
  process.exit(1);
});
