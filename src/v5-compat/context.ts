// v5's Context: static methods on the one context that every v5-compat socket uses (zmq-napi's
// shared context).
import { context } from "../index";

/** The context options v5 could set: they apply to the context every socket here uses. */
export class Context {
  /** Sets the number of libzmq I/O threads (ZMQ_IO_THREADS; effective before the first socket). */
  static setMaxThreads(value: number): void {
    context.ioThreads = value;
  }

  /** The number of libzmq I/O threads (ZMQ_IO_THREADS). */
  static getMaxThreads(): number {
    return context.ioThreads;
  }

  /** Sets the maximum number of sockets (ZMQ_MAX_SOCKETS). */
  static setMaxSockets(value: number): void {
    context.maxSockets = value;
  }

  /** The maximum number of sockets (ZMQ_MAX_SOCKETS). */
  static getMaxSockets(): number {
    return context.maxSockets;
  }

  /** There is only the one context: constructing another fails. */
  private constructor() {
    throw new Error(
      "zmq-napi/v5-compat has one context, shared by all its sockets: use Context's static " +
        "methods, or zmq-napi's own Context for sockets of the v6 API",
    );
  }
}
