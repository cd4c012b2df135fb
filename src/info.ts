import { addon, type NativeCapability } from "./native";

/** The version of the libzmq linked into the addon, `"major.minor.patch"`. */
export const version: string = addon.version;

/**
 * What the linked libzmq supports, from `zmq_has()`: transports (`ipc`, `pgm`, `tipc`, `norm`,
 * `websockets`), security mechanisms (`curve`, `gssapi`) and whether draft sockets exist.
 * @interface
 */
export type Capability = NativeCapability;
/** What this build of libzmq supports (see {@link Capability}); frozen. */
export const capability: Readonly<Capability> = Object.freeze({ ...addon.capability });
