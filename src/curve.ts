// CURVE keys and the Z85 text encoding ZeroMQ uses for them.
import { Secret, rangeError, typeError } from "./errors";
import { addon } from "./native";

/** A CURVE key pair, both keys as 40-character Z85 strings. */
export interface CurveKeyPair {
  /** The public key: give it to peers (a server's is every client's `curveServerKey`). */
  publicKey: string;
  /** The secret key: keep it private (`curveSecretKey` of the socket that owns the pair). */
  secretKey: string;
}

/** Generates a new CURVE key pair (zmq_curve_keypair, libsodium's CSPRNG). */
export function curveKeyPair(): CurveKeyPair {
  return addon.curveKeyPair();
}

/** Derives the public key of a Z85 or 32-byte secret key (zmq_curve_public). */
export function curvePublic(secretKey: string | Uint8Array): string {
  if (typeof secretKey !== "string" && !(secretKey instanceof Uint8Array)) {
    throw typeError("a Z85 string or a 32-byte Buffer", "secretKey", secretKey);
  }
  if (typeof secretKey !== "string" && secretKey.length !== 32)
    throw rangeError("a 32-byte key", "secretKey", new Secret(secretKey));
  if (typeof secretKey === "string" && secretKey.length !== 40) {
    throw rangeError("a 40-character Z85 key", "secretKey", new Secret(secretKey));
  }
  const text = typeof secretKey === "string" ? secretKey : z85Encode(secretKey);
  try {
    return addon.curvePublic(text);
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) {
      throw rangeError("a valid Z85 key", "secretKey", new Secret(secretKey));
    }
    throw error;
  }
}

/** Encodes bytes (length divisible by 4) as Z85 text (zmq_z85_encode). */
export function z85Encode(data: Uint8Array): string {
  if (!(data instanceof Uint8Array)) throw typeError("a Buffer or Uint8Array", "data", data);
  if (data.length % 4 !== 0) throw rangeError("a length divisible by 4", "data", data);
  return addon.z85Encode(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Decodes Z85 text (length divisible by 5) into bytes (zmq_z85_decode). */
export function z85Decode(text: string): Buffer {
  if (typeof text !== "string") throw typeError("a string", "text", text);
  if (text.length % 5 !== 0) throw rangeError("a length divisible by 5", "text", text);
  if (text.length === 0) return Buffer.alloc(0);
  try {
    return addon.z85Decode(text);
  } catch {
    throw rangeError(
      "valid Z85 text (its characters, and each group of 5 at most 2^32 - 1)",
      "text",
      text,
    );
  }
}
