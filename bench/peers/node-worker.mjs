// One benchmark process for the Node-API peers: zmq-napi and the `zeromq` package share this
// code, since zmq-napi follows the zeromq v6 API. Written against node: built-ins only, so the
// same file runs under Node, Bun and Deno.
//
//   node-worker.mjs <library> <style> <role> <endpoint> <size> <count>
//   node-worker.mjs <library> - version
//
//   library  zmq-napi | zeromq
//   style    idiomatic: `await push.send(buf)` reusing one Buffer, `for await (const [msg] of pull)`
//            batch:     sendBatch / receiveBatch; for REQ/REP (one message in flight) the
//                       trySend / tryReceive fast paths, awaiting only when they would block
//            zero-copy: idiomatic, but every message sent is a fresh ZeroCopyFrame.allocUnsafe
//                       (zmq-napi only; not filled, as the others send one Buffer's zeros)
//   role     pull push sub pub rep req inproc
//
// Protocol with the harness (bench/harness/procs.js): JSON lines on stdout — {"event":"ready"}
// once bound, {"event":"subscribed"} when a subscriber sees the first probe, and
// {"event":"result", messages|roundtrips, seconds[, drops]} from the side that measures.
// Senders and echoers wait for end of input before closing, so nothing is still in flight
// when they close (ipc:// can lose the tail of a stream otherwise); a publisher waits for
// "go" on stdin before publishing.
import { createRequire } from "node:module";
import process from "node:process";

const require = createRequire(import.meta.url);
const [library, style, role, endpoint, sizeArg, countArg] = process.argv.slice(2);
const zmq = library === "zeromq" ? require("zeromq") : require("../..");
const size = Number(sizeArg);
const count = Number(countArg);
const batch = style === "batch";
const zeroCopy = style === "zero-copy";

/** Messages per sendBatch() call, and the most one receiveBatch() call may return. */
const BATCH = 256;

const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now() / 1000;

function checkSize(message) {
  if (message.length !== size) throw new Error(`received ${message.length} B, expected ${size} B`);
}

// --- the control channel (stdin) -----------------------------------------------------------

const control = (() => {
  let text = "";
  let ended = false;
  let started = false;
  const waiters = new Set();
  const wake = () => waiters.forEach((fn) => fn());
  const until = (test) => {
    if (!started) {
      started = true;
      process.stdin.setEncoding("utf8");
      process.stdin.on("data", (chunk) => ((text += chunk), wake()));
      process.stdin.on("end", () => ((ended = true), wake()));
    }
    return new Promise((resolve) => {
      const check = () => test() && (waiters.delete(check), resolve());
      waiters.add(check);
      check();
    });
  };
  return {
    go: () => until(() => ended || text.includes("go\n")),
    end: () => until(() => ended).then(() => process.stdin.destroy()),
  };
})();

// --- sending ----------------------------------------------------------------------------------

/** What to send next: `message` again, or (zero-copy) a new frame of its size each time. */
const outgoing = (message) =>
  zeroCopy ? () => zmq.ZeroCopyFrame.allocUnsafe(message.length) : () => message;

async function sendAll(socket, message, n) {
  if (zeroCopy) {
    const next = outgoing(message);
    for (let i = 0; i < n; i++) await socket.send(next());
  } else if (batch) {
    const full = new Array(BATCH).fill(message);
    for (let left = n; left > 0; left -= BATCH) {
      await socket.sendBatch(left >= BATCH ? full : full.slice(0, left));
    }
  } else {
    for (let i = 0; i < n; i++) await socket.send(message);
  }
}

// --- receiving --------------------------------------------------------------------------------

/** Receives `count` messages; times from the first to the last, as libzmq's local_thr does. */
async function receiveAll(socket) {
  let received = 0;
  let started = 0;
  if (batch) {
    while (received < count) {
      const messages = await socket.receiveBatch(Math.min(BATCH, count - received));
      if (received === 0) {
        started = now();
        checkSize(messages[0][0]);
      }
      received += messages.length;
    }
  } else {
    for await (const [message] of socket) {
      if (received === 0) {
        started = now();
        checkSize(message);
      }
      if (++received === count) break;
    }
  }
  return { event: "result", messages: count, seconds: now() - started };
}

/**
 * Subscriber side: empty messages before the data are the publisher's probes (the first one
 * proves the subscription has arrived), the first empty message after it marks its end.
 */
