// proxy(): libzmq's built-in proxy (zmq_proxy_steerable), run on a thread of its own so the
// event loop never blocks. While it runs, its sockets belong to it: using them from JavaScript
// fails with EBUSY, and closing one terminates the proxy first.
import { rejectingAtCallSite } from "./call-site";
import { ZmqError, typeError } from "./errors";
import { addon } from "./native";
import { Socket, beforeClose, hasEndpoints, nativeSocketOf } from "./socket";
import { withoutSocketDefaults } from "./socket-defaults";
import { Pair } from "./sockets";

declare module "./native" {
  interface NativeAddon {
    runProxy(
      frontEnd: NativeSocket,
      backEnd: NativeSocket,
      controlInner: NativeSocket,
      controlOuter: NativeSocket,
      capture: NativeSocket | null,
      frontHasEndpoints: boolean,
      backHasEndpoints: boolean,
    ): Promise<void>;
  }
}

/** Options of `new Proxy(frontEnd, backEnd, options)`. */
export interface ProxyOptions {
  /** A socket that receives a copy of every message (left open when run() ends). */
  capture?: Socket;
}

/** Message and byte counts of a running proxy (the STATISTICS command of zmq_proxy_steerable). */
export interface ProxyStatistics {
  /** Traffic through the front-end socket. */
  frontEnd: {
    /** Messages received by the socket (a multipart message counts once), to forward. */
    messagesIn: number;
    /** Bytes received by the socket (all frames). */
    bytesIn: number;
    /** Messages sent by the socket. */
    messagesOut: number;
    /** Bytes sent by the socket (all frames). */
    bytesOut: number;
  };
  /** Traffic through the back-end socket. */
  backEnd: {
    /** Messages received by the socket (a multipart message counts once), to forward. */
    messagesIn: number;
    /** Bytes received by the socket (all frames). */
    bytesIn: number;
    /** Messages sent by the socket. */
    messagesOut: number;
    /** Bytes sent by the socket (all frames). */
    bytesOut: number;
  };
}

let controlCounter = 0;
/**
 * A steerable proxy between a front-end and a back-end socket (ROUTER/DEALER for a request
 * broker, XSUB/XPUB for a pub/sub forwarder, PULL/PUSH for a streamer), with an optional
 * capture socket that receives a copy of all traffic.
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  /** The socket facing clients (ROUTER, XSUB, PULL…); closed when run() ends. */
  readonly frontEnd: F;
  /** The socket facing services (DEALER, XPUB, PUSH…); closed when run() ends. */
  readonly backEnd: B;
  /** The socket that receives a copy of every message, if any (left open when run() ends). */
  readonly capture: Socket | undefined;
  #control: Pair | undefined;
  #running: Promise<void> | undefined;
  #commands: Promise<unknown> = Promise.resolve();

  /**
   * @param options `capture`: a socket that receives a copy of all traffic (zmq-napi's own;
   *   an options object, because zeromq v6 refuses a third socket argument).
   */
  constructor(frontEnd: F, backEnd: B, options?: ProxyOptions) {
    if (!(frontEnd instanceof Socket)) throw typeError("a Socket", "frontEnd", frontEnd);
    if (!(backEnd instanceof Socket)) throw typeError("a Socket", "backEnd", backEnd);
    if (options !== undefined && (typeof options !== "object" || options instanceof Socket)) {
      throw typeError("an options object ({ capture })", "options", options);
    }
    const capture = options?.capture;
    if (capture !== undefined && !(capture instanceof Socket))
      throw typeError("a Socket", "capture", capture);
    this.frontEnd = frontEnd;
    this.backEnd = backEnd;
    this.capture = capture;
  }

  /**
   * Runs the proxy until terminate() (or its context closes); resolves when it has ended.
   * Like the `zeromq` package's Proxy, it closes frontEnd and backEnd when it ends.
   */
  run(): Promise<void> {
    if (this.#running !== undefined) {
      return Promise.reject(new ZmqError("EBUSY", "Proxy is already running"));
    }
    const endpoint = `inproc://zmq-napi-proxy-control-${process.pid}-${++controlCounter}`;
    const inner = new Pair(withoutSocketDefaults({ context: this.frontEnd.context }));
    const outer = new Pair(withoutSocketDefaults({ context: this.frontEnd.context }));
    try {
      inner.bindSync(endpoint);
      outer.connect(endpoint);
    } catch (error) {
      inner.close();
      outer.close();
      throw error;
    }
    this.#control = outer;
    const sockets = [this.frontEnd, this.backEnd, ...(this.capture ? [this.capture] : [])];
    let started: Promise<void>;
    try {
      started = addon.runProxy(
        nativeSocketOf(this.frontEnd),
        nativeSocketOf(this.backEnd),
        nativeSocketOf(inner),
        nativeSocketOf(outer),
        this.capture ? nativeSocketOf(this.capture) : null,
        hasEndpoints(this.frontEnd),
        hasEndpoints(this.backEnd),
      );
    } catch (error) {
      inner.close();
      outer.close();
      return Promise.reject(error);
    }
    for (const socket of sockets) {
      beforeClose.set(socket, () => this.terminate());
    }
    const finish = () => {
      for (const socket of sockets) {
        beforeClose.delete(socket);
      }
      outer.close();
      inner.close();
      this.#control = undefined;
      this.frontEnd.close();
      this.backEnd.close();
    };
    this.#running = started.then(finish, (error: unknown) => {
      finish();
      throw error;
    });
    // It settles when the proxy thread ends: give its error the stack of this call.
    return rejectingAtCallSite(this.#running);
  }

  /** Stops forwarding (messages queue in the sockets) until resume(). */
  pause(): void {
    this.#command("PAUSE");
  }

  /** Resumes forwarding after pause(). */
  resume(): void {
    this.#command("RESUME");
  }

  /** Ends the proxy; run() then resolves. */
  terminate(): void {
    this.#command("TERMINATE");
  }

  /** Message and byte counts so far. */
  async statistics(): Promise<ProxyStatistics> {
    const control = this.#requireControl();
    const reply = (this.#commands = this.#commands.then(async () => {
      await control.send("STATISTICS");
      return control.receive();
    }));
    const frames = (await reply) as Buffer[];
    const [a, b, c, d, e, f, g, h] = frames.map((frame) => Number(frame.readBigUInt64LE(0)));
    return {
      frontEnd: { messagesIn: a, bytesIn: b, messagesOut: c, bytesOut: d },
      backEnd: { messagesIn: e, bytesIn: f, messagesOut: g, bytesOut: h },
    };
  }

  #requireControl(): Pair {
    if (this.#control === undefined) throw new ZmqError("EBADF", "Proxy is not running");
    return this.#control;
  }

  #command(command: "PAUSE" | "RESUME" | "TERMINATE"): void {
    const control = this.#requireControl();
    this.#commands = this.#commands.then(() => control.send(command)).catch(() => undefined);
  }
}

/**
 * Forwards messages between frontEnd and backEnd (and copies them to capture) until the
 * proxy is terminated, one of its sockets is closed or its context ends: the seed's
 * `zmq.proxy(frontend, backend)`. Resolves when the proxy has ended.
 */
export function proxy(frontEnd: Socket, backEnd: Socket, capture?: Socket): Promise<void> {
  return new Proxy(frontEnd, backEnd, capture === undefined ? undefined : { capture }).run();
}
