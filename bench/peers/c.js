"use strict";
// The C reference: libzmq's own perf tools (local_thr/remote_thr, local_lat/remote_lat,
// inproc_thr), built by deps/build.js into <prefix>/bin against the same static libzmq as the
// addon, plus pubsub_thr.c for PUB/SUB, which libzmq's perf/ lacks: compiled here, into the
// temp directory, on first use.
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..", "..");
const PUBSUB_SOURCE = path.join(__dirname, "c", "pubsub_thr.c");

function prefix() {
  const file = path.join(root, "build", "deps-prefix.txt");
  if (!fs.existsSync(file)) return null;
  return fs.readFileSync(file, "utf8").trim();
}

/** libzmq's version, from the zmq.h the tools were compiled with. */
function headerVersion(include) {
  const header = fs.readFileSync(path.join(include, "zmq.h"), "utf8");
  const part = (name) => header.match(new RegExp(`#define ZMQ_VERSION_${name} (\\d+)`))?.[1];
  return `${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
}

/**
 * remote_thr exits as soon as its last send returns, and over ipc:// libzmq can then lose the
 * end of the stream (libzmq#4660), leaving local_thr waiting forever. So the C sender is told
 * to send more than local_thr waits for: more than can be in flight (both HWMs of 1000 plus a
 * few MiB of socket buffers). local_thr stops the clock at its own count; the sender, blocked
 * once its peer is gone, is killed.
 */
function senderSlack(size) {
  return 4000 + Math.ceil((4 * 1024 * 1024) / size);
}

function compilePubsub(pre) {
  const libs = ["zmq", "pgm", "sodium"].map((lib) => path.join(pre, "lib", `lib${lib}.a`));
  const hash = crypto.createHash("sha256").update(fs.readFileSync(PUBSUB_SOURCE));
  for (const lib of libs) hash.update(`${lib}:${fs.statSync(lib).mtimeMs}`);
  const dir = path.join(os.tmpdir(), `zmq-napi-bench-c-${hash.digest("hex").slice(0, 12)}`);
  const binary = path.join(dir, "pubsub_thr");
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  const staging = `${binary}.${process.pid}`;
  // libzmq is C++: link with the C++ driver. Same flags as deps/build.js uses for perf tools.
  const cxx = process.env.CXX || "c++";
  const result = spawnSync(
    cxx,
    [
      "-O2",
      "-x",
      "c",
      PUBSUB_SOURCE,
      "-x",
      "none",
      "-DZMQ_STATIC",
      "-I",
      path.join(pre, "include"),
      "-o",
      staging,
      ...libs,
      "-lpthread",
      "-lrt",
      "-lm",
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(
      `cannot compile pubsub_thr.c: ${(result.stderr || result.error?.message || "").trim().slice(0, 300)}`,
    );
  }
  fs.renameSync(staging, binary);
  return binary;
}

function parseThroughput(stdout, count) {
  const rate = Number(stdout.match(/mean throughput: (\d+) \[msg\/s\]/)?.[1]);
  if (!(rate > 0)) throw new Error(`no throughput in output: ${stdout.trim().slice(-200)}`);
  return { messages: count, seconds: count / rate };
}

function parseLatency(stdout, count) {
  // remote_lat prints elapsed / (2 × round trips): half a round trip.
  const half = Number(stdout.match(/average latency: ([\d.]+) \[us\]/)?.[1]);
  if (!(half > 0)) throw new Error(`no latency in output: ${stdout.trim().slice(-200)}`);
  return { roundtrips: count, seconds: (2 * half * count) / 1e6 };
}

function createCPeer() {
  const pre = prefix();
  const bin = pre && path.join(pre, "bin");
  let pubsub = null; // the compiled tool, or the Error that compiling it gave
  const tool = (name) => {
    const file = path.join(bin, name);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing (run npm run build:native)`);
    return file;
  };
  const perf = (name, args, extra) => ({ command: tool(name), args, label: `C ${name}`, ...extra });

  return {
    name: "c",
    title: "C (libzmq perf)",
    check() {
      if (pre === null) return "build/deps-prefix.txt is missing (build the addon first)";
      if (!fs.existsSync(path.join(bin, "local_thr"))) return `no perf tools in ${bin}`;
      return null;
    },
    versions() {
      return {
        library: "libzmq perf tools",
        libzmq: headerVersion(path.join(pre, "include")),
        runtime: "C",
      };
    },
    launch(role, { endpoint, size, count }) {
      switch (role) {
        case "pull":
          return perf("local_thr", [endpoint, size, count], {
            parse: (out) => parseThroughput(out, count),
          });
        case "push":
          return perf("remote_thr", [endpoint, size, count + senderSlack(size)], {
            finish: "kill",
          });
        case "rep": // local_lat sleeps 1 s after its last reply; nothing to wait for
          return perf("local_lat", [endpoint, size, count], { finish: "kill" });
        case "req":
          return perf("remote_lat", [endpoint, size, count], {
            parse: (out) => parseLatency(out, count),
          });
        case "inproc": // its own endpoint (inproc://thr_test)
          return perf("inproc_thr", [size, count], { parse: (out) => parseThroughput(out, count) });
        case "sub":
        case "pub":
          if (pubsub === null) {
            try {
              pubsub = compilePubsub(pre);
            } catch (error) {
              pubsub = error;
            }
          }
          if (pubsub instanceof Error) throw pubsub;
          return {
            command: pubsub,
            args: [role, endpoint, size, count],
            label: `C pubsub_thr ${role}`,
            announcesReady: role === "sub",
          };
        default:
          throw new Error(`C has no ${role} tool`);
      }
    },
  };
}

module.exports = { createCPeer };
