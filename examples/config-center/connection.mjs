// What a socket's connection events (its Observer) say about the peer at an endpoint, so that
// "no reply" can be told apart: nothing listening there; something that drops the connection
// during the ZeroMQ handshake (another kind of socket — the other endpoint of the server — or
// other security settings); a peer that accepted the connection but never completes the
// handshake (frozen); a peer that is connected but does not answer (frozen, overloaded, or not
// a config-center server); or a connection that was lost.

/**
 * @param {import("zmq-napi").Socket} socket
 * @param {string} endpoint  the one it connects to (for the messages)
 */
export function watchConnection(socket, endpoint) {
  const state = {
    /** A transport connection (TCP, ipc) is up, the handshake not necessarily done. */
    reached: false,
    /** The ZMTP handshake is done and the connection is up. */
    connected: false,
    everConnected: false,
    /** Connections dropped before their handshake completed. */
    droppedInHandshake: 0,
    /** Why the last handshake failed, when libzmq says. @type {string | undefined} */
    refused: undefined,
    /** The server's authenticator (ZAP) refused this client. */
    denied: false,
  };
  const events = socket.events;
  events.on("connect", () => (state.reached = true));
  events.on("handshake", () => {
    state.connected = state.everConnected = true;
    state.refused = undefined;
    state.droppedInHandshake = 0;
  });
  events.on("disconnect", () => {
    if (state.reached && !state.connected) state.droppedInHandshake += 1;
    state.reached = state.connected = false;
  });
  const refuse = (/** @type {{ error: Error }} */ event, denied = false) => {
    state.connected = false;
    state.refused = event.error.message;
    state.denied = denied;
  };
  events.on("handshake:error:protocol", (event) => refuse(event));
  events.on("handshake:error:other", (event) => refuse(event));
  events.on("handshake:error:auth", (event) => refuse(event, true));
  return {
    get connected() {
      return state.connected;
    },
    get everConnected() {
      return state.everConnected;
    },
    /**
     * Why nothing came back within `ms`, in one line.
     * @param {number} ms
     * @param {string} [expected]  what did not come ("answer", "send anything")
     */
    explain(ms, expected = "answer") {
      if (state.connected) {
        return `${endpoint} is connected but did not ${expected} within ${ms} ms (the server is frozen, overloaded, or not a config-center server)`;
      }
      if (state.denied) {
        return `${endpoint} refused this client (${state.refused}): is its public key on the server's allow-list (--clients)?`;
      }
      if (state.refused?.includes("MECHANISM_MISMATCH")) {
        return `${endpoint} uses other security settings: one side has --curve and the other not`;
      }
      if (state.refused !== undefined || state.droppedInHandshake > 0) {
        const why = state.refused === undefined ? "" : ` (${state.refused})`;
        return `${endpoint} drops the connection during the ZeroMQ handshake${why}: not the expected kind of socket (the server's updates and requests endpoints swapped?) or other security settings (--curve, --server-key)`;
      }
      if (state.reached) {
        return `${endpoint} accepted the connection but the ZeroMQ handshake did not complete within ${ms} ms (the server is frozen or overloaded)`;
      }
      return state.everConnected
        ? `lost the connection to ${endpoint} and could not reconnect within ${ms} ms (the server is down?)`
        : `could not connect to ${endpoint} within ${ms} ms (nothing listening there?)`;
    },
  };
}
