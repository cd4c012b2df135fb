// The server's open streams (snapshots and replays being sent), with credit-based flow control
// as in the ZeroMQ guide's file transfer (chapter 7): a client asks for a stream with a few
// credits, the server sends one chunk per credit, and the client gives a credit back for each
// chunk it has taken in. So a server never runs ahead of a client (nothing piles up in its
// queues), and a client that gave up — it timed out, or went away — costs at most the chunks it
// already had credit for.
//
// Coalescing: a new stream from a client replaces any stream that client still has open (it is
// the same node asking again). Bounded: beyond `maxSessions` open streams, or when a stream has
// had no credit for `idleTimeout` ms (its client is gone), the server closes them.

/**
 * @typedef {object} Session
 * @property {Buffer} peer  the client's routing id
 * @property {string} id    the request id the client chose for the stream
 * @property {string} kind  "snapshot" or "replay" (for reporting)
 * @property {Iterator<Array<string | number | Buffer>>} chunks  the messages still to send
 * @property {number} credit
 * @property {number} lastActive  Date.now() of the last credit
 */

export class Sessions {
  /** @type {Map<string, Session>} */
  #sessions = new Map();
  #maxSessions;
  #idleTimeout;

  /** @param {{ maxSessions?: number, idleTimeout?: number }} [limits] */
  constructor({ maxSessions = 16, idleTimeout = 30_000 } = {}) {
    this.#maxSessions = maxSessions;
    this.#idleTimeout = idleTimeout;
  }

  get size() {
    return this.#sessions.size;
  }

  /**
   * Opens a stream; false when too many are open (the client is told to come back later).
   * @param {Omit<Session, "lastActive">} session
   */
  open(session) {
    const peer = session.peer.toString("hex");
    for (const [key, open] of this.#sessions) {
      if (open.peer.toString("hex") === peer) this.#sessions.delete(key); // coalescing
    }
    this.expire();
    if (this.#sessions.size >= this.#maxSessions) return false;
    this.#sessions.set(keyOf(session.peer, session.id), { ...session, lastActive: Date.now() });
    return true;
  }

  /** Adds credit to a stream (an unknown or finished one is ignored). */
  credit(peer, id, amount) {
    const session = this.#sessions.get(keyOf(peer, id));
    if (session === undefined) return;
    session.credit = Math.min(session.credit + amount, 64);
    session.lastActive = Date.now();
  }

  close(peer, id) {
    this.#sessions.delete(keyOf(peer, id));
  }

  clear() {
    this.#sessions.clear();
  }

  /** Closes the streams whose client has given no credit for too long. */
  expire(now = Date.now()) {
    for (const [key, session] of this.#sessions) {
      if (now - session.lastActive > this.#idleTimeout) this.#sessions.delete(key);
    }
  }

  /**
   * The next message to send, taking one credit, round robin over the streams that have
   * credit; undefined when none has. A stream's last message closes it.
   * @returns {{ session: Session, message: Array<string | number | Buffer>, last: boolean } | undefined}
   */
  next() {
    for (const [key, session] of this.#sessions) {
      if (session.credit <= 0) continue;
      // Move it to the end: the others go first next time.
      this.#sessions.delete(key);
      const { value, done } = session.chunks.next();
      if (done) continue;
      session.credit -= 1;
      const last = value[0] !== "CHUNK";
      if (!last) this.#sessions.set(key, session);
      return { session, message: value, last };
    }
    return undefined;
  }
}

function keyOf(peer, id) {
  return `${peer.toString("hex")}/${id}`;
}
