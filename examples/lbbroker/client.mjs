// Load-balancing clients (REQ): CLIENTS of them (10 by default), each sending one request
// through the broker at the same time and printing the reply, which names the worker that
// answered. The guide runs them as threads; here they are sockets of one program.
// Run it with the broker and workers: npm run example -- lbbroker
import { Request } from "zmq-napi";

const frontendPort = process.env.FRONTEND_PORT ?? "5671";
const clients = Number(process.env.CLIENTS ?? "10");

async function client(name) {
  const socket = new Request({ routingId: name });
  socket.connect(`tcp://localhost:${frontendPort}`);
  await socket.send("HELLO");
  const [reply] = await socket.receive();
  console.log(`${name}: ${reply}`);
  socket.close();
}

await Promise.all(Array.from({ length: clients }, (_, i) => client(`client-${i + 1}`)));
