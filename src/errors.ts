// Errors of zmq-napi: errno-coded errors from libzmq and the argument checks that guard the
// native boundary. One errno table (the addon's, from errors.cc) is the source of truth.
import { addon } from "./native";

const errnoByName: Readonly<Record<string, number>> = addon.errno;

/** The errno names that zmq-napi errors carry in `.code`. */
export type ErrnoCode =
  | "EAGAIN"
  | "EBADF"
  | "EBUSY"
  | "EFSM"
  | "EHOSTUNREACH"
  | "EINVAL"
  | "EINTR"
  | "EMTHREAD"
  | "ENOCOMPATPROTO"
  | "ENOTSUP"
  | "EPROTONOSUPPORT"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "ENODEV"
  | "ETERM"
  | "EPERM"
  | "ENOENT"
  | "EMSGSIZE"
  | (string & {});

/**
 * An error reported by libzmq (or by zmq-napi in libzmq's terms): `.code` is the errno name
 * (`"EAGAIN"`, `"EFSM"`, `"EHOSTUNREACH"`…), `.errno` its number, and `.address` the endpoint
 * when one was involved.
 */
export class ZmqError extends Error {
  /** The errno name, e.g. `"EAGAIN"`, `"EADDRINUSE"`, `"EFSM"` (libzmq's own codes included). */
  declare code: ErrnoCode;
  /** The errno number on this platform (libzmq's own codes are above 156384712). */
  declare errno: number;
  /** The endpoint the failed operation concerned (bind, connect, unbind, disconnect). */
  declare address?: string;

  constructor(code: ErrnoCode, message: string, address?: string) {
    super(message);
    this.name = "ZmqError";
    this.code = code;
    this.errno = errnoByName[code] ?? 0;
    if (address !== undefined) this.address = address;
  }
}

// The addon throws and rejects with ZmqErrors itself (binding/errors.h), made with this class.
addon.setErrorClass(ZmqError);

/**
 * Marks a value that must not appear in error messages (keys, passwords): it is described
 * by type and length only.
 */
export class Secret {
  constructor(readonly value: unknown) {}
}

function describe(value: unknown): string {
  if (value instanceof Secret) {
    const inner = value.value;
    if (typeof inner === "string") return `a string of ${inner.length} characters (not shown)`;
    if (inner instanceof Uint8Array) return `${inner.length} bytes (not shown)`;
    return describe(inner);
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an instance of ${value.constructor?.name ?? "Object"}`;
  if (typeof value === "string")
    return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === "bigint") return `bigint ${value}n`;
  // By name: String() of a function is its whole source.
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "symbol") {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

/** A TypeError shaped "Expected X for Y but received Z". */
export function typeError(expected: string, name: string, received: unknown): TypeError {
  const error = new TypeError(
    `Expected ${expected} for ${name} but received ${describe(received)}`,
  );
  (error as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
  return error;
}

/** A RangeError shaped "Expected X for Y but received Z". */
export function rangeError(expected: string, name: string, received: unknown): RangeError {
  const error = new RangeError(
    `Expected ${expected} for ${name} but received ${describe(received)}`,
  );
  (error as RangeError & { code: string }).code = "ERR_OUT_OF_RANGE";
  return error;
}

export function expectString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw typeError("a string", name, value);
}

export function expectFunction(value: unknown, name: string): void {
  if (typeof value !== "function") throw typeError("a function", name, value);
}

export function expectInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== "number") throw typeError("a number", name, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`an integer from ${min} to ${max}`, name, value);
  }
}

/** EBADF for an operation on a closed socket ("Socket is closed; cannot send"). */
export function closedError(operation: string): ZmqError {
  return new ZmqError("EBADF", `Socket is closed; cannot ${operation}`);
}
