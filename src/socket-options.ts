// How a socket's options reach libzmq: the accessors the option table gives each socket class,
// which names its constructor accepts, the warning for options set too late to take effect, and
// the two options (ZMQ_SNDTIMEO, ZMQ_RCVTIMEO) that the pending-operation queues enforce
// themselves. Socket provides what this needs as an OptionHost; the rest knows no sockets.
import { closedError, typeError } from "./errors";
import { ZMQ } from "./generated/zmq-constants";
import type { NativeSocket } from "./native";
import { defineOptionAccessors } from "./option-accessors";
import { OptionKind, appliesTo, socketOptions, type OptionSpec } from "./options";
import type { SocketClassName } from "./socket-types";

/** What option access needs of a socket. */
export interface OptionHost {
  isClosed(): boolean;
  /** Whether the socket has an endpoint or a bind in progress: most options apply later. */
  isConnected(): boolean;
  readonly native: NativeSocket;
  /** See Socket[afterNativeCall]: any native call may consume a readiness edge. */
  afterNativeCall(): void;
  /** The queues that enforce ZMQ_SNDTIMEO and ZMQ_RCVTIMEO. */
  readonly senders: { timeout: number };
  readonly receivers: { timeout: number };
}

/** Where a socket keeps its OptionHost. */
export const optionHost = Symbol("zmq-napi.optionHost");
type Hosted = { readonly [optionHost]: OptionHost };

/**
 * Options that take effect on a socket that is already bound or connected (libzmq applies
 * the others at the next bind/connect); zeromq v6 warns when any other is set later.
 */
const IMMEDIATE_OPTIONS: ReadonlySet<number> = new Set([
  ZMQ.SUBSCRIBE,
  ZMQ.UNSUBSCRIBE,
  ZMQ.LINGER,
  ZMQ.ROUTER_MANDATORY,
  ZMQ.PROBE_ROUTER,
  ZMQ.XPUB_VERBOSE,
  ZMQ.REQ_CORRELATE,
  ZMQ.REQ_RELAXED,
  ZMQ.ROUTER_HANDOVER,
  ZMQ.XPUB_VERBOSER,
  ZMQ.SNDHWM,
  ZMQ.RCVHWM,
  // For the next connect, by definition (Router.connect sets it).
  ZMQ.CONNECT_ROUTING_ID,
  // The queues enforce these two themselves.
  ZMQ.SNDTIMEO,
  ZMQ.RCVTIMEO,
]);

/** Whether setting option `id` on a connected socket takes effect at once. */
export function takesEffectAtOnce(id: number): boolean {
  return IMMEDIATE_OPTIONS.has(id);
}

/** Which queue's timeout option `id` is, if it is one. */
export function queueTimeoutOf(id: number): "senders" | "receivers" | undefined {
  if (id === ZMQ.SNDTIMEO) return "senders";
  if (id === ZMQ.RCVTIMEO) return "receivers";
  return undefined;
}

/** Reads option `id` (crossing the boundary as `kind`); errors are the addon's. */
export function readOption(host: OptionHost, id: number, kind: number): unknown {
  if (host.isClosed()) throw closedError("read an option");
  try {
    return host.native.getOption(id, kind);
  } finally {
    host.afterNativeCall();
  }
}

/** Sets option `id`, warning as v6 does when it will only apply at the next bind/connect. */
export function writeOption(host: OptionHost, id: number, kind: number, value: unknown): void {
  if (host.isClosed()) throw closedError("set an option");
  if (!takesEffectAtOnce(id) && host.isConnected()) {
    process.emitWarning("Socket option will not take effect until next connect/bind.");
  }
  try {
    host.native.setOption(id, kind, value);
  } finally {
    host.afterNativeCall();
  }
  const queue = queueTimeoutOf(id);
  if (queue !== undefined) host[queue].timeout = value as number;
}

// --- the option accessors of the socket classes --------------------------------------------------

const optionNames = new WeakMap<object, Set<string>>();
// The prototypes of zmq-napi's own socket classes: their instances are sealed, as in zeromq v6,
// so a misspelt option (`sock.lnger = 0`) throws in strict mode. Subclasses stay open for
// their own fields.
const sealedPrototypes = new WeakSet<object>();

/** Seals the instances of socket class `prototype` (see sealedPrototypes). */
export function sealInstancesOf(prototype: object): void {
  sealedPrototypes.add(prototype);
}

/** Whether `socket` is an instance of one of zmq-napi's own classes (not of a subclass). */
export function isSealedClass(socket: object): boolean {
  return sealedPrototypes.has(Object.getPrototypeOf(socket));
}

