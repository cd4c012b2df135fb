// The classic pyzmq seed examples of the ZeroMQ guide, translated line for line to this API
// and run in one process: hello world (hwserver/hwclient), weather updates (wuserver/wuclient),
// the divide-and-conquer pipeline (taskvent/taskwork/tasksink) and the request-reply broker
// (rrclient/rrworker/rrbroker, forwarding by hand since proxy() is not used here).
//
// What changes from the originals: endpoints come from bindFresh() (and all three transports
// are run), sleeps standing in for work are shortened, "Press Enter when the workers are ready"
// is skipped (the sink counts every result whichever worker did it), randomness is seeded, and
// the programs return what they printed so that the test can check it.
import { describe, expect, it } from "vitest";

import { Dealer, Publisher, Pull, Push, Reply, Request, Router, Subscriber } from "../src/index";
import { bindFresh, transports } from "./helpers/endpoints";
import { closeTracked, sleep, track, within } from "./helpers/lifecycle";

/** A seeded stand-in for Python's random.randrange / randint (mulberry32). */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    /** random.randrange(start, stop) */
    randrange: (start: number, stop: number) => start + Math.floor(next() * (stop - start)),
    /** random.randint(a, b) */
    randint: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)),
  };
}

/** Runs a background loop, swallowing only the errors caused by its sockets being closed. */
function background(sockets: Array<{ closed: boolean }>, loop: () => Promise<void>): Promise<void> {
  return loop().catch((error: unknown) => {
    if (!sockets.some((socket) => socket.closed)) throw error;
  });
}

