"use strict";
// Endpoints for one cell. The C perf tools take a fixed bind address (no `tcp://*:*` and no
// way to report the port back), so tcp ports are picked by the harness: the kernel hands out
// a free one, which is released and passed to the worker right away.
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

let counter = 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** { address, cleanup() } for a transport: tcp, ipc or inproc. */
async function endpointFor(transport) {
  counter += 1;
  switch (transport) {
    case "tcp":
      return { address: `tcp://127.0.0.1:${await freePort()}`, cleanup() {} };
    case "ipc": {
      const file = path.join(os.tmpdir(), `zmq-napi-bench-${process.pid}-${counter}.ipc`);
      const cleanup = () => fs.rmSync(file, { force: true });
      cleanup();
      return { address: `ipc://${file}`, cleanup };
    }
    case "inproc":
      return { address: `inproc://zmq-napi-bench-${counter}`, cleanup() {} };
    default:
      throw new Error(`unknown transport ${transport}`);
  }
}

module.exports = { endpointFor };
