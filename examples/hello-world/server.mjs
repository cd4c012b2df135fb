// Hello World server (REQ/REP): binds a REP socket, and answers every "Hello" with "World".
// The guide's hwserver. Run it with its client: npm run example -- hello-world
import { Reply } from "zmq-napi";

const port = process.env.PORT ?? "5555";

const socket = new Reply();
await socket.bind(`tcp://*:${port}`);
console.log(`Hello World server listening on port ${port}`);

for await (const [message] of socket) {
  console.log(`Received request: ${message}`);
  await new Promise((resolve) => setTimeout(resolve, 100)); // do some 'work'
  await socket.send("World");
}