describe.each(transports)("seed examples over %s", (transport) => {
  // --- hwserver.py / hwclient.py ------------------------------------------------------------

  it("hello world: the client sends Hello 10 times, the server replies World", async () => {
    const seenByServer: string[] = [];

    // hwserver.py
    //   context = zmq.Context()
    //   socket = context.socket(zmq.REP)
    //   socket.bind("tcp://*:5555")
    const server = track(new Reply());
    const address = await bindFresh(server, transport);
    //   while True:
    //       message = socket.recv()                      # Wait for next request from client
    //       print(f"Received request: {message}")
    //       time.sleep(1)                                # Do some 'work'
    //       socket.send(b"World")                        # Send reply back to client
    const serverLoop = background([server], async () => {
      for await (const [message] of server) {
        seenByServer.push(`Received request: ${message.toString()}`);
        await sleep(1);
        await server.send("World");
      }
    });

    // hwclient.py
    //   context = zmq.Context()
    //   print("Connecting to hello world server…")
    //   socket = context.socket(zmq.REQ)
    //   socket.connect("tcp://localhost:5555")
    const socket = track(new Request());
    socket.connect(address);
    const printed: string[] = [];
    //   for request in range(10):
    //       print(f"Sending request {request} …")
    //       socket.send(b"Hello")
    //       message = socket.recv()                      # Get the reply.
    //       print(f"Received reply {request} [ {message} ]")
    for (let request = 0; request < 10; request++) {
      await socket.send("Hello");
      const [message] = await within(socket.receive(), 5000, `reply ${request}`);
      printed.push(`Received reply ${request} [ ${message.toString()} ]`);
    }

    expect(printed).toEqual(Array.from({ length: 10 }, (_, i) => `Received reply ${i} [ World ]`));
    expect(seenByServer).toEqual(Array(10).fill("Received request: Hello"));
    server.close();
    await within(serverLoop, 5000, "the server loop ending on close");
  });

  // --- wuserver.py / wuclient.py ------------------------------------------------------------

  it("weather updates: the client filters one zipcode and averages its temperatures", async () => {
    const published = new Map<string, string[]>(); // zipcode -> updates, in publishing order

    // wuserver.py
    //   context = zmq.Context()
    //   socket = context.socket(zmq.PUB)
    //   socket.bind("tcp://*:5556")
    const publisher = track(new Publisher());
    const address = await bindFresh(publisher, transport);
    const random = seededRandom(5556);
    //   while True:
    //       zipcode = randrange(1, 100000)
    //       temperature = randrange(-80, 135)
    //       relhumidity = randrange(10, 60)
    //       socket.send_string(f"{zipcode} {temperature} {relhumidity}")
    // (zipcodes from a range of ten, so that the client's zipcode comes up often)
    const serverLoop = background([publisher], async () => {
      while (!publisher.closed) {
        const zipcode = random.randrange(10000, 10010);
        const temperature = random.randrange(-80, 135);
        const relhumidity = random.randrange(10, 60);
        const update = `${zipcode} ${temperature} ${relhumidity}`;
        const list = published.get(String(zipcode)) ?? [];
        list.push(update);
        published.set(String(zipcode), list);
        await publisher.send(update);
      }
    });

    // wuclient.py
    //   context = zmq.Context()
    //   socket = context.socket(zmq.SUB)
    //   print("Collecting updates from weather server...")
    //   socket.connect("tcp://localhost:5556")
    //   zip_filter = sys.argv[1] if len(sys.argv) > 1 else "10001"
    //   socket.setsockopt_string(zmq.SUBSCRIBE, zip_filter)
    const socket = track(new Subscriber());
    socket.connect(address);
    const zip_filter = "10001";
    socket.subscribe(zip_filter);
    //   total_temp = 0
    //   for update_nbr in range(5):
    //       string = socket.recv_string()
    //       zipcode, temperature, relhumidity = string.split()
    //       total_temp += int(temperature)
    //   print(f"Average temperature for zipcode '{zip_filter}' was {total_temp / (update_nbr+1)} F")
    const updates = 20;
    const received: string[] = [];
    let total_temp = 0;
    let update_nbr: number;
    for (update_nbr = 0; update_nbr < updates; update_nbr++) {
      const [message] = await within(socket.receive(), 5000, `update ${update_nbr}`);
      const string = message.toString();
      received.push(string);
      const [zipcode, temperature, relhumidity] = string.split(" ");
      expect(zipcode).toBe(zip_filter);
      expect(Number(temperature)).toBeGreaterThanOrEqual(-80);
      expect(Number(temperature)).toBeLessThan(135);
      expect(Number(relhumidity)).toBeGreaterThanOrEqual(10);
      expect(Number(relhumidity)).toBeLessThan(60);
      total_temp += Number.parseInt(temperature, 10);
    }
    const average = total_temp / update_nbr;
    publisher.close();
    await within(serverLoop, 5000, "the publisher loop ending on close");

    // Every update received was published for that zipcode, in publishing order (a SUB may
    // miss updates while it joins, or when a queue is full, but never reorders or invents).
    const sent = published.get(zip_filter)!;
    let at = 0;
    for (const update of received) {
      at = sent.indexOf(update, at);
      expect(at, `"${update}" was published (after the previous one)`).toBeGreaterThanOrEqual(0);
      at++;
    }
    const temperatures = received.map((update) => Number(update.split(" ")[1]));
    expect(average).toBeCloseTo(temperatures.reduce((a, b) => a + b, 0) / updates, 10);
  });

  // --- taskvent.py / taskwork.py / tasksink.py ----------------------------------------------

  it("divide and conquer: the ventilator pushes N tasks to 2 workers, the sink collects all N", async () => {
    const tasks = 100;

    // tasksink.py
    //   context = zmq.Context()
    //   receiver = context.socket(zmq.PULL)
    //   receiver.bind("tcp://*:5558")
    const sinkReceiver = track(new Pull());
    const sinkAddress = await bindFresh(sinkReceiver, transport);

    // taskvent.py
    //   context = zmq.Context()
    //   sender = context.socket(zmq.PUSH)                # Socket to send messages on
    //   sender.bind("tcp://*:5557")
    //   sink = context.socket(zmq.PUSH)                  # Socket with direct access to the sink
    //   sink.connect("tcp://localhost:5558")
    const sender = track(new Push());
    const ventAddress = await bindFresh(sender, transport);
    const sink = track(new Push());
    sink.connect(sinkAddress);

    // taskwork.py (two of them)
    //   receiver = context.socket(zmq.PULL)              # Socket to receive messages on
    //   receiver.connect("tcp://localhost:5557")
    //   sender = context.socket(zmq.PUSH)                # Socket to send messages to
    //   sender.connect("tcp://localhost:5558")
    //   while True:
    //       s = receiver.recv()
    //       sys.stdout.write('.')                        # Simple progress indicator for the viewer
    //       time.sleep(int(s)*0.001)                     # Do the work
    //       sender.send(b'')                             # Send results to sink
    // (the result names the worker and the workload, so that the sink can check them)
    const workerLoops = [0, 1].map((worker) => {
      const receiver = track(new Pull());
      receiver.connect(ventAddress);
      const workerSender = track(new Push());
      workerSender.connect(sinkAddress);
      return background([receiver, workerSender], async () => {
        for await (const [s] of receiver) {
          await sleep(Number.parseInt(s.toString(), 10) / 100); // a hundredth of the original work
          await workerSender.send(`${worker} ${s.toString()}`);
        }
      });
    });

    //   print("Press Enter when the workers are ready: ")
    //   _ = input()
    //   print("Sending tasks to workers...")
    //   sink.send(b'0')                                  # The first message is "0" and signals start of batch
    await sink.send("0");
    //   random.seed()                                    # Initialize random number generator
    //   total_msec = 0                                   # Total expected cost in msecs
    //   for task_nbr in range(100):
    //       workload = random.randint(1, 100)            # Random workload from 1 to 100 msecs
    //       total_msec += workload
    //       sender.send_string(f"{workload}")
    //   print(f"Total expected cost: {total_msec} msec")
    const random = seededRandom(5557);
    let total_msec = 0;
    for (let task_nbr = 0; task_nbr < tasks; task_nbr++) {
      const workload = random.randint(1, 100);
      total_msec += workload;
      await sender.send(`${workload}`);
    }

    // tasksink.py, continued
    //   s = receiver.recv()                              # Wait for start of batch
    //   tstart = time.time()                             # Start our clock now
    //   for task_nbr in range(100):                      # Process 100 confirmations
    //       s = receiver.recv()
    //   tend = time.time()
    //   print(f"Total elapsed time: {(tend-tstart)*1000} msec")
    const [start] = await within(sinkReceiver.receive(), 5000, "the start of the batch");
    expect(start.toString()).toBe("0");
    const tstart = Date.now();
    let done_msec = 0;
    const perWorker = [0, 0];
    for (let task_nbr = 0; task_nbr < tasks; task_nbr++) {
      const [s] = await within(sinkReceiver.receive(), 10_000, `confirmation ${task_nbr}`);
      const [worker, workload] = s.toString().split(" ").map(Number);
      perWorker[worker]++;
      done_msec += workload;
    }
    const tend = Date.now();

    expect(perWorker[0] + perWorker[1]).toBe(tasks);
    expect(done_msec).toBe(total_msec);
    expect(tend - tstart).toBeLessThan(10_000);
    // Nothing more than the N confirmations arrives.
    await sleep(20);
    expect(sinkReceiver.tryReceive()).toBeNull();

    closeTracked();
    await within(Promise.all(workerLoops), 5000, "the worker loops ending on close");
  });

  // --- rrclient.py / rrworker.py / rrbroker.py ----------------------------------------------

  it("request-reply broker: REQ clients -> ROUTER, DEALER -> REP workers, forwarded by hand", async () => {
    const clients = 3;
    const requests = 10;

    // rrbroker.py
    //   context = zmq.Context()
    //   frontend = context.socket(zmq.ROUTER)
    //   backend = context.socket(zmq.DEALER)
    //   frontend.bind("tcp://*:5559")
    //   backend.bind("tcp://*:5560")
    const frontend = track(new Router());
    const backend = track(new Dealer());
    const frontendAddress = await bindFresh(frontend, transport);
    const backendAddress = await bindFresh(backend, transport);
    //   # Initialize poll set
    //   poller = zmq.Poller()
    //   poller.register(frontend, zmq.POLLIN)
    //   poller.register(backend, zmq.POLLIN)
    //   # Switch messages between sockets
    //   while True:
    //       socks = dict(poller.poll())
    //       if socks.get(frontend) == zmq.POLLIN:
    //           message = frontend.recv_multipart()
    //           backend.send_multipart(message)
    //       if socks.get(backend) == zmq.POLLIN:
    //           message = backend.recv_multipart()
    //           frontend.send_multipart(message)
    // (one loop per direction instead of the poller)
    const forwarded = { requests: 0, replies: 0 };
    const brokerLoops = [
      background([frontend, backend], async () => {
        for await (const message of frontend) {
          forwarded.requests++;
          await backend.send(message);
        }
      }),
      background([frontend, backend], async () => {
        for await (const message of backend) {
          forwarded.replies++;
          await frontend.send(message);
        }
      }),
    ];

    // rrworker.py (two of them)
    //   socket = context.socket(zmq.REP)
    //   socket.connect("tcp://localhost:5560")
    //   while True:
    //       message = socket.recv()
    //       print(f"Received request: {message}")
    //       socket.send(b"World")
    // (the reply echoes the request and names the worker, so that routing can be checked)
    const handled = [0, 0];
    const workerLoops = [0, 1].map((worker) => {
      const socket = track(new Reply());
      socket.connect(backendAddress);
      return background([socket], async () => {
        for await (const [message] of socket) {
          handled[worker]++;
          await socket.send(["World", message, String(worker)]);
        }
      });
    });

    // rrclient.py (three of them, concurrently)
    //   socket = context.socket(zmq.REQ)
    //   socket.connect("tcp://localhost:5559")
    //   for request in range(1, 11):
    //       socket.send(b"Hello")
    //       message = socket.recv()
    //       print(f"Received reply {request} [{message}]")
    const printed = await within(
      Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          const socket = track(new Request());
          socket.connect(frontendAddress);
          const lines: string[] = [];
          for (let request = 1; request <= requests; request++) {
            await socket.send(`Hello ${client}.${request}`);
            const [world, echo, worker] = await socket.receive();
            expect(echo.toString()).toBe(`Hello ${client}.${request}`);
            expect(["0", "1"]).toContain(worker.toString());
            lines.push(`Received reply ${request} [${world.toString()}]`);
          }
          return lines;
        }),
      ),
      10_000,
      "the clients",
    );

    for (const lines of printed) {
      expect(lines).toEqual(
        Array.from({ length: requests }, (_, i) => `Received reply ${i + 1} [World]`),
      );
    }
    expect(forwarded).toEqual({ requests: clients * requests, replies: clients * requests });
    expect(handled[0] + handled[1]).toBe(clients * requests);

    closeTracked();
    await within(
      Promise.all([...brokerLoops, ...workerLoops]),
      5000,
      "the broker and worker loops ending",
    );
  });
});
