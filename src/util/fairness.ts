// Keeps a loop of operations that complete at once from starving the event loop.
//
// `await sock.send(x)` on a socket that never pushes back resolves through microtasks only, so
// `while (true) await sock.send(x)` would never let timers or I/O run. Every operation that
// completes immediately goes through settleSoon(): most resolve at once, but after a burst of
// BURST of them the next ones wait for a macrotask turn (setImmediate), which lets everything
// else in the event loop run first.
const BURST = 2048;

let completed = 0;
let turnScheduled = false;
let waiting: (() => void)[] = [];

function onTurn(): void {
  turnScheduled = false;
  completed = 0;
  const ready = waiting;
  waiting = [];
  for (const resume of ready) resume();
}

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(onTurn);
}

/** A promise resolved with `value`, at once unless the current burst is over. */
export function settleSoon<T>(value: T): Promise<T> {
  if (completed++ < BURST) {
    scheduleTurn();
    return Promise.resolve(value);
  }
  scheduleTurn();
  return new Promise((resolve) => waiting.push(() => resolve(value)));
}

/** Whether an immediate completion would still be within the current burst. */
export function withinBurst(): boolean {
  return completed < BURST;
}
