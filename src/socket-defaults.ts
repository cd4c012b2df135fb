// Socket options that a Context gives every socket made in it afterwards (pyzmq's
// `ctx.linger = 0`). They are checked against the option table when they are set, as the same
// values would be on a socket, and applied at construction through the sockets' own accessors;
// a socket type that does not have an option (the table says which do) does not get it.
import { typeError } from "./errors";
import { toNative } from "./option-accessors";
import { socketOptions, type OptionSpec, type SocketOptionValues } from "./options";
import { optionNamesOf } from "./socket-options";
import type { SocketClassName } from "./socket-types";

type Table = typeof socketOptions;
/** The options a socket can be given (not the read-only ones). */
type WritableName = { [K in keyof Table]: Table[K]["access"] extends "r" ? never : K }[keyof Table];
/** Every class's constructor option types, as a union. */
type AnyClassOptions = { [C in SocketClassName]: SocketOptionValues<C> }[SocketClassName];
/** What the classes that have option K accept for it (the same type in each). */
type InputOf<K extends PropertyKey> = AnyClassOptions extends infer O
  ? O extends unknown
    ? K extends keyof O
      ? O[K]
      : never
    : never
  : never;

/**
 * Socket options for every socket a {@link Context} makes: any writable socket option of any
 * socket class (`linger`, `sendHighWaterMark`, `mandatory`…). A socket gets those its class
 * has; the options given to its constructor override them.
 */
export type SocketDefaults = {
  // Mapped over the table's keys (remapped, not filtered) so each keeps the table's TSDoc.
  [K in keyof Table as K extends WritableName ? K : never]?: InputOf<K>;
};

const table: Readonly<Record<string, OptionSpec>> = socketOptions;

const internal = Symbol("zmq-napi.withoutSocketDefaults");

/**
 * Marks the constructor options of a socket zmq-napi makes for itself (an observer's pipe, the
 * ZAP handler's ROUTER, a proxy's control pair): a context's defaults are for the program's
 * sockets, and a `receiveTimeout` or a `connectionNotify` there would break these.
 */
export function withoutSocketDefaults<T extends object>(options: T): T {
  return { ...options, [internal]: true };
}

/**
 * Checks socket defaults as a socket's setters would check each value (TypeError or
 * RangeError naming the option) and returns a frozen copy. What only libzmq can refuse (a
 * routing id's length, say) fails when a socket that has the option is made.
 */
export function checkSocketDefaults(defaults: unknown): Readonly<SocketDefaults> {
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) {
    throw typeError("an object", "socketDefaults", defaults);
  }
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults)) {
    const spec = Object.hasOwn(table, key) ? table[key] : undefined;
    if (spec === undefined) throw new TypeError(`Unknown socket option "${key}" in socketDefaults`);
    if (spec.access === "r") throw new TypeError(`Cannot set ${key}: it is read-only`);
    toNative(key, spec, value);
    copy[key] = value;
  }
  return Object.freeze(copy);
}

/**
 * Sets a new socket's defaults: those its class has and its constructor `options` do not
 * name (those come next). Throws the first error; the caller closes the socket.
 */
export function applySocketDefaults(
  socket: object,
  defaults: Readonly<SocketDefaults>,
  options: object | undefined,
): void {
  const entries = Object.entries(defaults);
  if (entries.length === 0) return;
  const allowed = optionNamesOf(socket);
  const explicit = typeof options === "object" && options !== null ? options : {};
  if (internal in explicit) return;
  for (const [key, value] of entries) {
    if (allowed.has(key) && !Object.hasOwn(explicit, key)) {
      (socket as Record<string, unknown>)[key] = value;
    }
  }
}
