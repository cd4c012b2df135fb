// Hello World client (REQ/REP): connects a REQ socket, sends "Hello" 10 times and prints each
// "World" reply. A REQ socket strictly alternates: send one request, receive its reply.
// The guide's hwclient. Run it with its server: npm run example -- hello-world
import { Request } from "zmq-napi";

const port = process.env.PORT ?? "5555";

console.log("Connecting to hello world server…");
const socket = new Request();
socket.connect(`tcp://localhost:${port}`);

for (let request = 0; request < 10; request++) {
  console.log(`Sending request ${request} …`);
  await socket.send("Hello");
  const [message] = await socket.receive();
  console.log(`Received reply ${request} [ ${message} ]`);
}

socket.close();
