// The state hash: a fingerprint of a map that two replicas compare to know they hold the same
// entries. Each entry has a 256-bit digest, eight 32-bit words; the state hash is the word-wise
// sum, modulo 2^32, of the digests of all entries, written as 64 hex digits (word 0 first).
//
// The digest of an entry: eight lanes, lane i starting at SEEDS[i]; each 32-bit input x goes
// into every lane as h = imul(h ^ x, PRIMES[i]); the inputs are the key's length, each UTF-16
// code unit of the key, the value's length, each code unit of the value; then each lane goes
// through murmur3's finaliser (fmix32).
//
// A sum, not a hash of the sorted map, so that it is updated in O(1) on every change (add the
// new entry's digest, subtract the old one's) instead of costing a sort of the whole map each
// time; and plain arithmetic instead of SHA-256, which costs several microseconds an entry —
// seconds for a million keys, on every node that takes a snapshot. Equal maps have equal hashes
// whatever the order they were built in; the empty map hashes to 0. It detects divergence
// between replicas; it is not a cryptographic hash and authenticates nothing.

const SEEDS = [
  0x9e3779b9, 0x7f4a7c15, 0xf39cc060, 0x5ced1f18, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344,
];
const PRIMES = [
  0x01000193, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1, 0xcc9e2d51, 0x1b873593, 0xe6546b65,
];

function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const lanes = new Int32Array(8);

/** The digest of one entry, into `out` (eight words). */
export function entryDigest(key, value, out = new Uint32Array(8)) {
  let h0 = SEEDS[0] | 0;
  let h1 = SEEDS[1] | 0;
  let h2 = SEEDS[2] | 0;
  let h3 = SEEDS[3] | 0;
  let h4 = SEEDS[4] | 0;
  let h5 = SEEDS[5] | 0;
  let h6 = SEEDS[6] | 0;
  let h7 = SEEDS[7] | 0;
  const feed = (x) => {
    h0 = Math.imul(h0 ^ x, PRIMES[0]);
    h1 = Math.imul(h1 ^ x, PRIMES[1]);
    h2 = Math.imul(h2 ^ x, PRIMES[2]);
    h3 = Math.imul(h3 ^ x, PRIMES[3]);
    h4 = Math.imul(h4 ^ x, PRIMES[4]);
    h5 = Math.imul(h5 ^ x, PRIMES[5]);
    h6 = Math.imul(h6 ^ x, PRIMES[6]);
    h7 = Math.imul(h7 ^ x, PRIMES[7]);
  };
  for (const text of [key, value]) {
    feed(text.length);
    for (let i = 0; i < text.length; i++) feed(text.charCodeAt(i));
  }
  lanes[0] = h0;
  lanes[1] = h1;
  lanes[2] = h2;
  lanes[3] = h3;
  lanes[4] = h4;
  lanes[5] = h5;
  lanes[6] = h6;
  lanes[7] = h7;
  for (let i = 0; i < 8; i++) out[i] = fmix32(lanes[i]);
  return out;
}

const digest = new Uint32Array(8);

/** A running state hash: add() and remove() entries as the map changes. */
export class StateHash {
  #sum = new Uint32Array(8);

  add(key, value) {
    entryDigest(key, value, digest);
    for (let i = 0; i < 8; i++) this.#sum[i] = this.#sum[i] + digest[i];
  }

  remove(key, value) {
    entryDigest(key, value, digest);
    for (let i = 0; i < 8; i++) this.#sum[i] = this.#sum[i] - digest[i];
  }

  hex() {
    return Array.from(this.#sum, (word) => word.toString(16).padStart(8, "0")).join("");
  }
}

/**
 * The hash of a whole map at once.
 * @param {Iterable<[string, string]>} entries
 */
export function stateHash(entries) {
  const hash = new StateHash();
  for (const [key, value] of entries) hash.add(key, value);
  return hash.hex();
}
