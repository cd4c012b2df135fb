// Weather update server (PUB/SUB): publishes random "zipcode temperature humidity" updates as
// fast as it can, to every subscriber, forever. A PUB socket never waits: it drops what a slow
// subscriber cannot take, and sends nothing at all that no subscriber asked for.
// The guide's wuserver. Run it with its client: npm run example -- weather [zipcode prefix]
import { Publisher } from "zmq-napi";

const port = process.env.PORT ?? "5556";
const randrange = (from, to) => from + Math.floor(Math.random() * (to - from));

const socket = new Publisher();
await socket.bind(`tcp://*:${port}`);
console.log(`Weather server publishing on port ${port}`);

for (;;) {
  const zipcode = String(randrange(1, 100000)).padStart(5, "0");
  const temperature = randrange(-80, 135);
  const relhumidity = randrange(10, 60);
  await socket.send(`${zipcode} ${temperature} ${relhumidity}`);
}
