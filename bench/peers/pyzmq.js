"use strict";
// The pyzmq peer: pyzmq_worker.py on Debian's python3-zmq (/usr/bin/python3 by default, since
// another python3 on PATH may lack it; PYTHON overrides).
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { askVersions } = require("./node");

const WORKER = path.join(__dirname, "pyzmq_worker.py");

function createPyzmqPeer() {
  const python =
    process.env.PYTHON || (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  return {
    name: "pyzmq",
    title: "pyzmq",
    check() {
      const probe = spawnSync(python, ["-c", "import zmq"], { encoding: "utf8" });
      if (probe.error) return `${python}: ${probe.error.message}`;
      if (probe.status !== 0) return `${python} cannot import zmq (apt-get install python3-zmq)`;
      return null;
    },
    versions() {
      return askVersions(python, [WORKER, "version"]);
    },
    launch(role, { endpoint, size, count }) {
      return {
        command: python,
        args: [WORKER, role, endpoint, String(size), String(count)],
        label: `pyzmq ${role}`,
        announcesReady: ["pull", "sub", "rep"].includes(role),
      };
    },
  };
}

module.exports = { createPyzmqPeer };