/**
 * The option names the class of `socket` accepts: its socket class's (the nearest registered
 * prototype), plus the accessors with a setter that subclasses below it define, which zeromq
 * v6 accepts as constructor options too (a subclass's own options, over get/set*Option).
 */
export function optionNamesOf(socket: object): ReadonlySet<string> {
  const own: string[] = [];
  for (let at = Object.getPrototypeOf(socket); at !== null; at = Object.getPrototypeOf(at)) {
    const names = optionNames.get(at);
    if (names !== undefined) return own.length === 0 ? names : new Set([...names, ...own]);
    if (at === OptionsById.prototype) break;
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(at))) {
      if (descriptor.set !== undefined) own.push(key);
    }
  }
  return new Set(own);
}

/**
 * Sets the options a socket was constructed with, refusing names its class does not have.
 * Throws the first error; the caller closes the socket.
 */
export function applyConstructorOptions(socket: object, options: object): void {
  if (typeof options !== "object" || options === null)
    throw typeError("an object", "options", options);
  const allowed = optionNamesOf(socket);
  for (const [key, value] of Object.entries(options)) {
    if (key === "context") continue;
    if (!allowed.has(key)) {
      throw new TypeError(`Unknown option "${key}" for ${socket.constructor.name}`);
    }
    (socket as Record<string, unknown>)[key] = value;
  }
}

/**
 * Installs the option accessors of socket class `name` on its prototype (from the option
 * table) and records which option names its constructor accepts.
 */
export function defineSocketOptions(prototype: object, name: SocketClassName): void {
  const own: Record<string, OptionSpec> = {};
  for (const [key, spec] of Object.entries(socketOptions)) {
    if (appliesTo(spec, name)) own[key] = spec;
  }
  defineOptionAccessors(prototype, own, (self) => {
    const host = (self as Hosted)[optionHost];
    return {
      getOption: (spec) => readOption(host, spec.id, spec.kind),
      setOption: (spec, value) => writeOption(host, spec.id, spec.kind, value),
    };
  });
  optionNames.set(prototype, new Set(Object.keys(own)));
}

// --- options by libzmq id --------------------------------------------------------------------

/**
 * The base of Socket: options by libzmq id, for subclasses that need an option without a
 * property (zeromq v6's protected accessors, kept so that such subclasses run unchanged).
 */
export abstract class OptionsById {
  /** @internal */
  abstract readonly [optionHost]: OptionHost;

  /** Reads a boolean option by its libzmq id (ZMQ_*). */
  protected getBoolOption(id: number): boolean {
    return this.getRawOption(id, OptionKind.Int32) !== 0;
  }
  /** Sets a boolean option by its libzmq id. */
  protected setBoolOption(id: number, value: boolean): void {
    this.setRawOption(id, OptionKind.Int32, value ? 1 : 0);
  }
  /** Reads a 32-bit integer option by its libzmq id. */
  protected getInt32Option(id: number): number {
    return this.getRawOption(id, OptionKind.Int32) as number;
  }
  /** Sets a 32-bit integer option by its libzmq id. */
  protected setInt32Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Int32, value);
  }
  /** Reads a 64-bit integer option by its libzmq id. */
  protected getInt64Option(id: number): number {
    return this.getRawOption(id, OptionKind.Int64) as number;
  }
  /** Sets a 64-bit integer option by its libzmq id. */
  protected setInt64Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Int64, value);
  }
  /** Reads an unsigned 64-bit integer option by its libzmq id (warns above 2^53 − 1). */
  protected getUint64Option(id: number): number {
    const value = Number(this.getRawOption(id, OptionKind.Uint64));
    if (value > Number.MAX_SAFE_INTEGER) {
      process.emitWarning(
        "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.",
      );
    }
    return value;
  }
  /** Sets an unsigned 64-bit integer option by its libzmq id. */
  protected setUint64Option(id: number, value: number): void {
    this.setRawOption(id, OptionKind.Uint64, value);
  }
  /** Reads a string option by its libzmq id (null when empty). */
  protected getStringOption(id: number): string | null {
    const value = this.getRawOption(id, OptionKind.String) as string;
    return value === "" ? null : value;
  }
  /** Sets a string option by its libzmq id (a string, Buffer or null). */
  protected setStringOption(id: number, value: string | Buffer | null): void {
    this.setRawOption(id, OptionKind.String, value);
  }

  /** @internal Raw option access for subclasses (subscribe, verbosity, connect ids). */
  protected getRawOption(id: number, kind: number): unknown {
    return readOption(this[optionHost], id, kind);
  }

  /** @internal Raw option access for subclasses (subscribe, verbosity, connect ids). */
  protected setRawOption(id: number, kind: number, value: unknown): void {
    writeOption(this[optionHost], id, kind, value);
  }
}
