// Keeps a loop of operations that complete at once from starving the event loop.
//
// `await sock.send(x)` on a socket that never pushes back resolves through microtasks only, so
// `while (true) await sock.send(x)` would never let timers or I/O run. Every operation that
// completes immediately goes through settleSoon(): it resolves at once, except that every
// BURST-th one waits for a macrotask turn (setImmediate), which lets everything else in the
// event loop run first. Counting costs nothing on the hot path; the turn costs one
// setImmediate per BURST operations.
// 512, as zeromq v6 does: a loop of 2,500 such sends lets timers run at least 3 times.
const BURST = 512;

let completed = 0;

/** A promise resolved with `value`: at once, or after a macrotask turn once per BURST. */
export function settleSoon<T>(value: T): Promise<T> {
  if (++completed < BURST) return Promise.resolve(value);
  completed = 0;
  return new Promise((resolve) => setImmediate(resolve, value));
}
