// The errors a config-center client can get, beyond plain ones (an ERROR reply, a closed client).

/** A reply that says "not now": the server has too many streams open. */
export class BusyError extends Error {
  /** @param {string} command @param {number} retryAfter ms */
  constructor(command, retryAfter) {
    super(`${command}: the server is busy, retry in ${retryAfter} ms`);
    this.retryAfter = retryAfter;
  }
}

/** A replay the server cannot give: it no longer keeps every update asked for. */
export class TooOldError extends Error {}

/** A compare-and-set (`ifVersion`) that found the key at another version. */
export class ConflictError extends Error {
  /** @param {string} key @param {number} version the key's @param {number | undefined} expected */
  constructor(key, version, expected) {
    super(`${key} is at version ${version}, not ${expected}`);
    this.version = version;
  }
}

/** No reply in time; the message says what the connection looked like (connection.mjs). */
export class NoReplyError extends Error {}

/** The server asked is not the active one of a primary and backup (NOTACTIVE). */
export class NotActiveError extends Error {}
