// The access policy an Authenticator applies to ZAP requests, kept apart from the socket that
// serves them. The rules follow pyzmq's zmq.auth:
//   1. IP addresses: when the allow list has entries, only those addresses pass; otherwise
//      addresses on the deny list are refused. This applies to every mechanism.
//   2. NULL passes (libzmq asks ZAP about NULL only when the server sets a zapDomain).
//   3. PLAIN needs a user name and password configured for the server's zapDomain.
//   4. CURVE needs the client's public key allowed for the domain, or "any" key.
// Configuration for domain "*" applies to every domain without its own.
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

import { z85Encode } from "../curve";
import { expectString, rangeError, typeError } from "../errors";
import { isZ85Key, loadPublicKeys } from "./certificates";
import type { ZapAnswer, ZapRequest } from "./zap";

/**
 * Which CURVE clients a domain accepts: `"any"` (every client that completes the handshake,
 * i.e. knows the server's public key), a set of public keys (Z85 strings or 32-byte
 * buffers), or the public keys of the `*.key` certificates in a directory (read once, when
 * configured; configure again to reload).
 */
export type CurveClients =
  | "any"
  | Iterable<string | Uint8Array>
  | {
      /** A directory of public certificates (`*.key` files, e.g. from createCertificates()). */
      directory: string;
    };

/** The domain whose configuration applies to domains without their own. */
export const ANY_DOMAIN = "*";

/**
 * The form libzmq reports a peer in: an IPv4 client of a dual-stack (ipv6) socket appears as
 * "::ffff:a.b.c.d", which must still match an allow-list entry "a.b.c.d".
 */
function canonicalAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1] : lower;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Compares passwords in time that does not depend on where they differ. */
function samePassword(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** A key as Z85 text, the form the CURVE credentials are compared in. */
function canonicalKey(key: unknown, name: string): string {
  if (typeof key === "string") {
    if (!isZ85Key(key)) throw rangeError("a 40-character Z85 key", name, key);
    return key;
  }
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw rangeError("a 32-byte key", name, key);
    return z85Encode(key);
  }
  throw typeError("a Z85 string or a 32-byte Buffer", name, key);
}

export class Policy {
  readonly #allowed = new Set<string>();
  readonly #denied = new Set<string>();
  // Maps, not objects: a user named "__proto__" or "constructor" must be just a name.
  readonly #passwords = new Map<string, Map<string, string>>();
  readonly #curve = new Map<string, "any" | Set<string>>();

  allow(addresses: readonly unknown[]): void {
    for (const address of checkedAddresses(addresses)) this.#allowed.add(address);
  }

  deny(addresses: readonly unknown[]): void {
    for (const address of checkedAddresses(addresses)) this.#denied.add(address);
  }

  configurePlain(domain: unknown, passwords: unknown): void {
    expectString(domain, "domain");
    if (typeof passwords !== "object" || passwords === null || Array.isArray(passwords)) {
      throw typeError("an object of user names to passwords", "passwords", passwords);
    }
    const users = new Map<string, string>();
    for (const [user, password] of Object.entries(passwords)) {
      if (typeof password !== "string")
        throw typeError("a string", `password of ${user}`, password);
      users.set(user, password);
    }
    this.#passwords.set(domain, users);
  }

  configureCurve(domain: unknown, clients: unknown): void {
    expectString(domain, "domain");
    if (clients === "any") {
      this.#curve.set(domain, "any");
      return;
    }
    let keys: Iterable<unknown>;
    if (typeof clients === "object" && clients !== null && "directory" in clients) {
      const directory = clients.directory;
      expectString(directory, "clients.directory");
      keys = loadPublicKeys(directory);
    } else if (typeof clients === "object" && clients !== null && Symbol.iterator in clients) {
      keys = clients as Iterable<unknown>;
    } else {
      throw typeError('"any", an iterable of keys or { directory }', "clients", clients);
    }
    const allowed = new Set<string>();
    let index = 0;
    for (const key of keys) allowed.add(canonicalKey(key, `clients[${index++}]`));
    this.#curve.set(domain, allowed);
  }

  /** Decides a request. */
  decide(request: ZapRequest): ZapAnswer {
    const address = canonicalAddress(request.address);
    if (this.#allowed.size > 0) {
      if (!this.#allowed.has(address)) return deny(`Address ${request.address} is not allowed`);
    } else if (this.#denied.has(address)) {
      return deny(`Address ${request.address} is denied`);
    }
    switch (request.mechanism) {
      case "NULL":
        return { statusCode: 200, reason: "OK", userId: "" };
      case "PLAIN":
        return this.#plain(request);
      case "CURVE":
        return this.#curveKey(request);
      default:
        return deny(`Mechanism ${request.mechanism} is not supported`);
    }
  }

  #plain({ domain, credentials }: ZapRequest): ZapAnswer {
    if (credentials.length !== 2) return deny("Malformed PLAIN credentials");
    const users = this.#passwords.get(domain) ?? this.#passwords.get(ANY_DOMAIN);
    if (users === undefined) return deny(`No PLAIN users for domain "${domain}"`);
    const user = credentials[0].toString();
    const expected = users.get(user);
    if (expected === undefined) return deny(`Unknown user "${user}"`);
    if (!samePassword(credentials[1].toString(), expected))
      return deny(`Wrong password for "${user}"`);
    return { statusCode: 200, reason: "OK", userId: user };
  }

  #curveKey({ domain, credentials }: ZapRequest): ZapAnswer {
    const key = credentials[0];
    if (credentials.length !== 1 || key === undefined || key.length !== 32) {
      return deny("Malformed CURVE credentials");
    }
    const clients = this.#curve.get(domain) ?? this.#curve.get(ANY_DOMAIN);
    if (clients === undefined) return deny(`No CURVE clients for domain "${domain}"`);
    const text = z85Encode(key);
    if (clients !== "any" && !clients.has(text)) return deny(`Unknown public key ${text}`);
    return { statusCode: 200, reason: "OK", userId: text };
  }
}

function deny(reason: string): ZapAnswer {
  return { statusCode: 400, reason, userId: "" };
}

function checkedAddresses(addresses: readonly unknown[]): string[] {
  return addresses.map((address, index) => {
    if (typeof address !== "string")
      throw typeError("an IP address string", `addresses[${index}]`, address);
    // A host name or a typo would never match what libzmq reports: fail now, not silently.
    if (isIP(address) === 0)
      throw rangeError("an IPv4 or IPv6 address", `addresses[${index}]`, address);
    return canonicalAddress(address);
  });
}
