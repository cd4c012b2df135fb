// Task sink (PUSH/PULL pipeline): PULLs the results of all the workers (fan-in), and prints how
// long the whole batch of 100 tasks took and how many tasks each worker did.
// The guide's tasksink. Run it with the ventilator and the workers: npm run example -- pipeline
import { Pull } from "zmq-napi";

const sinkPort = process.env.SINK_PORT ?? "5558";

const receiver = new Pull();
await receiver.bind(`tcp://*:${sinkPort}`);

await receiver.receive(); // wait for the start of the batch
const start = Date.now(); // start our clock now

const tasksPerWorker = {};
for (let task = 0; task < 100; task++) {
  const [worker] = await receiver.receive();
  tasksPerWorker[worker] = (tasksPerWorker[worker] ?? 0) + 1;
  process.stdout.write(task % 10 === 9 ? ":" : ".");
}
console.log(`\nTotal elapsed time: ${Date.now() - start} msec`);
for (const [worker, tasks] of Object.entries(tasksPerWorker)) {
  console.log(`${worker} did ${tasks} tasks`);
}

receiver.close();
