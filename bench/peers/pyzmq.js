"use strict";
// The pyzmq peers: pyzmq_worker.py on Debian's python3-zmq (/usr/bin/python3 by default, since
// another python3 on PATH may lack it; PYTHON overrides), in two modes: pyzmq's default
// (copy=True: every message received is copied into a bytes object) and zero-copy
// (copy=False on every send and recv, pyzmq's --no-copy).
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { askVersions } = require("./node");

const WORKER = path.join(__dirname, "pyzmq_worker.py");

function pythonBinary() {
  return process.env.PYTHON || (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

function createPyzmqPeer({ name, title, zeroCopy }) {
  const python = pythonBinary();
  const mode = zeroCopy ? ["--zero-copy"] : [];
  let missing; // the answer of check(), once known
  return {
    name,
    title,
    check() {
      if (missing !== undefined) return missing;
      const probe = spawnSync(python, ["-c", "import zmq"], { encoding: "utf8" });
      if (probe.error) missing = `${python}: ${probe.error.message}`;
      else if (probe.status !== 0)
        missing = `${python} cannot import zmq (apt-get install python3-zmq)`;
      else missing = null;
      return missing;
    },
    versions() {
      return askVersions(python, [WORKER, ...mode, "version"]);
    },
    launch(role, { endpoint, size, count }) {
      return {
        command: python,
        args: [WORKER, ...mode, role, endpoint, String(size), String(count)],
        label: `${title} ${role}`,
        announcesReady: ["pull", "sub", "rep"].includes(role),
      };
    },
  };
}

function createPyzmqPeers() {
  return [
    createPyzmqPeer({ name: "pyzmq", title: "pyzmq", zeroCopy: false }),
    createPyzmqPeer({ name: "pyzmq-zc", title: "pyzmq zero-copy", zeroCopy: true }),
  ];
}

module.exports = { createPyzmqPeers };
