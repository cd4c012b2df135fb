// Request-reply client (REQ): sends "Hello" 10 times to the broker's frontend and prints each
// reply. It does not know the workers; the broker finds one for every request.
// The guide's rrclient. Run it with the broker and workers: npm run example -- broker
import { Request } from "zmq-napi";

const frontendPort = process.env.FRONTEND_PORT ?? "5559";

const socket = new Request();
socket.connect(`tcp://localhost:${frontendPort}`);

for (let request = 1; request <= 10; request++) {
  await socket.send("Hello");
  const [message] = await socket.receive();
  console.log(`Received reply ${request} [${message}]`);
}

socket.close();
