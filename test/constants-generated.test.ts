import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { ZMQ } from "../src/generated/zmq-constants";

// Socket types, option ids and event ids come from the vendored libzmq's zmq.h through
// scripts/generate-constants.js, never typed by hand: the committed file must be what the
// header gives.
describe("constants generated from zmq.h", () => {
  it("are up to date with the vendored header", () => {
    const script = path.join(__dirname, "..", "scripts", "generate-constants.js");
    const result = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
  });

  it("include the draft socket types and options", () => {
    expect(ZMQ.SERVER).toBe(12);
    expect(ZMQ.PEER).toBe(19);
    expect(ZMQ.ROUTER_NOTIFY).toBe(97);
    expect(ZMQ.SNDHWM).toBe(23);
  });
});
