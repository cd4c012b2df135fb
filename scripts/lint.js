"use strict";
// Checks formatting, types and the lint rules that find bugs:
//   - prettier over the TypeScript/JavaScript sources (src, test, bench, examples, scripts,
//     deps/*.js and the config files at the top level);
//   - clang-format over binding/**/*.{c,cc,h};
//   - tsc -p tsconfig.json --noEmit;
//   - ESLint (eslint.config.mjs) over the same sources, with type information;
//   - clang-tidy (.clang-tidy) over binding/*.cc, with the compiler flags CMake writes to
//     build/clang-tidy/compile_commands.json (configured, never compiled, here). A file whose
//     inputs are unchanged since it last passed is not checked again (build/clang-tidy/passed.json);
//   - publint over the package as `npm pack` would publish it (package.json's exports, types,
//     files…): errors and warnings fail; suggestions are printed only.
// clang-format and clang-tidy are the Debian packages of those names (CLANG_FORMAT and
// CLANG_TIDY name other binaries). Without one its step is skipped with a notice, and fails
// only when CI=true.
//
//   node scripts/lint.js          check; exits non-zero when any step fails
//   node scripts/lint.js --fix    rewrite the formatting, and what ESLint can fix, instead of
//                                 checking it (the other steps still run)

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");

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
  // Top-level config files such as vitest.config.mts and eslint.config.mjs.
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && isScript(entry.name)) files.push(entry.name);
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

// The binary of a Debian package (clang-format, clang-tidy) that $variable may replace, with
// its version; or, when it does not run, the step's result: skipped, or failed when CI=true.
function findTool(tool, variable, checked) {
  const binary = process.env[variable] || tool;
  const probe = run(binary, ["--version"]);
  if (probe.error || probe.status !== 0) {
    process.stdout.write(
      `NOTICE: ${binary} is not installed, so ${checked} not checked ` +
        `(Debian/Ubuntu: apt-get install -y ${tool}; or set ${variable}).\n`,
    );
    const skipped = inCI
      ? { ok: false, summary: `${tool} missing (required when CI=true)` }
      : { ok: true, summary: `skipped: ${tool} not installed` };
    return { skipped };
  }
  const version = probe.stdout.trim();
  process.stdout.write(version.split("\n")[0] + "\n");
  return { binary, version };
}

function clangFormatStep() {
  const files = cppFiles();
  heading(`clang-format ${fix ? "-i" : "--dry-run --Werror"} (${files.length} files)`);
  const { binary, skipped } = findTool("clang-format", "CLANG_FORMAT", "the C++ formatting was");
  if (skipped) return skipped;
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

function runAsync(command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ status: null, output: error.message }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

// Output and exit status, once it has run.
function startEslint() {
  const manifest = require.resolve("eslint/package.json", { paths: [root] });
  const eslint = path.join(path.dirname(manifest), require(manifest).bin.eslint);
  const mode = fix ? ["--fix"] : [];
  return runAsync(process.execPath, [eslint, "--max-warnings", "0", ...mode, "."]);
}

async function eslintStep(running) {
  heading(`eslint${fix ? " --fix" : ""} (eslint.config.mjs, with type information)`);
  const { status, output } = await running;
  process.stdout.write(output);
  if (status === null) return { ok: false, summary: `could not run eslint: ${output}` };
  return status === 0
    ? { ok: true, summary: "no problems" }
    : { ok: false, summary: "problems found (see above)" };
}

const TIDY_DIR = path.join("build", "clang-tidy");
const TIDY_PASSED = path.join(root, TIDY_DIR, "passed.json");

// compile_commands.json for binding/*.cc, written again when CMakeLists.txt is newer or the
// sources have changed (a file added or removed).
function compileCommands(sources) {
  const file = path.join(root, TIDY_DIR, "compile_commands.json");
  const read = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : []);
  let entries = read();
  const listed = new Set(entries.map((entry) => path.relative(root, entry.file)));
  const stale =
    !fs.existsSync(file) ||
    fs.statSync(file).mtimeMs < fs.statSync(path.join(root, "CMakeLists.txt")).mtimeMs ||
    sources.some((source) => !listed.has(source)) ||
    listed.size !== sources.length;
  if (stale) {
    require("./build-native").writeCompileCommands(path.join(root, TIDY_DIR));
    entries = read();
  }
  return new Map(entries.map((entry) => [path.relative(root, entry.file), entry]));
}

