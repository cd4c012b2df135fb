// Shared test plumbing: sockets closed and child processes killed after each test, bounded
// waits, captured failures.
// Importing this module registers the afterEach hook in the importing test file.
import { afterEach } from "vitest";

const cleanups: Array<() => void> = [];

/** Registers a socket (or anything closable) to be closed after the test, newest first. */
export function track<T extends { close(): void }>(socket: T): T {
  cleanups.push(() => socket.close());
  return socket;
}

/**
 * Registers a child process (or anything killable) to be killed with SIGKILL after the test,
 * in the same newest-first order as the sockets passed to track().
 */
export function trackChild<T extends { kill(signal?: NodeJS.Signals): unknown }>(child: T): T {
  cleanups.push(() => child.kill("SIGKILL"));
  return child;
}

/** Closes and kills everything tracked so far, newest first, instead of after the test. */
export function closeTracked(): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}

afterEach(closeTracked);

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a clear message when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms = 5000, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
