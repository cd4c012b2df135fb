// jmp 2.0.0 (the Jupyter messaging package of ijavascript), unchanged, on zmq-napi's v5 API: it
// subclasses zeromq 5's Socket by prototype (`zmq.Socket.call(this, type)`), so it needs a Socket
// that can be called as a function. A signed kernel_info request and its reply make the round
// trip; zeromq 6's own v5-compat, whose Socket is an ES class, fails where zmq-napi works.
// Each run is a child process (test/fixtures/jmp-round-trip.cjs) that points jmp's
// `require("zeromq")` at the module under test.
import { describe, expect, it } from "vitest";

import { lastJson, runFixture, within } from "./fixtures/reliability-helpers";
import { trackChild } from "./helpers/lifecycle";

interface RoundTrip {
  error?: string;
  zeromqVersion?: string;
  heartbeat?: string;
  reply?: {
    msg_type: string;
    version: string;
    session: boolean;
    parent_msg_id: boolean;
    content: Record<string, unknown>;
  };
  shellMessages?: string[];
  rawShellMessages?: number;
}

async function roundTrip(zeromq: "zmq-napi" | "zeromq-v5-compat" | "zeromq") {
  const run = trackChild(
    runFixture("jmp-round-trip.cjs", [zeromq], {
      nodeArgs: ["--no-deprecation"],
      timeoutMs: 30_000,
    }),
  );
  const result = await within(run.done, 30_000, `jmp round trip on ${zeromq}`);
  return { code: result.code, stderr: result.stderr, output: lastJson<RoundTrip>(result.stdout) };
}

describe("jmp 2.0.0 on zmq-napi/v5-compat", () => {
  it("carries a signed Jupyter request and reply, and ignores a wrongly signed one", async () => {
    const { code, stderr, output } = await roundTrip("zmq-napi");
    expect(output.error, stderr).toBeUndefined();
    expect(code).toBe(0);
    expect(output.reply).toEqual({
      msg_type: "kernel_info_reply",
      version: "5.3",
      session: true,
      parent_msg_id: true,
      content: { status: "ok", protocol_version: "5.3", implementation: "jmp-round-trip" },
    });
    // Two messages reached the shell socket; jmp decoded only the one with a valid HMAC.
    expect(output.rawShellMessages).toBe(2);
    expect(output.shellMessages).toEqual(["kernel_info_request"]);
    expect(output.heartbeat).toBe("ping");
  });

  it("fails on zeromq 6's own v5-compat, whose Socket cannot be called without new", async () => {
    const { code, output } = await roundTrip("zeromq-v5-compat");
    expect(code).toBe(2);
    expect(output.error).toBe(
      "TypeError: Class constructor Socket cannot be invoked without 'new'",
    );
  });

  it("fails on zeromq 6 itself, which has no v5 API", async () => {
    const { code, output } = await roundTrip("zeromq");
    expect(code).toBe(2);
    expect(output.error).toMatch(/^TypeError: /);
  });
});
