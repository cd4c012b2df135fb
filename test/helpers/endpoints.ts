// Collision-free endpoints per transport, so test files can run in parallel.
import * as os from "node:os";
import * as path from "node:path";

export type Transport = "tcp" | "ipc" | "inproc";
export const transports: Transport[] = ["tcp", "ipc", "inproc"];

let counter = 0;
const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * A fresh endpoint to bind to. tcp uses port 0 semantics through `tcp://127.0.0.1:*` (read
 * the chosen port back from `lastEndpoint`); ipc a unique path in the temp directory; inproc a
 * unique name.
 */
export function endpoint(transport: Transport): string {
  counter += 1;
  switch (transport) {
    case "tcp":
      return "tcp://127.0.0.1:*";
    case "ipc":
      return `ipc://${path.join(os.tmpdir(), `zmq-napi-${tag}-${counter}.sock`)}`;
    case "inproc":
      return `inproc://zmq-napi-${tag}-${counter}`;
  }
}

/** Binds `socket` to a fresh endpoint of `transport` and returns the address to connect to. */
export async function bindFresh(
  socket: { bind(address: string): Promise<void>; readonly lastEndpoint: string | null },
  transport: Transport,
): Promise<string> {
  await socket.bind(endpoint(transport));
  const bound = socket.lastEndpoint;
  if (bound === null) throw new Error("no lastEndpoint after bind");
  return bound;
}
