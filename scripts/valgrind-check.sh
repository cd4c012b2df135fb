#!/usr/bin/env bash
# Runs a representative workload of zmq-napi (test/fixtures/reliability-valgrind-workload.cjs:
# every pattern, multipart, close while pending, CURVE, Observer/Proxy, draft sockets, GC of
# dropped sockets, worker exit, process exit with open sockets) under valgrind's memcheck and
# fails only on errors that involve OUR code: the addon (zmq_napi.node, which also holds the
# statically linked libzmq, libsodium and OpenPGM).
#
#   scripts/valgrind-check.sh [--from-src] [--keep]
#
# How node/V8 noise is kept out:
#   1. A baseline run of node alone (timers, promises, Buffers, gc(), a worker thread; no
#      zmq-napi) with --gen-suppressions=all: every error it reports is node's or V8's. Each
#      becomes a suppression (its first frames, then "..."), together with a few well-known
#      ones (V8's conservative stack scan reads uninitialised stack words by design).
#   2. The workload runs with those suppressions and --error-exitcode=1.
#   3. Whatever is left is classified by its stacks: an error with a frame in zmq_napi.node or
#      a function of ours (zmq_napi::, zmq::, zmq_*, sodium_*, crypto_*, pgm_*) fails the
#      check; any other (node/V8 noise the baseline did not show) is listed but does not.
# --from-src loads src/ through the test loader instead of lib/; --keep keeps the logs.
# Installs valgrind with apt-get when it is missing. Exit status: 0 clean, 1 errors in our
# code (or the workload failed), 2 setup problems.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from_src=0
keep=0
for arg in "$@"; do
  case "$arg" in
    --from-src) from_src=1 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--from-src] [--keep]" >&2; exit 2 ;;
  esac
done

if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind-check: valgrind is missing; installing it with apt-get"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  fi
  command -v valgrind >/dev/null 2>&1 || { echo "valgrind-check: could not install valgrind" >&2; exit 2; }
fi

node_bin="$(command -v node)"
work="$(mktemp -d "${TMPDIR:-/tmp}/zmq-napi-valgrind-XXXXXX")"
cleanup() { if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "valgrind-check: logs kept in $work"; fi; }
trap cleanup EXIT

# --jitless: V8 interprets, so valgrind never has to follow self-modifying JIT code (and the
# stacks read as functions, not addresses).
node_flags=(--expose-gc --jitless)
memcheck=(
  --tool=memcheck
  --error-exitcode=1
  --leak-check=full
  --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite
  --num-callers=50
  --gen-suppressions=all
)

echo "valgrind-check: $(valgrind --version), node $("$node_bin" --version)"

# --- 1. baseline: node alone ------------------------------------------------------------------
cat >"$work/baseline.js" <<'EOF'
"use strict";
const { Worker, isMainThread } = require("node:worker_threads");
const fs = require("node:fs");
async function main() {
  const chunks = [];
  for (let i = 0; i < 2000; i++) chunks.push(Buffer.alloc(i % 4096, i & 255));
  await new Promise((resolve) => setTimeout(resolve, 10));
  await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise((resolve) => setImmediate(resolve, i))));
  fs.readdirSync("/proc/self/fd");
  globalThis.gc();
  await new Promise((resolve, reject) => {
    const worker = new Worker("require('node:worker_threads').parentPort.postMessage(Buffer.alloc(64))", { eval: true });
    worker.once("message", () => undefined);
    worker.once("error", reject);
    worker.once("exit", resolve);
  });
  const terminated = new Worker("setInterval(() => {}, 1000)", { eval: true });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await terminated.terminate();
  globalThis.gc();
  console.log("baseline done", chunks.length);
}
if (isMainThread) main();
EOF

echo "valgrind-check: 1/3 baseline (node alone) for node/V8 noise"
started=$SECONDS
valgrind "${memcheck[@]}" --xml=yes --xml-file="$work/baseline.xml" \
  "$node_bin" "${node_flags[@]}" "$work/baseline.js" >"$work/baseline.out" 2>&1
echo "valgrind-check:     $((SECONDS - started)) s"

# --- helpers (node): suppressions out of valgrind's XML, and the classification ---------------
cat >"$work/valgrind-xml.js" <<'EOF'
"use strict";
const fs = require("node:fs");
const [command, file, output] = process.argv.slice(2);
const xml = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
const decode = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
const tag = (text, name) => {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text);
  return match ? decode(match[1].trim()) : "";
};
const errors = [...xml.matchAll(/<error>([\s\S]*?)<\/error>/g)].map(([, body]) => {
  const frames = [...body.matchAll(/<frame>([\s\S]*?)<\/frame>/g)].map(([, frame]) => ({
    fn: tag(frame, "fn"),
    obj: tag(frame, "obj"),
    file: tag(frame, "file"),
    line: tag(frame, "line"),
  }));
  const suppression = /<suppression>([\s\S]*?)<\/suppression>/.exec(body);
  return {
    kind: tag(body, "kind"),
    what: tag(body, "what") || tag(/<xwhat>([\s\S]*?)<\/xwhat>/.exec(body)?.[1] ?? "", "text"),
    frames,
    suppression: suppression ? suppression[1] : "",
  };
});