// What a file's result depends on: the tool, its configuration, the flags, the file and every
// header of binding/ (any of which it may include).
function tidyKey(version, entry, source, headers) {
  const hash = crypto.createHash("sha256");
  hash.update(version);
  hash.update(fs.readFileSync(path.join(root, ".clang-tidy")));
  hash.update(JSON.stringify(entry.arguments ?? entry.command));
  for (const file of [source, ...headers]) hash.update(file).update(fs.readFileSync(file));
  return hash.digest("hex");
}

async function clangTidyStep() {
  const sources = cppFiles().filter((file) => file.endsWith(".cc"));
  heading(`clang-tidy (.clang-tidy; ${sources.length} files)`);
  const { binary, version, skipped } = findTool("clang-tidy", "CLANG_TIDY", "binding/ was");
  if (skipped) return skipped;
  let entries;
  try {
    entries = compileCommands(sources);
  } catch (error) {
    return { ok: false, summary: `could not write compile_commands.json: ${error.message}` };
  }
  const headers = cppFiles().filter((file) => file.endsWith(".h"));
  /** @type {Record<string, string>} */
  const passed = fs.existsSync(TIDY_PASSED) ? JSON.parse(fs.readFileSync(TIDY_PASSED, "utf8")) : {};
  const keys = new Map(
    sources.map((source) => [source, tidyKey(version, entries.get(source), source, headers)]),
  );
  const queue = sources.filter((source) => passed[source] !== keys.get(source));
  process.stdout.write(`${sources.length - queue.length} unchanged since they passed\n`);
  const failed = [];
  const worker = async () => {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      const args = ["-p", TIDY_DIR, "--quiet", source];
      const { status, output } = await runAsync(binary, args);
      // Without "N warnings generated." (the headers outside binding/, not checked).
      const shown = output.replace(/^\d+ warnings?( and \d+ errors?)? generated\.\n/gm, "");
      if (shown.trim()) process.stdout.write(shown);
      if (status === 0) passed[source] = keys.get(source);
      else failed.push(source);
    }
  };
  const jobs = Math.max(1, Math.min(os.availableParallelism(), queue.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  const kept = Object.fromEntries(sources.filter((s) => passed[s]).map((s) => [s, passed[s]]));
  fs.writeFileSync(TIDY_PASSED, JSON.stringify(kept, null, 2) + "\n");
  return failed.length
    ? { ok: false, summary: `findings in ${failed.sort().join(", ")}` }
    : { ok: true, summary: "no findings" };
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
  // ESLint takes longest: when checking, it runs beside the steps before it (its output is
  // shown in its turn). With --fix it rewrites files, so it waits for prettier's rewrite.
  const eslintRun = fix ? undefined : startEslint();
  const steps = [
    ["prettier", prettierStep],
    ["clang-format", clangFormatStep],
    ["tsc", typecheckStep],
    ["eslint", () => eslintStep(eslintRun ?? startEslint())],
    ["clang-tidy", clangTidyStep],
    ["publint", publintStep],
  ];
  const results = [];
  for (const [name, step] of steps) {
    const started = Date.now();
    const result = await step();
    results.push([name, { ...result, seconds: (Date.now() - started) / 1000 }]);
  }

  heading("summary");
  for (const [name, { ok, summary, seconds }] of results) {
    process.stdout.write(`${ok ? "ok  " : "FAIL"} ${name}: ${summary} (${seconds.toFixed(1)} s)\n`);
  }
  process.exit(results.every(([, { ok }]) => ok) ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`lint: ${error.stack ?? error}\n`);
  process.exit(1);
});
