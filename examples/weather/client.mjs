// Weather update client (PUB/SUB): subscribes to the updates whose text starts with a zipcode
// prefix (argument 1, default "10001"), averages the temperature of N of them (UPDATES, default
// 5) and exits. Subscriptions are prefix matches on the first frame, done by the publisher.
// The guide's wuclient. Run it with its server: npm run example -- weather [zipcode prefix]
import { Subscriber } from "zmq-napi";

const port = process.env.PORT ?? "5556";
const filter = process.argv[2] ?? "10001";
const updates = Number(process.env.UPDATES ?? 5);

console.log("Collecting updates from weather server…");
const socket = new Subscriber();
socket.connect(`tcp://localhost:${port}`);
socket.subscribe(filter);

let totalTemperature = 0;
for (let update = 0; update < updates; update++) {
  const [message] = await socket.receive();
  console.log(`${message}`);
  const [, temperature] = message.toString().split(" "); // zipcode temperature relhumidity
  totalTemperature += Number(temperature);
}
console.log(`Average temperature for zipcode '${filter}' was ${totalTemperature / updates} F`);

socket.close();
