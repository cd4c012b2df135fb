// The readiness that pollers (poller.ts) wait for on one socket, beside what its pending sends
// and receives wait for. The socket adds their mask to what it asks of the native poller, so
// the same ZMQ_FD bridge wakes both. A watcher is one-shot: it is dropped when readiness it
// asked for arrives (or the socket closes), and the poller re-arms it only if it waits on, so a
// socket that stays ready while nobody takes its message cannot keep the readiness loop busy.
// Nothing here knows sockets or pollers.

/** One poller's wait on one socket. */
export interface PollWatcher {
  /** ZMQ_POLLIN | ZMQ_POLLOUT: what the poller waits for. */
  readonly mask: number;
  /** Called when some of `mask` may be ready, or the socket closed. Must not touch the socket. */
  wake(): void;
}

/** The watchers of one socket. */
export class PollWatchers {
  readonly #watchers = new Set<PollWatcher>();
  #mask = 0;

  /**
   * @param canReceive, canSend what the socket's type can do (its socket-type table entry)
   * @param changed called after a watcher came or went: the socket updates what it watches
   */
  constructor(
    readonly canReceive: boolean,
    readonly canSend: boolean,
    private readonly changed: () => void,
  ) {}

  /** The union of the watchers' masks. */
  get mask(): number {
    return this.#mask;
  }

  add(watcher: PollWatcher): void {
    this.#watchers.add(watcher);
    this.#mask |= watcher.mask;
    this.changed();
  }

  delete(watcher: PollWatcher): void {
    if (!this.#watchers.delete(watcher)) return;
    this.#recompute();
    this.changed();
  }

  /**
   * Readiness `ready` arrived: wakes and drops the watchers it concerns. The socket calls this
   * from its readiness loop, which then updates what it watches itself.
   */
  readinessArrived(ready: number): void {
    if ((ready & this.#mask) === 0) return;
    for (const watcher of this.#watchers) {
      if ((watcher.mask & ready) === 0) continue;
      this.#watchers.delete(watcher);
      watcher.wake();
    }
    this.#recompute();
  }

  /** The socket closed: wakes and drops every watcher. */
  socketClosed(): void {
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    this.#mask = 0;
    for (const watcher of watchers) watcher.wake();
  }

  #recompute(): void {
    let mask = 0;
    for (const watcher of this.#watchers) mask |= watcher.mask;
    this.#mask = mask;
  }
}
