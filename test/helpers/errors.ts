// The one way tests capture and check an error. Each helper has one meaning, and every one of
// them fails the test when the call succeeds (a helper that returned `undefined` for success let
// a missing error pass as a property read of `undefined`).
import { ZmqError } from "../../src/index";

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  return `the value ${String(value)}`;
}

/** The error `fn` throws synchronously. Fails if it returns (a returned promise counts). */
export function thrown(fn: () => unknown): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return error;
  }
  if (result instanceof Promise) result.catch(() => {}); // already a failure; no stray rejection
  throw new Error(`expected the call to throw synchronously; it returned ${describeValue(result)}`);
}

/** The error `fn` throws or its promise rejects with. Fails if it succeeds. */
export async function rejection(fn: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await fn();
  } catch (error) {
    return error;
  }
  throw new Error(`expected the call to throw or reject; it gave ${describeValue(result)}`);
}

function checkErrno(code: string, error: unknown): ZmqError {
  if (!(error instanceof ZmqError) || error.code !== code) {
    throw new Error(`expected a ZmqError ${code}; got ${describeValue(error)}`, { cause: error });
  }
  return error;
}

/**
 * Like pyzmq's `assert_raises_errno`: `fn` throws, or its promise rejects with, a ZmqError of
 * this code. Fails if it succeeds or fails otherwise; returns the error for further checks.
 */
export async function expectErrno(code: string, fn: () => unknown): Promise<ZmqError> {
  return checkErrno(code, await rejection(fn));
}

/** expectErrno() for a call that must throw synchronously (not reject later). */
export function expectErrnoSync(code: string, fn: () => unknown): ZmqError {
  return checkErrno(code, thrown(fn));
}

/**
 * `fn` throws synchronously a TypeError or RangeError — exactly that class, so one cannot pass
 * for the other — whose message names the argument. Returns the error.
 */
export function expectArgumentError(
  type: typeof TypeError | typeof RangeError,
  name: string,
  fn: () => unknown,
): Error {
  const error = thrown(fn);
  if (!(error instanceof Error) || error.constructor !== type || !error.message.includes(name)) {
    throw new Error(`expected a ${type.name} naming "${name}"; got ${describeValue(error)}`, {
      cause: error,
    });
  }
  return error;
}
