// How many acknowledged writes per second a server takes, with its data file fsync'ed (--data)
// and without one: one client writing one key after the other (each write waits for its own
// fsync), then 16 clients at once (their writes share fsyncs: one per batch of requests the
// server takes in), then 20 values of 1 MiB. The server runs in a process of its own.
//
//   node examples/config-center/measure-writes.mjs [seconds per measurement, default 3]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

import { ConfigClient } from "./client.mjs";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli.mjs");
const seconds = Number(process.argv[2] ?? 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-center-measure-"));

/** Starts a server; resolves with its requests endpoint and a way to stop it. */
async function startServer(data) {
  const requests = `ipc://${path.join(dir, `requests-${data ? "durable" : "memory"}`)}`;
  const args = [cli, "server", "--updates", `ipc://${path.join(dir, "updates")}`];
  args.push("--requests", requests, "--quiet", "--json", ...(data ? ["--data", data] : []));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
  return { requests, stop: () => child.kill("SIGKILL") };
}

/** Writes for `seconds` with `clients` clients at once; resolves with writes per second. */
async function measure(requests, clients, value = (i) => `value ${i}`) {
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let writes = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const client = new ConfigClient({ requests, timeout: 30_000 });
      try {
        for (let i = 0; Date.now() < deadline; i++) {
          await client.set(`client-${c}/key-${i % 100}`, value(i));
          writes += 1;
        }
      } finally {
        client.close();
      }
    }),
  );
  return Math.round((writes * 1000) / (Date.now() - started));
}

const megabyte = (i) => `${i}`.padEnd(1024 * 1024, "x");
try {
  for (const durable of [true, false]) {
    const server = await startServer(durable ? path.join(dir, "data.log") : undefined);
    try {
      const label = durable ? "--data (fsync)" : "no --data     ";
      console.log(`${label}  1 client:   ${await measure(server.requests, 1)} writes/s`);
      console.log(`${label}  16 clients: ${await measure(server.requests, 16)} writes/s`);
      console.log(
        `${label}  1 MiB values, 1 client: ${await measure(server.requests, 1, megabyte)} writes/s`,
      );
    } finally {
      server.stop();
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
