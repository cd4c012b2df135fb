// Contexts: a libzmq context owns the I/O threads that move messages for its sockets.
import { typeError } from "./errors";
import { addon, type NativeContext } from "./native";
import { defineOptionAccessors } from "./option-accessors";
import { contextOptions, type ContextOptionProperties, type ContextOptionValues } from "./options";
import { checkSocketDefaults, type SocketDefaults } from "./socket-defaults";

export type { SocketDefaults } from "./socket-defaults";

/**
 * Options of `new Context(options)`: its writable context options (`ioThreads`, `blocky`…) and
 * the socket options every socket made in it gets.
 * @interface
 */
export type ContextOptions = ContextOptionValues & {
  /** Socket options for every socket made in the context (see Context.socketDefaults). */
  socketDefaults?: SocketDefaults;
};

const nativeContexts = new WeakMap<Context, NativeContext>();
// Kept beside the object, not in it: the shared context is made without its constructor.
const socketDefaultsByContext = new WeakMap<Context, Readonly<SocketDefaults>>();
const noDefaults: Readonly<SocketDefaults> = Object.freeze({});

/** The socket defaults of a context (for the socket layer). */
export function socketDefaultsOf(context: Context): Readonly<SocketDefaults> {
  return socketDefaultsByContext.get(context) ?? noDefaults;
}

/** The native context behind a Context (for the socket layer). */
export function nativeContextOf(context: Context): NativeContext {
  const native = nativeContexts.get(context);
  if (native === undefined) throw typeError("a Context", "context", context);
  return native;
}

/**
 * A ZeroMQ context: the I/O threads and the sockets made in it. Most programs use the shared
 * default {@link context}; a separate Context isolates its sockets (inproc:// endpoints are per
 * context) and its thread pool. A Context releases its I/O threads when closed or collected.
 */
export class Context {
  /**
   * @param options context options (e.g. `{ ioThreads: 2 }`), applied in order, and
   * `socketDefaults` (e.g. `{ linger: 0 }`)
   */
  constructor(options?: ContextOptions) {
    if (arguments.length > 1) throw new TypeError("Expected 1 argument");
    nativeContexts.set(this, new addon.Context(false));
    applyContextOptions(this, options);
    // As in zeromq v6: a misspelt option (`ctx.ioThread = 2`) throws in strict mode.
    if (Object.getPrototypeOf(this) === Context.prototype) Object.seal(this);
  }

  /**
   * Socket options that every socket made in this context from now on gets (pyzmq's
   * `ctx.linger = 0`), e.g. `{ linger: 0, sendHighWaterMark: 10_000 }`. Each value is checked
   * when set, as on a socket (TypeError or RangeError naming the option). A socket gets the
   * options its class has and no others (`mandatory` goes to a Router, not to a Dealer), and the
   * options given to its constructor override them. Setting replaces the whole set (`{}` clears
   * it); sockets made before keep their options. Reading gives a frozen copy.
   */
  get socketDefaults(): Readonly<SocketDefaults> {
    return socketDefaultsOf(this);
  }

  /**
   * Replaces the socket defaults, each value checked as described above. (Typed as the getter
   * is: TypeScript before 5.1 wants a getter and its setter of one type.)
   */
  set socketDefaults(defaults: Readonly<SocketDefaults>) {
    nativeContextOf(this);
    socketDefaultsByContext.set(this, checkSocketDefaults(defaults));
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return nativeContextOf(this).closed;
  }

  /**
   * Closes every socket still open in this context (their pending operations settle) and
   * terminates the context on a background thread, honouring each socket's linger.
   */
  close(): void {
    nativeContextOf(this).close();
  }
}

// Declaration merging: the option properties that defineOptionAccessors puts on the prototype.
export interface Context extends ContextOptionProperties {}

defineOptionAccessors(Context.prototype, contextOptions, (self) => {
  const native = nativeContextOf(self as Context);
  return {
    getOption: (spec) => native.getOption(spec.id),
    setOption: (spec, value) => native.setOption(spec.id, value as number),
  };
});

function applyContextOptions(context: Context, options: ContextOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null)
    throw typeError("an object", "options", options);
  for (const [key, value] of Object.entries(options)) {
    if (key === "socketDefaults") {
      context.socketDefaults = value as SocketDefaults;
      continue;
    }
    if (!Object.hasOwn(contextOptions, key)) {
      throw new TypeError(`Unknown context option "${key}"`);
    }
    (context as unknown as Record<string, unknown>)[key] = value;
  }
}

function makeShared(): Context {
  const shared: Context = Object.create(Context.prototype);
  nativeContexts.set(shared, new addon.Context(true));
  return shared;
}

/**
 * The default context, shared by every socket that names no other. It is one libzmq context
 * for the whole process, so inproc:// endpoints connect sockets across worker threads.
 */
export const context: Context = makeShared();
