import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { ZMQ } from "../src/generated/zmq-constants";
import { describeExit, runChild } from "./helpers/children";

// Socket types, option ids and event ids come from the vendored libzmq's zmq.h through
// scripts/generate-constants.js, never typed by hand: the committed file must be what the
// header gives.
describe("constants generated from zmq.h", () => {
  it("are up to date with the vendored header", async () => {
    const script = path.join(__dirname, "..", "scripts", "generate-constants.js");
    const result = await runChild([process.execPath, script, "--check"], { timeoutMs: 30_000 });
    expect(result.code, describeExit(result)).toBe(0);
  });

  it("include the draft socket types and options", () => {
    expect(ZMQ.SERVER).toBe(12);
    expect(ZMQ.PEER).toBe(19);
    expect(ZMQ.ROUTER_NOTIFY).toBe(97);
    expect(ZMQ.SNDHWM).toBe(23);
  });
});
