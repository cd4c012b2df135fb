// Exiting with messages still queued. libzmq keeps a closed socket's unsent messages for its
// linger (default: until delivered), and the process waits for them as it exits; zmq-napi
// bounds that wait and says so on stderr (binding/termination.h).
import { rangeError, typeError } from "./errors";
import { addon } from "./native";

/** How long an exit waits for queued messages by default, in ms. */
export const DEFAULT_EXIT_TIMEOUT = 1500;

/**
 * Sets how long the process (or a worker thread) waits, as it exits, for messages that
 * sockets still hold under their `linger`: `milliseconds` ≥ 0, or -1 to wait until they are
 * delivered. The default is 1500 ms, or the `ZMQ_NAPI_EXIT_TIMEOUT` environment variable.
 * After 250 ms of waiting a warning on stderr says what waits; when the time runs out the
 * process exits with its exit code and the messages left are dropped.
 */
export function setExitTimeout(milliseconds: number): void {
  if (typeof milliseconds !== "number") throw typeError("a number", "milliseconds", milliseconds);
  if (!Number.isInteger(milliseconds) || milliseconds < -1 || milliseconds > 2 ** 31 - 1) {
    throw rangeError("an integer from -1 to 2147483647", "milliseconds", milliseconds);
  }
  addon.setExitTimeout(milliseconds);
}