// Ours: the addon's object, or a function of the addon or of the libraries linked into it.
const OURS = /zmq_napi|(^|[^a-z_])zmq::|^zmq_|(^|::)(sodium_|crypto_|randombytes)|^_?pgm_/;
const isOurs = (error) => error.frames.some((frame) => /zmq_napi\.node$/.test(frame.obj) || OURS.test(frame.fn));

if (command === "suppressions") {
  // First frames of each baseline error, then "...": the same noise reached by other paths.
  const KEEP = 4;
  const blocks = new Set();
  for (const error of errors) {
    if (error.suppression === "") continue;
    const kind = tag(error.suppression, "skind");
    const aux = tag(error.suppression, "skaux");
    const frames = [...error.suppression.matchAll(/<sframe>([\s\S]*?)<\/sframe>/g)].slice(0, KEEP).map(([, frame]) => {
      const fn = tag(frame, "fun");
      return fn ? `   fun:${fn}` : `   obj:${tag(frame, "obj")}`;
    });
    blocks.add([`{`, `   node-noise-${blocks.size}`, `   ${kind}`, ...(aux ? [`   ${aux}`] : []), ...frames, `   ...`, `}`].join("\n"));
  }
  // Known: V8's conservative stack scanning reads uninitialised stack words by design.
  for (const kind of ["Memcheck:Cond", "Memcheck:Value8"]) {
    blocks.add([`{`, `   v8-conservative-stack-scan-${kind.split(":")[1]}`, `   ${kind}`, `   fun:*IteratePointersInStack*`, `   ...`, `}`].join("\n"));
  }
  fs.writeFileSync(output, [...blocks].join("\n") + "\n");
  console.log(blocks.size);
} else if (command === "classify") {
  const ours = errors.filter(isOurs);
  const noise = errors.filter((error) => !isOurs(error));
  const pairs = [...xml.matchAll(/<pair>\s*<count>(\d+)<\/count>\s*<name>([^<]*)<\/name>/g)];
  const suppressed = pairs.reduce((sum, [, count]) => sum + Number(count), 0);
  const leaks = errors.filter((error) => error.kind.startsWith("Leak_"));
  const show = (error) => {
    const top = error.frames.slice(0, 12).map((frame) => `      ${frame.fn || "???"} (${frame.file ? `${frame.file}:${frame.line}` : frame.obj.split("/").pop()})`);
    return [`   ${error.kind}: ${error.what}`, ...top].join("\n");
  };
  console.log(`valgrind-check: ${errors.length} unsuppressed error(s): ${ours.length} in zmq-napi, ${noise.length} node/V8 noise; ${suppressed} suppressed as node/V8 noise`);
  for (const [, count, name] of pairs) console.log(`valgrind-check:     suppressed ${count} × ${name}`);
  console.log(`valgrind-check:     leak errors (definitely lost, after suppressions): ${leaks.length}`);
  for (const error of ours) console.log(`  IN ZMQ-NAPI:\n${show(error)}`);
  for (const error of noise) console.log(`  (noise, not counted)\n${show(error)}`);
  process.exitCode = ours.length > 0 ? 1 : 0;
}
EOF

count="$("$node_bin" "$work/valgrind-xml.js" suppressions "$work/baseline.xml" "$work/node-noise.supp")" || exit 2
echo "valgrind-check:     $count suppression(s) for node/V8 noise"

# --- 2. the workload ------------------------------------------------------------------------------
echo "valgrind-check: 2/3 workload under valgrind (--error-exitcode=1, node/V8 noise suppressed)"
started=$SECONDS
env_src=()
[ "$from_src" -eq 1 ] && env_src=(ZMQ_NAPI_FROM_SRC=1)
env "${env_src[@]}" valgrind "${memcheck[@]}" --suppressions="$work/node-noise.supp" \
  --xml=yes --xml-file="$work/workload.xml" \
  "$node_bin" "${node_flags[@]}" "$root/test/fixtures/reliability-valgrind-workload.cjs" >"$work/workload.out" 2>&1
valgrind_status=$?
echo "valgrind-check:     $((SECONDS - started)) s, valgrind exit status $valgrind_status"
workload_ok=1
if ! grep -q "^workload done$" "$work/workload.out"; then
  workload_ok=0
  echo "valgrind-check: the workload did not finish:"
  tail -n 30 "$work/workload.out"
fi

# --- 3. what is left --------------------------------------------------------------------------
echo "valgrind-check: 3/3 classification"
"$node_bin" "$work/valgrind-xml.js" classify "$work/workload.xml"
ours_status=$?

if [ "$workload_ok" -eq 0 ] || [ "$ours_status" -ne 0 ]; then
  echo "valgrind-check: FAILED"
  exit 1
fi
echo "valgrind-check: OK (no error in zmq-napi's code)"
exit 0
