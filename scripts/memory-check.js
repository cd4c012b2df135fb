#!/usr/bin/env node
// Memory check: sends and receives many messages of mixed sizes (16 B … 64 KiB, single and
// multipart) through one PUSH→PULL pair in this process and prints RSS and external memory
// over time, after a full garbage collection at each sample. Memory must level off once the
// allocators are warm: a leak shows as a line that keeps climbing.
//
//   node --expose-gc scripts/memory-check.js [--messages 1000000] [--transport tcp|ipc|inproc]
//        [--samples 20] [--max-growth-mb N] [--from-src] [--json]
//
// --max-growth-mb N  exit with status 1 when RSS or external memory at the end exceeds the
//                    sample taken after the first 20% of the messages by more than N MiB.
// --from-src         load zmq-napi from src/ (as the test suite does) instead of lib/.
// --json             end with one JSON line: { messages, bytes, elapsed, samples, growth }.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = process.argv[index + 1];
  return value === undefined || value.startsWith("--") ? true : value;
}

const messages = Number(option("messages", 1_000_000));
const transport = String(option("transport", "tcp"));
const sampleCount = Number(option("samples", 20));
const maxGrowthMb = option("max-growth-mb", null);
const json = option("json", false) === true;
const root = path.join(__dirname, "..");
const zmq =
  option("from-src", false) === true
    ? require(path.join(root, "test", "fixtures", "load-zmq.cjs"))
    : require(path.join(root, "lib", "index.js"));

if (typeof globalThis.gc !== "function") {
  console.error("memory-check: run with node --expose-gc");
  process.exit(2);
}

const SIZES = [16, 64, 256, 1024, 4096, 16384, 65536];
const BATCH = 100;

/** A small deterministic generator (mulberry32), so every run sends the same sizes. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Payloads are views of one pool, so the sender itself allocates nothing per message
// (what grows is the library's and libzmq's).
const pool = Buffer.alloc(65536 + 64, 0x5a);

function message(i, next) {
  const size = SIZES[Math.floor(next() * SIZES.length)];
  const header = Buffer.allocUnsafe(8);
  header.writeUInt32LE(i, 0);
  header.writeUInt32LE(size, 4);
  const body = pool.subarray(0, size);
  // One message in ten has three frames.
  return i % 10 === 0 ? [header, body, "tail"] : [header, body];
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

async function sample(received) {
  for (let i = 0; i < 2; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, external, arrayBuffers, heapUsed } = process.memoryUsage();
  return { messages: received, rss, external, arrayBuffers, heapUsed };
}

async function main() {
  const dir =
    transport === "ipc" ? fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-memory-")) : null;
  const address =
    transport === "tcp"
      ? "tcp://127.0.0.1:*"
      : transport === "ipc"
        ? `ipc://${path.join(dir, "check.sock")}`
        : `inproc://memory-check-${process.pid}`;
  const pull = new zmq.Pull({ receiveHighWaterMark: 1000, linger: 0 });
  const push = new zmq.Push({ sendHighWaterMark: 1000, linger: 0 });
  await pull.bind(address);
  push.connect(pull.lastEndpoint);

  const started = performance.now();
  const next = random(0x5eed);
  const every = Math.max(1, Math.floor(messages / sampleCount));
  // At each sample point the producer waits until the consumer has taken its sample, so that
  // samples are taken with nothing in flight (comparable from one to the next).
  let sampled = Promise.resolve();
  let sampleDone = () => undefined;
  const producing = (async () => {
    for (let i = 0; i < messages;) {
      if (i > 0 && i % every === 0) {
        await sampled;
      }
      const end = Math.min(messages, i + BATCH, (Math.floor(i / every) + 1) * every);
      if ((i / BATCH) % 2 === 0) {
        const batch = [];
        while (i < end) batch.push(message(i++, next));
        await push.sendBatch(batch);
      } else {
        while (i < end) await push.send(message(i++, next));
      }
    }
  })();

  const samples = [await sample(0)];
  if (!json)
    console.log(
      `memory-check: ${messages} messages over ${transport}, sizes ${SIZES[0]} B … ${SIZES[SIZES.length - 1] / 1024} KiB`,
    );
  const report = (s) => {
    if (!json) {
      console.log(
        `${String(s.messages).padStart(9)} messages  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ` +
          `rss ${mib(s.rss).padStart(7)} MiB  external ${mib(s.external).padStart(6)} MiB  ` +
          `arrayBuffers ${mib(s.arrayBuffers).padStart(6)} MiB  heapUsed ${mib(s.heapUsed).padStart(6)} MiB`,
      );
    }
  };
  report(samples[0]);
  let received = 0;
  sampled = new Promise((resolve) => (sampleDone = resolve));
  let bytes = 0;
  let expected = 0;
  while (received < messages) {
    const batch = await pull.receiveBatch();
    for (const frames of batch) {
      const index = frames[0].readUInt32LE(0);
      const size = frames[0].readUInt32LE(4);
      if (
        index !== expected ||
        frames[1].length !== size ||
        frames.length !== (index % 10 === 0 ? 3 : 2)
      ) {
        throw new Error(
          `message ${expected}: got #${index} with ${frames.length} frames, body ${frames[1].length} B (expected ${size})`,
        );
      }
      expected++;
      bytes += size;
      received++;
      if (received % every === 0) {
        const s = await sample(received);
        samples.push(s);
        report(s);
        const release = sampleDone;
        sampled = new Promise((resolve) => (sampleDone = resolve));
        release();
      }
    }
  }
  await producing;
  push.close();
  pull.close();
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  const elapsed = (performance.now() - started) / 1000;

  const last = await sample(received);
  samples.push(last);
  // Warm: the sample at (or just after) 20% of the messages.
  const warm = samples.find((s) => s.messages >= messages * 0.2) ?? samples[0];
  const peakAfterWarm = samples
    .filter((s) => s.messages >= warm.messages)
    .reduce((a, s) => Math.max(a, s.rss), 0);
  const growth = {
    rss: last.rss - warm.rss,
    external: last.external - warm.external,
    arrayBuffers: last.arrayBuffers - warm.arrayBuffers,
    heapUsed: last.heapUsed - warm.heapUsed,
    peakRssOverWarm: peakAfterWarm - warm.rss,
  };
  if (json) {
    console.log(JSON.stringify({ messages, bytes, elapsed, samples, warm: warm.messages, growth }));
  } else {
    console.log(
      `done: ${messages} messages, ${(bytes / 2 ** 30).toFixed(2)} GiB in ${elapsed.toFixed(1)} s ` +
        `(${Math.round(messages / elapsed)} msg/s, ${mib(bytes / elapsed)} MiB/s)`,
    );
    console.log(
      `growth after warm-up (${warm.messages} messages): rss ${mib(growth.rss)} MiB (peak +${mib(growth.peakRssOverWarm)}), ` +
        `external ${mib(growth.external)} MiB, arrayBuffers ${mib(growth.arrayBuffers)} MiB, heapUsed ${mib(growth.heapUsed)} MiB`,
    );
  }
  if (maxGrowthMb !== null) {
    const limit = Number(maxGrowthMb) * 2 ** 20;
    if (growth.rss > limit || growth.external > limit) {
      console.error(`memory-check: memory grew by more than ${maxGrowthMb} MiB after warm-up`);
      process.exitCode = 1;
    }
  }
}

main().catch((error) => {
  console.error(error && error.stack);
  // Sends may still wait on open sockets: leave now.
  process.exit(1);
});
