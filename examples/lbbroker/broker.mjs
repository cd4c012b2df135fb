// Load-balancing broker (the guide's lbbroker): clients' REQ sockets connect to a ROUTER
// frontend, workers' REQ sockets to a ROUTER backend. A worker says "READY" when it starts and
// then with every reply; the broker keeps the workers that are free in a queue and hands each
// client request to the one that has waited longest. It polls the backend always, and the
// frontend only while a worker is free: requests wait in the frontend's queue meanwhile.
// Run it with workers and clients: npm run example -- lbbroker
import { Poller, Router } from "zmq-napi";

const frontendPort = process.env.FRONTEND_PORT ?? "5671";
const backendPort = process.env.BACKEND_PORT ?? "5672";

const frontend = new Router(); // socket facing clients
await frontend.bind(`tcp://*:${frontendPort}`);
const backend = new Router(); // socket facing workers
await backend.bind(`tcp://*:${backendPort}`);
console.log(`Broker: clients on port ${frontendPort}, workers on port ${backendPort}`);

/** Routing ids of the workers that are free, the one that waited longest first. */
const freeWorkers = [];
const poller = new Poller().add(backend, "readable");

for (;;) {
  if (freeWorkers.length > 0) poller.add(frontend, "readable");
  else poller.remove(frontend);

  for (const { socket } of await poller.poll()) {
    if (socket === backend) {
      // [worker, "", "READY"] or [worker, "", client, "", reply]: the worker is free again.
      const [worker, , client, , reply] = backend.tryReceive();
      freeWorkers.push(worker);
      if (client.toString() !== "READY") await frontend.send([client, "", reply]);
    } else if (freeWorkers.length > 0) {
      // [client, "", request] goes to the worker that has waited longest.
      const [client, , request] = frontend.tryReceive();
      await backend.send([freeWorkers.shift(), "", client, "", request]);
    }
  }
}
