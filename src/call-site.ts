// Asynchronous errors with the caller's stack. An operation that fails after its call has
// returned (on a timer, when the thread pool's part of a bind completes, when a waiting send
// meets an error, when the socket closes) makes its error where no frame of the caller is left,
// so the stack would name none of the caller's code. Two ways to fix that, by cost:
//
// - rejectingAtCallSite captures the stack at the call and grafts it onto the rejection, as
//   sharp does for its native errors: the whole synchronous stack, for any caller, but a
//   capture costs microseconds (about a third of a REQ/REP round trip). For the operations
//   that are not per message: bind, unbind, proxy runs, observer reads.
// - rejectingInCaller captures nothing up front: when the promise rejects, the stack is taken
//   again inside the promise reaction that settles the caller's promise, where V8's async stack
//   traces name every `await`ing async function up the chain ("at async main (app.js:3:9)").
//   Free until something fails; a caller that uses .then() instead of await gets no frames.
//   For send() and receive() that have to wait. (One that completes or fails during the call
//   needs neither: an error made then has the caller's frames already.)
import { ZmqError } from "./errors";

/** The stack frames of an operation's call, captured for an error that may come later. */
export interface CallSite {
  readonly stack?: string;
}

type AnyFunction = (...args: never[]) => unknown;

/** Captures the current call's stack; frames from `above` up (this function by default) are left out. */
export function captureCallSite(above: AnyFunction = captureCallSite): CallSite {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, above);
  return site;
}

/**
 * Gives `error` the stack of its operation's call, under its own "ZmqError: message" line.
 * Anything but a ZmqError (an abort reason, a TypeError) is left as it is.
 */
export function atCallSite(error: unknown, site: CallSite): unknown {
  if (!(error instanceof ZmqError)) return error;
  const frames = site.stack ?? "";
  const firstFrame = frames.indexOf("\n");
  error.stack = `${error.name}: ${error.message}${firstFrame < 0 ? "" : frames.slice(firstFrame)}`;
  return error;
}

/** `promise`, which rejects with its ZmqError carrying the stack of the call made now. */
export function rejectingAtCallSite<T>(
  promise: Promise<T>,
  above: AnyFunction = rejectingAtCallSite,
): Promise<T> {
  const site = captureCallSite(above);
  return promise.catch((error: unknown) => {
    throw atCallSite(error, site);
  });
}

/** `promise`, which rejects with its ZmqError carrying the stack of the async functions awaiting it. */
export function rejectingInCaller<T>(promise: Promise<T>): Promise<T> {
  return promise.catch(restackInCaller);
}

function restackInCaller(error: unknown): never {
  // Runs as the reaction that settles the caller's promise: the async frames are the caller's.
  if (error instanceof ZmqError) Error.captureStackTrace(error, restackInCaller);
  throw error;
}
