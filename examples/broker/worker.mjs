// Request-reply worker (REP): connects to the broker's backend and answers every request with
// "World". Start as many as you like; the broker spreads the requests over them.
// The guide's rrworker. Run it with the broker and clients: npm run example -- broker
import { Reply } from "zmq-napi";

const backendPort = process.env.BACKEND_PORT ?? "5560";

const socket = new Reply();
socket.connect(`tcp://localhost:${backendPort}`);

for await (const [message] of socket) {
  console.log(`Received request: ${message}`);
  await socket.send("World");
}
