"use strict";
// The scenarios, after libzmq's perf/ tools. Two-process scenarios name the role of each
// process: the "server" binds (like local_thr / local_lat), the "client" connects (like
// remote_thr / remote_lat), and `measurer` says which of them times the run.
//
//   kind "thr": the receiver times from its first message to its last; result in msg/s.
//   kind "lat": the requester times `count` full round trips; result in µs per round trip
//               (libzmq's remote_lat prints half of that; the C peer converts).

const scenarios = [
  {
    name: "thr-tcp",
    title: "PUSH→PULL throughput, tcp",
    kind: "thr",
    transport: "tcp",
    server: "pull",
    client: "push",
    measurer: "server",
  },
  {
    name: "thr-ipc",
    title: "PUSH→PULL throughput, ipc",
    kind: "thr",
    transport: "ipc",
    server: "pull",
    client: "push",
    measurer: "server",
  },
  {
    // SNDHWM/RCVHWM 0 so that nothing is dropped at the high water mark; the publisher
    // probes with empty messages until the subscriber has seen one (its subscription has
    // arrived), then the harness relays "go". Drops are counted, not assumed away.
    name: "pubsub-tcp",
    title: "PUB→SUB throughput, tcp (HWM 0)",
    kind: "thr",
    transport: "tcp",
    server: "sub",
    client: "pub",
    measurer: "server",
    relayGo: true,
    drops: true,
  },
  {
    name: "thr-inproc",
    title: "PUSH→PULL throughput, inproc (one process)",
    kind: "thr",
    transport: "inproc",
    single: "inproc",
  },
  {
    name: "lat-tcp",
    title: "REQ↔REP round trip, tcp",
    kind: "lat",
    transport: "tcp",
    server: "rep",
    client: "req",
    measurer: "client",
  },
];

const byName = new Map(scenarios.map((scenario) => [scenario.name, scenario]));

module.exports = { scenarios, byName };
