// Task ventilator (PUSH/PULL pipeline): pushes 100 tasks, each a workload in milliseconds, to the
// workers; PUSH deals them out round-robin over the connected workers (fan-out). It first tells
// the sink, over a second PUSH socket, that a batch starts.
// The guide's taskvent, except that instead of "Press Enter when the workers are ready" it waits
// until the sink and WORKERS workers (default 3) have connected, watching its sockets' events.
// Run it with the workers and the sink: npm run example -- pipeline
import { Push } from "zmq-napi";

const ventilatorPort = process.env.VENTILATOR_PORT ?? "5557";
const sinkPort = process.env.SINK_PORT ?? "5558";
const workers = Number(process.env.WORKERS ?? 3);

const sender = new Push(); // socket to send tasks on
const senderEvents = sender.events; // observe it from the start
await sender.bind(`tcp://*:${ventilatorPort}`);
const sink = new Push(); // socket with direct access to the sink
const sinkConnected = new Promise((resolve) => sink.events.on("handshake", resolve));
sink.connect(`tcp://localhost:${sinkPort}`);

console.log(`Waiting for the sink and ${workers} workers to connect…`);
await sinkConnected;
let connected = 0;
for await (const event of senderEvents) {
  if (event.type === "handshake" && ++connected === workers) break;
}

console.log("Sending tasks to workers…");
await sink.send("0"); // the first message is "0" and signals the start of the batch

let totalMsec = 0; // total expected cost in msecs
for (let task = 0; task < 100; task++) {
  const workload = 1 + Math.floor(Math.random() * 100); // random workload from 1 to 100 msecs
  totalMsec += workload;
  await sender.send(String(workload));
}
console.log(`Total expected cost: ${totalMsec} msec`);

// Closing keeps what is queued: it is still delivered before the process exits.
sender.close();
sink.close();