async function receiveStream(socket) {
  let received = 0;
  let started = 0;
  let subscribed = false;
  const onMessage = (message) => {
    if (message.length === 0) {
      if (received > 0) return true;
      if (!subscribed) emit({ event: "subscribed" });
      subscribed = true;
      return false;
    }
    if (received++ === 0) {
      started = now();
      checkSize(message);
    }
    return false;
  };
  if (batch) {
    outer: for (;;) {
      for (const [message] of await socket.receiveBatch(BATCH)) if (onMessage(message)) break outer;
    }
  } else {
    for await (const [message] of socket) if (onMessage(message)) break;
  }
  return { event: "result", messages: received, seconds: now() - started, drops: count - received };
}

// --- roles ------------------------------------------------------------------------------------

const roles = {
  async version() {
    const pkg =
      library === "zeromq" ? require("zeromq/package.json") : require("../../package.json");
    const runtime = globalThis.Bun
      ? `bun ${globalThis.Bun.version}`
      : globalThis.Deno
        ? `deno ${globalThis.Deno.version.deno}`
        : `node ${process.versions.node}`;
    emit({ event: "version", library: `${pkg.name} ${pkg.version}`, libzmq: zmq.version, runtime });
  },

  async pull() {
    const pull = new zmq.Pull();
    await pull.bind(endpoint);
    emit({ event: "ready" });
    emit(await receiveAll(pull));
    pull.close();
  },

  async push() {
    const push = new zmq.Push();
    push.connect(endpoint);
    await sendAll(push, Buffer.alloc(size), count);
    await control.end();
    push.close();
  },

  async sub() {
    const sub = new zmq.Subscriber({ receiveHighWaterMark: 0 });
    sub.subscribe();
    await sub.bind(endpoint);
    emit({ event: "ready" });
    emit(await receiveStream(sub));
    sub.close();
  },

  async pub() {
    const pub = new zmq.Publisher({ sendHighWaterMark: 0 });
    pub.connect(endpoint);
    const probe = Buffer.alloc(0);
    let go = false;
    void control.go().then(() => (go = true)); // resolves only, as control.end()
    while (!go) {
      await pub.send(probe);
      await sleep(5);
    }
    await sendAll(pub, Buffer.alloc(size), count);
    // End markers until the subscriber has reported (one could be lost to a reconnect).
    let ended = false;
    void control.end().then(() => (ended = true));
    while (!ended) {
      await pub.send(probe);
      await sleep(10);
    }
    pub.linger = 0; // the subscriber is gone: nothing left worth delivering
    pub.close();
  },

  async rep() {
    const rep = new zmq.Reply();
    await rep.bind(endpoint);
    emit({ event: "ready" });
    let n = 0;
    if (batch) {
      while (n++ < count) {
        const [message] = rep.tryReceive() ?? (await rep.receive());
        if (!rep.trySend(message)) await rep.send(message);
      }
    } else {
      const reply = zeroCopy ? (message) => zmq.ZeroCopyFrame.allocUnsafe(message.length) : null;
      for await (const [message] of rep) {
        await rep.send(reply ? reply(message) : message);
        if (++n === count) break;
      }
    }
    await control.end();
    rep.close();
  },

  async req() {
    const req = new zmq.Request();
    req.connect(endpoint);
    const message = Buffer.alloc(size);
    const next = outgoing(message);
    // As libzmq's remote_lat: the clock starts before the first request, connecting included.
    const started = now();
    for (let i = 0; i < count; i++) {
      let reply;
      if (batch) {
        if (!req.trySend(message)) await req.send(message);
        [reply] = req.tryReceive() ?? (await req.receive());
      } else {
        await req.send(next());
        [reply] = await req.receive();
      }
      if (reply.length !== size) checkSize(reply);
    }
    emit({ event: "result", roundtrips: count, seconds: now() - started });
    req.close();
  },

  // Both ends in one process and one event loop: the sender and receiver loops interleave.
  async inproc() {
    const pull = new zmq.Pull();
    await pull.bind(endpoint);
    const push = new zmq.Push();
    push.connect(endpoint);
    const sending = sendAll(push, Buffer.alloc(size), count);
    const result = await receiveAll(pull);
    await sending;
    emit(result);
    push.close();
    pull.close();
  },
};

const run = roles[role];
if (run === undefined) {
  process.stderr.write(`node-worker: unknown role ${role}\n`);
  process.exit(2);
}
run().then(
  () => {
    // Everything is closed: the process should end by itself. If something keeps it alive,
    // say so (the harness reports it) and leave anyway.
    setTimeout(() => {
      process.stderr.write("node-worker: still alive 2 s after closing its sockets\n");
      process.exit(3);
    }, 2000).unref();
  },
  (error) => {
    emit({ event: "error", message: String(error?.stack ?? error) });
    process.exit(1);
  },
);
