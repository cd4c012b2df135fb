"use strict";
// The Node-API peers: zmq-napi (idiomatic, batch and zero-copy styles) and the `zeromq` package, all
// running node-worker.mjs. zmq-napi can run under another runtime (--runtime bun|deno); the
// `zeromq` package stays on Node, the reference it is compared with.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const WORKER = path.join(__dirname, "node-worker.mjs");
const root = path.join(__dirname, "..", "..");

/** A runtime's binary: the project's dev dependency (node_modules/.bin) first, then PATH. */
function binary(name) {
  const local = path.join(root, "node_modules", ".bin", name);
  return fs.existsSync(local) ? local : name;
}

const RUNTIMES = {
  node: () => [process.execPath],
  bun: () => [binary("bun")],
  deno: () => [binary("deno"), "run", "--allow-all"],
};
/** Quiet runtimes: no update checks or colours in what the harness parses. */
const RUNTIME_ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

function runtimeMissing(runtime) {
  if (runtime === "node") return null;
  const probe = spawnSync(RUNTIMES[runtime]()[0], ["--version"], {
    encoding: "utf8",
    env: { ...process.env, ...RUNTIME_ENV },
  });
  return probe.status === 0 ? null : `${runtime} is not installed`;
}

/** Asks a worker for its library and libzmq versions. */
function askVersions(command, args) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: 20000,
    env: { ...process.env, ...RUNTIME_ENV },
  });
  const line = (result.stdout || "").split("\n").find((text) => text.includes('"version"'));
  if (!line)
    throw new Error((result.stderr || result.error?.message || "no answer").trim().slice(-300));
  const { library, libzmq, runtime } = JSON.parse(line);
  return { library, libzmq, runtime };
}

function createNodePeer({ name, title, library, style, runtime = "node" }) {
  const [command, ...prefixArgs] = RUNTIMES[runtime]();
  const label = runtime === "node" ? title : `${title} (${runtime})`;
  return {
    name,
    title: label,
    check() {
      const missing = runtimeMissing(runtime);
      if (missing) return missing;
      if (library === "zmq-napi" && !fs.existsSync(path.join(root, "lib", "index.js"))) {
        return "lib/ is not built (npx tsc -p tsconfig.build.json)";
      }
      try {
        require.resolve(library === "zmq-napi" ? root : "zeromq");
      } catch {
        return `${library} cannot be loaded`;
      }
      return null;
    },
    versions() {
      return askVersions(command, [...prefixArgs, WORKER, library, "-", "version"]);
    },
    launch(role, { endpoint, size, count }) {
      return {
        command,
        args: [...prefixArgs, WORKER, library, style, role, endpoint, String(size), String(count)],
        label: `${label} ${role}`,
        env: RUNTIME_ENV,
        announcesReady: ["pull", "sub", "rep"].includes(role),
      };
    },
  };
}

function createNodePeers(runtime) {
  return [
    createNodePeer({ name: "zeromq", title: "zeromq", library: "zeromq", style: "idiomatic" }),
    createNodePeer({
      name: "napi",
      title: "zmq-napi",
      library: "zmq-napi",
      style: "idiomatic",
      runtime,
    }),
    createNodePeer({
      name: "napi-batch",
      title: "zmq-napi batch",
      library: "zmq-napi",
      style: "batch",
      runtime,
    }),
    createNodePeer({
      name: "napi-zc",
      title: "zmq-napi zero-copy",
      library: "zmq-napi",
      style: "zero-copy",
      runtime,
    }),
  ];
}

module.exports = { createNodePeers, askVersions, RUNTIMES };
