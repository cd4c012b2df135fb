/**
 * The v5 API of the `zeromq` package (`zmq-napi/v5-compat`), for programs written for zeromq 5
 * (`zmq.socket("req")`, `.on("message")`, `bindSync`, callbacks) and for packages that subclass
 * its Socket by prototype (`zmq.Socket.call(this, type)` with `util.inherits`), such as jmp and
 * ijavascript. It is built on zmq-napi's v6 API: every socket here is a zmq-napi socket in the
 * shared context.
 *
 * Code that imported zeromq 6's `zeromq/v5-compat` imports `zmq-napi/v5-compat` (or keeps its
 * import under an npm alias `"zeromq": "npm:zmq-napi@…"`). A package that does
 * `require("zeromq")` and expects v5 (jmp, and so ijavascript) needs that name to lead here:
 * an alias gives it the v6 API. In the application's package.json, `"overrides": { "zeromq":
 * "file:./zeromq-v5" }` with a folder `zeromq-v5` holding a package.json (`"name": "zeromq"`,
 * `"main": "index.js"`) and an index.js of `module.exports = require("zmq-napi/v5-compat")`
 * does it (npm resolves `file:` wrongly inside a nested override such as `{ "jmp": { … } }`,
 * npm/cli#5078). Otherwise a resolution hook at start-up can map `"zeromq"` to
 * `require.resolve("zmq-napi/v5-compat")`.
 *
 * @module v5-compat
 */
import { curveKeyPair, version as libzmqVersion } from "./index";
import { Socket } from "./v5-compat/socket";
import type { SocketType } from "./v5-compat/socket-types";

export * from "./v5-compat/constants";
export { Context } from "./v5-compat/context";
export { proxy } from "./v5-compat/proxy";
export { Socket, type SocketConstructor } from "./v5-compat/socket";
export { options, type OptionName } from "./v5-compat/socket-options";
export { types, type SocketType } from "./v5-compat/socket-types";
export type { Callback } from "./v5-compat/state";

/** The version of the linked libzmq, `"major.minor.patch"`. */
export const version: string = libzmqVersion;

/**
 * A new socket of `type`, with options set from `options` as v5 did: each key is assigned to
 * the socket (`{ linger: 0, identity: "a" }` sets `socket.linger` and `socket.identity`).
 */
export function createSocket(type: SocketType | number, options: object = {}): Socket {
  const socket = new Socket(type);
  try {
    Object.assign(socket, options);
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

/** v5's other name of createSocket(). */
export const socket: typeof createSocket = createSocket;

/** A CURVE key pair as v5 returned it. */
export interface CurveKeypair {
  /** The public key, Z85-encoded (40 characters). */
  public: string;
  /** The secret key, Z85-encoded (40 characters). */
  secret: string;
}

/** A new CURVE key pair. */
export function curveKeypair(): CurveKeypair {
  const { publicKey, secretKey } = curveKeyPair();
  return { public: publicKey, secret: secretKey };
}
