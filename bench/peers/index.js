"use strict";
// The peers, in report order. Each one: { name, title, check() -> null | why it is missing,
// versions() -> { library, libzmq, runtime }, launch(role, { endpoint, size, count }) -> how to
// start the process for that role (throws when the peer has no such role) }.
const { createCPeer } = require("./c");
const { createNodePeers } = require("./node");
const { createPyzmqPeers } = require("./pyzmq");

function createPeers({ runtime }) {
  return [createCPeer(), ...createPyzmqPeers(), ...createNodePeers(runtime)];
}

module.exports = { createPeers };
