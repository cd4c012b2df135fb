// Request-reply broker (ROUTER/DEALER with proxy()): clients' REQ sockets connect to the ROUTER
// frontend, the workers' REP sockets to the DEALER backend, and proxy() shuttles messages both
// ways on a thread of its own. The ROUTER remembers which client each request came from (it
// adds the routing id as an envelope frame), the DEALER spreads the requests over the workers,
// and the replies find their way back through the envelope.
// The guide's msgqueue. Run it with clients and workers: npm run example -- broker
import { Dealer, Router, proxy } from "zmq-napi";

const frontendPort = process.env.FRONTEND_PORT ?? "5559";
const backendPort = process.env.BACKEND_PORT ?? "5560";

const frontend = new Router(); // socket facing clients
await frontend.bind(`tcp://*:${frontendPort}`);
const backend = new Dealer(); // socket facing services
await backend.bind(`tcp://*:${backendPort}`);
console.log(`Broker: clients on port ${frontendPort}, workers on port ${backendPort}`);

await proxy(frontend, backend); // runs until one of the sockets is closed
