// The command line of examples/config-center: every error is one line on stderr (a JSON object
// under --json) with a clear exit code — 2 for a wrong command line, 1 for a failure, 3 for a
// compare-and-set conflict — never a stack trace: an option that does not apply, a port in use,
// a malformed endpoint, an unwritable data file, Ctrl-C while starting. Values come from the
// command line, from stdin or from a file (beyond what an argument can hold), and a set that
// changes nothing says so.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { Cli, runCli, startServer, tempDir } from "./fixtures/config-center/harness";

/** Runs a command expected to fail; checks it said so in one line, without a stack trace. */
async function failing(args: string[], exitCode: number, options: { json?: boolean } = {}) {
  const result = await runCli(args, { json: options.json ?? false });
  expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(exitCode);
  expect(
    result.stderr.split("\n").filter((line) => line !== ""),
    result.stderr,
  ).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr.trim();
}

describe("config center: the command line", () => {
  it("wrong command lines: one line each, exit code 2, options that do not apply refused", async () => {
    expect(await failing(["set", "key", "value", "--data", "x"], 2)).toBe(
      "set: --data does not apply to set (it is for server) (cli.mjs --help)",
    );
    expect(await failing(["node", "--timeout", "5"], 2)).toMatch(
      /^node: --timeout does not apply to node/,
    );
    expect(await failing(["server", "--if-version", "1"], 2)).toMatch(/does not apply to server/);
    expect(await failing(["set"], 2)).toMatch(/^set: expects <key> <value>, or <key> - \(stdin\)/);
    expect(await failing(["set", "k", "v", "--file", "f"], 2)).toMatch(/no value besides/);
    expect(await failing(["get", "a", "b"], 2)).toMatch(/^get: expects \[<key>\]/);
    expect(await failing(["set", "k", "v", "--if-version", "x"], 2)).toMatch(
      /--if-version takes a whole number from 0 on, not "x"/,
    );
    expect(await failing(["frobnicate"], 2)).toMatch(/unknown command "frobnicate"/);
    expect(await failing([], 2)).toMatch(/which command\?/);
    expect(await failing(["status", "--bogus"], 2)).toBe(
      "cli.mjs: unknown option --bogus (cli.mjs --help)",
    );
    expect(await failing(["status", "--requests", "a,b,c"], 2)).toMatch(/one endpoint, or two/);
    expect(await failing(["server", "--role", "boss"], 2)).toMatch(/primary or backup/);
    expect(await failing(["server", "--role", "backup"], 2)).toMatch(/needs the other server/);
    // Under --json, the error is a JSON object.
    const json = await failing(["set", "--bogus", "--json"], 2, { json: false });
    expect(JSON.parse(json)).toEqual({
      error: "unknown option --bogus",
      command: null,
      exitCode: 2,
    });
    const help = await runCli(["--help"], { json: false });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--if-version N .* \[set, del\]/);
  }, 60_000);

  it("failures: port in use, malformed endpoint, unwritable data file, nothing there, Ctrl-C", async () => {
    const { server, updates, requests } = await startServer("server", ["--quiet"]);
    const dir = tempDir();
    const spare = `ipc://${path.join(dir, "spare")}`;
    expect(await failing(["server", "--updates", updates, "--requests", spare, "--quiet"], 1)).toBe(
      `server: ${updates} is already in use (another server running there?)`,
    );
    expect(await failing(["server", "--updates", "nonsense", "--quiet"], 1)).toMatch(
      /^server: nonsense is not a valid endpoint .* tcp:\/\/host:port/,
    );
    expect(await failing(["status", "--requests", "tcp://no-port"], 1)).toMatch(
      /^status: tcp:\/\/no-port is not a valid endpoint/,
    );
    const unwritable = path.join(dir, "no", "such", "dir", "data.log");
    expect(
      await failing(
        ["server", "--updates", spare, "--requests", `${spare}-r`, "--data", unwritable],
        1,
      ),
    ).toMatch(/^server: cannot write .*data\.log/);
    expect(
      await failing(
        ["status", "--requests", `ipc://${path.join(dir, "none")}`, "--timeout", "500"],
        1,
      ),
    ).toMatch(/^status: could not connect to .* within 500 ms \(nothing listening there\?\)$/);
    const missing = await failing(["get", "no/such/key", "--requests", requests, "--json"], 1, {
      json: false,
    });
    expect(JSON.parse(missing)).toMatchObject({
      error: "no/such/key is not set (seq 0)",
      command: "get",
    });
    // Ctrl-C while it starts: no stack trace, exit code 130.
    const starting = new Cli(
      "starting",
      ["server", "--updates", `${spare}-2`, "--requests", `${spare}-3`],
      {
        json: false,
      },
    );
    starting.kill("SIGINT");
    await starting.exited;
    expect(starting.stderr).not.toMatch(/\n\s+at /);
    expect([130, 0, null]).toContain(starting.child.exitCode);
    await server.stop();
  }, 60_000);

  it("values from stdin and from a file, beyond what an argument can hold; unchanged says so", async () => {
    const { server, requests } = await startServer("server", ["--quiet"]);
    const connect = ["--requests", requests];
    const stdin = await runCli(["set", "from/stdin", "-", ...connect], {
      stdin: "line 1\nline 2\n",
    });
    expect(stdin.events[0]).toMatchObject({ changed: true });
    const read = await runCli(["get", "from/stdin", ...connect]);
    expect(read.events[0]).toMatchObject({ value: "line 1\nline 2\n" });

    // 1 MiB: far beyond the 128 KiB a single argument can have on Linux.
    const file = path.join(tempDir(), "value");
    const big = "0123456789abcdef".repeat(64 * 1024);
    fs.writeFileSync(file, big);
    const set = await runCli(["set", "big", "--file", file, ...connect], { json: false });
    expect(set.stdout).toMatch(/^seq 2 \(version 2\)\n$/);
    const again = await runCli(["set", "big", "--file", file, ...connect], { json: false });
    expect(again.stdout).toBe("unchanged: big already has that value (version 2), seq 2\n");
    const got = await runCli(["get", "big", ...connect]);
    expect(got.events[0]).toMatchObject({ seq: 2, version: 2 });
    expect((got.events[0].value as string).length).toBe(big.length);
    const deleted = await runCli(["del", "nothing/here", ...connect], { json: false });
    expect(deleted.stdout).toBe("unchanged: nothing/here was not set, seq 2\n");
    await server.stop();
  }, 60_000);
});
