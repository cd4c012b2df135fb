// Task worker (PUSH/PULL pipeline): pulls tasks from the ventilator, "works" for the task's
// number of milliseconds, and pushes a result, its own name, to the sink (fan-in). Start as many
// as you like; each prints a dot per task.
// The guide's taskwork. Run it with the ventilator and the sink: npm run example -- pipeline
import { Pull, Push } from "zmq-napi";

const ventilatorPort = process.env.VENTILATOR_PORT ?? "5557";
const sinkPort = process.env.SINK_PORT ?? "5558";
const name = process.env.WORKER_NAME ?? `worker-${process.pid}`;

const receiver = new Pull(); // socket to receive tasks on
receiver.connect(`tcp://localhost:${ventilatorPort}`);
const sender = new Push(); // socket to send results to
sender.connect(`tcp://localhost:${sinkPort}`);

for await (const [task] of receiver) {
  process.stdout.write("."); // simple progress indicator for the viewer
  await new Promise((resolve) => setTimeout(resolve, Number(task))); // do the work
  await sender.send(name); // send the result to the sink
}
