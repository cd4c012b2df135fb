// Load-balancing worker (REQ): tells the broker it is ready, then answers each request it is
// given; its reply is also its next "ready". The request comes wrapped in the client's routing
// id, which the reply carries back so that the broker knows where it goes.
// Run it with the broker and clients: npm run example -- lbbroker
import { Request } from "zmq-napi";

const backendPort = process.env.BACKEND_PORT ?? "5672";
const name = process.env.WORKER_NAME ?? `worker-${process.pid}`;

const socket = new Request({ routingId: name });
socket.connect(`tcp://localhost:${backendPort}`);
await socket.send("READY");

for (;;) {
  const [client, , request] = await socket.receive();
  console.log(`${request} from ${client}`);
  await socket.send([client, "", `OK from ${name}`]);
}
