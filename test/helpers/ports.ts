// The one way tests pick a port: bind port 0 with Node's own sockets, read the port the kernel
// chose, let go of it. Free a moment ago, not reserved: bind it soon, and expect EADDRINUSE to
// be possible (rare) rather than impossible.
import * as dgram from "node:dgram";
import * as net from "node:net";

/** A tcp (default) or udp port on 127.0.0.1 that was free a moment ago. */
export async function freePort(protocol: "tcp" | "udp" = "tcp"): Promise<number> {
  if (protocol === "udp") {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", resolve);
    });
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
