// Who serves, of a primary and a backup: the ZeroMQ guide's Binary Star (chapter 4), as a state
// machine with no I/O. Each server hears the other's heartbeats (state, role, the run and seq
// of its data) and the requests of clients and nodes, which are its votes:
//
//   starting  the peer is active -> passive (follow it)
//             the peer is starting or passive -> active if this one's data is newer (a later
//             run, or the same run further on), or as new and this is the primary
//             a vote, the peer silent since the start for EXPIRY (primary) or 2 x EXPIRY
//             (backup: a primary starting at the same time goes first) -> active; a primary
//             that has heard nothing of its backup for EXPIRY since it started needs no vote
//   passive   a vote while the peer has been silent for EXPIRY -> active (failover)
//             a vote while the peer is alive -> refused (NOTACTIVE): no split brain while
//             both are alive
//             the peer says it is stopping (BYE) -> active at once
//             the peer is starting or passive again (it restarted) -> active if this one's
//             data is newer, or as new and this is the primary
//   active    the peer is active too (a partition healed, a frozen server woke up) -> the one
//             with the earlier run steps down to passive and follows the other
//
// Failover needs a vote, not only silence, as in the guide: a passive server that cannot hear
// the active one, while its clients can, must not take over. An active server that finds it
// was frozen (its timer came late) doubts itself for EXPIRY: it answers no vote, and steps down
// if it hears an active peer with a later run meanwhile.

import { termOf } from "./protocol.mjs";

/**
 * @typedef {{ epoch: string, seq: number }} DataAt  the run and seq of a server's data
 * @typedef {{ state: string, role: string, epoch: string, seq: number, heardAt: number }} Peer
 * @typedef {"activate" | "follow" | "demote" | undefined} Transition
 */

export class BinaryStar {
  /** @type {"starting" | "active" | "passive"} */
  state = "starting";
  /** @type {Peer | undefined} */
  peer;
  #role;
  #expiry;
  #startedAt;
  #doubtUntil = 0;

  /**
   * @param {{ role: "primary" | "backup", expiry: number, now?: number }} options
   *   expiry: ms of silence after which the peer counts as gone
   */
  constructor({ role, expiry, now = Date.now() }) {
    this.#role = role;
    this.#expiry = expiry;
    this.#startedAt = now;
  }

  get role() {
    return this.#role;
  }

  /** Whether the peer has been silent for EXPIRY (or never heard). */
  peerGone(now = Date.now()) {
    return this.peer === undefined || now - this.peer.heardAt > this.#expiry;
  }

  /**
   * The peer's heartbeat.
   * @param {Omit<Peer, "heardAt">} heard
   * @param {DataAt} mine
   * @returns {Transition}
   */
  onPeer(heard, mine, now = Date.now()) {
    this.peer = { ...heard, heardAt: now };
    switch (this.state) {
      case "starting":
        if (heard.state === "active") return this.#become("passive", "follow");
        return this.#newer(mine, heard) ? this.#become("active", "activate") : undefined;
      case "passive":
        if (heard.state === "active") return undefined;
        return this.#newer(mine, heard) ? this.#become("active", "activate") : undefined;
      default:
        if (heard.state !== "active") return undefined;
        // Two actives: the earlier run gives way (the backup, when both are as late).
        if (!this.#newer(mine, heard)) return this.#become("passive", "demote");
        return undefined;
    }
  }

  /**
   * A request of a client or node.
   * @returns {"serve" | "refuse" | "activate"}
   */
  onVote(now = Date.now()) {
    if (this.state === "active") return now < this.#doubtUntil ? "refuse" : "serve";
    if (!this.peerGone(now)) return "refuse";
    if (this.state === "passive") {
      this.#become("active", "activate");
      return "activate";
    }
    const wait = this.#role === "primary" ? this.#expiry : 2 * this.#expiry;
    if (now - this.#startedAt < wait) return "refuse";
    this.#become("active", "activate");
    return "activate";
  }

  /**
   * Time passing: a primary that has heard nothing of its backup since it started, for EXPIRY,
   * becomes active without waiting for a vote (there is no active server it could hear). A
   * backup never does: it waits for a vote, and twice as long.
   * @returns {Transition}
   */
  onTick(now = Date.now()) {
    if (this.state !== "starting" || this.#role !== "primary" || this.peer !== undefined)
      return undefined;
    return now - this.#startedAt >= this.#expiry ? this.#become("active", "activate") : undefined;
  }

  /** The peer says it is stopping. @returns {Transition} */
  onBye() {
    if (this.peer !== undefined) this.peer.heardAt = -Infinity;
    return this.state === "passive" ? this.#become("active", "activate") : undefined;
  }

  /** This server's own timer came late: it was frozen, and may have been replaced meanwhile. */
  onStall(now = Date.now()) {
    if (this.state === "active") this.#doubtUntil = now + this.#expiry;
  }

  /** Whether an active server doubts itself after a stall. */
  doubting(now = Date.now()) {
    return this.state === "active" && now < this.#doubtUntil;
  }

  /**
   * Whether `mine` is later than `theirs`: a later run (term), or the same term further on; as
   * late as each other, the primary.
   * @param {DataAt} mine
   * @param {{ epoch: string, seq: number }} theirs
   */
  #newer(mine, theirs) {
    const [a, b] = [termOf(mine.epoch), termOf(theirs.epoch)];
    if (a !== b) return a > b;
    if (mine.seq !== theirs.seq) return mine.seq > theirs.seq;
    return this.#role === "primary";
  }

  /** @param {"active" | "passive"} state @param {NonNullable<Transition>} transition */
  #become(state, transition) {
    this.state = state;
    this.#doubtUntil = 0;
    return transition;
  }
}
