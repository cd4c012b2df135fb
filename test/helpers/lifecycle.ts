// Shared test plumbing: sockets closed after each test, bounded waits, captured failures.
// Importing this module registers the afterEach hook in the importing test file.
import { afterEach } from "vitest";

const open: Array<{ close(): void }> = [];

/** Registers a socket (or anything closable) to be closed after the test, newest first. */
export function track<T extends { close(): void }>(socket: T): T {
  open.push(socket);
  return socket;
}

afterEach(() => {
  for (const socket of open.splice(0).reverse()) socket.close();
});

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

/** The error `operation` throws or rejects with, or undefined when it succeeds. */
export async function failure(operation: () => unknown): Promise<unknown> {
  try {
    await operation();
  } catch (error) {
    return error;
  }
  return undefined;
}
