// CURVE certificates in ZeroMQ's zcert text format, the one czmq's zcert and pyzmq's
// zmq.auth.create_certificates write: '#' comment lines, then ZPL (ZeroMQ Property Language,
// RFC 4) sections — `metadata` with `key = "value"` lines, and `curve` with `public-key` and,
// in the secret file, `secret-key`:
//
//     #   ****  Generated on 2025-01-01 00:00:00 by zmq-napi  ****
//     #   ZeroMQ CURVE **Secret** Certificate
//     metadata
//         name = "server"
//     curve
//         public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
//         secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
//
// The functions are synchronous on purpose: certificates are small files read once while a
// program sets up its security, as pyzmq and czmq do, and configureCurve() stays synchronous.
import * as fs from "node:fs";
import * as path from "node:path";

import { curveKeyPair, curvePublic, z85Decode } from "../curve";
import { expectString, rangeError, typeError } from "../errors";

/** A certificate read by {@link loadCertificate}. */
export interface Certificate {
  /** The public key (Z85, 40 characters). */
  publicKey: string;
  /** The secret key (Z85), or null for a public certificate (`.key` file). */
  secretKey: string | null;
  /** The `metadata` section's entries. */
  metadata: Record<string, string>;
}

/** The files {@link createCertificates} wrote. */
export interface CertificateFiles {
  /** `<name>.key`: the public certificate, safe to hand out. */
  publicFile: string;
  /** `<name>.key_secret`: the secret certificate (mode 0600). */
  secretFile: string;
  /** The new public key (Z85). */
  publicKey: string;
  /** The new secret key (Z85); it is also in `secretFile`. */
  secretKey: string;
}

/**
 * A certificate file that cannot be used: unreadable structure, a missing or malformed key, or
 * a secret key that does not belong to the public key. `.file` names it, `.line` the line.
 */
export class CertificateError extends Error {
  /** Always `"ERR_INVALID_CERTIFICATE"`. */
  readonly code = "ERR_INVALID_CERTIFICATE";
  /** The file (or the `source` given to parseCertificate()) that is wrong. */
  readonly file: string;
  /** The 1-based line at fault, when the fault is on one line. */
  readonly line: number | undefined;

  constructor(message: string, file: string, line?: number) {
    super(`${message} (${line === undefined ? file : `${file}:${line}`})`);
    this.name = "CertificateError";
    this.file = file;
    this.line = line;
  }
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;
// ZPL names: letters, digits and $ - _ @ . & + / (RFC 4).
const NAME = /^[A-Za-z0-9$\-_@.&+/]+$/;

/**
 * Whether `key` is a CURVE key in Z85 text: 40 characters of the Z85 alphabet that decode to
 * 32 bytes (a group like "#####" is beyond 2^32 and does not).
 */
export function isZ85Key(key: unknown): key is string {
  if (typeof key !== "string" || !Z85_KEY.test(key)) return false;
  try {
    z85Decode(key);
    return true;
  } catch {
    return false;
  }
}

// --- reading ----------------------------------------------------------------------------------

interface Property {
  value: string | null;
  line: number;
}

interface ParsedFile {
  metadata: Map<string, Property>;
  curve: Map<string, Property>;
}

/**
 * Reads the value part of `name = value`: a '…' or "…" quoted string (which may contain '#',
 * a Z85 character), or bare text up to a ` #` comment. pyzmq writes metadata unquoted.
 */
function parseValue(raw: string, file: string, line: number): string {
  const text = raw.trim();
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    if (end < 0) throw new CertificateError(`Unterminated ${quote}-quoted value`, file, line);
    const rest = text.slice(end + 1).trim();
    if (rest !== "" && !rest.startsWith("#")) {
      throw new CertificateError(
        `Unexpected text after a quoted value (${rest.length} characters, not shown)`,
        file,
        line,
      );
    }
    return text.slice(1, end);
  }
  const comment = text.search(/\s#/);
  return (comment < 0 ? text : text.slice(0, comment)).trim();
}

function parseCertificateText(text: string, file: string): ParsedFile {
  const parsed: ParsedFile = { metadata: new Map(), curve: new Map() };
  let section: Map<string, Property> | null = null;
  // The indentation of the current section's properties: set by the first one, so files
  // indented with 2 spaces or tabs read as well as ZPL's 4 spaces. Deeper lines are
  // sub-properties, which neither czmq nor pyzmq write for certificates; they are skipped.
  let childIndent = -1;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.trimStart();
    if (content === "" || content.startsWith("#")) return;
    const indent = rawLine.length - content.length;
    const equals = content.indexOf("=");
    const name = (equals < 0 ? content.replace(/\s#.*$/, "") : content.slice(0, equals)).trim();
    // The line is not shown: in a secret certificate it may hold the key.
    if (!NAME.test(name))
      throw new CertificateError(`Malformed line (${content.length} characters)`, file, line);
    if (indent === 0) {
      // A section (`metadata`, `curve`); others (and top-level properties) are not ours.
      section = name === "metadata" ? parsed.metadata : name === "curve" ? parsed.curve : null;
      childIndent = -1;
      return;
    }
    if (section === null) return;
    if (childIndent < 0) childIndent = indent;
    if (indent > childIndent) return;
    if (indent < childIndent) throw new CertificateError("Inconsistent indentation", file, line);
    if (section.has(name)) throw new CertificateError(`Duplicate property ${name}`, file, line);
    const value = equals < 0 ? null : parseValue(content.slice(equals + 1), file, line);
    section.set(name, { value, line });
  });
  return parsed;
}

function keyFrom(property: Property | undefined, name: string, file: string): string | null {
  if (property === undefined) return null;
  const { value, line } = property;
  if (value === null || !isZ85Key(value)) {
    // A secret key's value is never echoed, even when malformed: it may be most of the key.
    const shown =
      value === null
        ? "no value"
        : name === "public-key"
          ? `"${String(value)}"`
          : `a value of ${String(value).length} characters`;
    throw new CertificateError(
      `Expected a 40-character Z85 ${name} but found ${shown}`,
      file,
      line,
    );
  }
  return value;
}

/**
 * Parses certificate text (the contents of a `.key` or `.key_secret` file). `source` names it
 * in errors. Throws a {@link CertificateError} when the curve section has no valid public key,
 * a malformed secret key, or a secret key whose public key is not the one given.
 */
export function parseCertificate(text: string, source = "certificate"): Certificate {
  expectString(text, "text");
  const parsed = parseCertificateText(text, source);
  const publicKey = keyFrom(parsed.curve.get("public-key"), "public-key", source);
  if (publicKey === null) {
    throw new CertificateError("No public-key in the curve section", source);
  }
  const secretKey = keyFrom(parsed.curve.get("secret-key"), "secret-key", source);
  if (secretKey !== null && curvePublic(secretKey) !== publicKey) {
    // A swapped or hand-edited file: using it would fail every handshake with a
    // cryptographic error far from its cause.
    const line = parsed.curve.get("secret-key")!.line;
    throw new CertificateError("secret-key does not belong to public-key", source, line);
  }
  const metadata: Record<string, string> = {};
  for (const [key, { value }] of parsed.metadata) {
    // defineProperty: a "__proto__" entry stays data, not the object's prototype.
    Object.defineProperty(metadata, key, {
      value: value ?? "",
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { publicKey, secretKey, metadata };
}

/**
 * Reads a certificate file written by {@link createCertificates}, czmq (zcert) or pyzmq
 * (zmq.auth.create_certificates). `secretKey` is null for a public (`.key`) file.
 * Throws a {@link CertificateError} for a malformed file, and fs errors as they come.
 */
export function loadCertificate(file: string): Certificate {
  expectString(file, "file");
  return parseCertificate(fs.readFileSync(file, "utf8"), file);
}

/**
 * The public keys of every public certificate (`*.key`, not `*.key_secret`) in `directory`,
 * sorted by file name — the set of clients a CURVE server may accept. A malformed file throws
 * rather than being skipped, so that a client does not get refused for no visible reason.
 */
export function loadPublicKeys(directory: string): string[] {
  expectString(directory, "directory");
  return fs
    .readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.name.endsWith(".key") && !entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => loadCertificate(path.join(directory, name)).publicKey);
}

// --- writing ----------------------------------------------------------------------------------

const PUBLIC_BANNER = [
  "   ZeroMQ CURVE Public Certificate",
  "   Exchange securely, or use a secure mechanism to verify the contents",
  "   of this file after exchange. Store public certificates in your home",
  "   directory, in the .curve subdirectory.",
];
const SECRET_BANNER = [
  "   ZeroMQ CURVE **Secret** Certificate",
  "   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
];

function quote(value: string, name: string): string {
  // ZPL has no escapes: a value is quoted with whichever quote it does not contain.
  if (/[\r\n\0]/.test(value) || (value.includes('"') && value.includes("'"))) {
    throw rangeError("a single-line value without both kinds of quotes", name, value);
  }
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function formatCertificate(
  banner: string[],
  metadata: Array<[string, string]>,
  keys: Array<[string, string]>,
): string {
  const stamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "");
  return [
    `#   ****  Generated on ${stamp} by zmq-napi  ****`,
    ...banner.map((line) => `#${line}`),
    "",
    "metadata",
    ...metadata.map(([key, value]) => `    ${key} = ${quote(value, `metadata.${key}`)}`),
    "curve",
    ...keys.map(([key, value]) => `    ${key} = "${value}"`),
    "",
  ].join("\n");
}

function metadataEntries(metadata: unknown): Array<[string, string]> {
  if (metadata === undefined) return [];
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw typeError("an object of strings", "metadata", metadata);
  }
  return Object.entries(metadata).map(([key, value]) => {
    if (!NAME.test(key)) {
      throw rangeError("a name of letters, digits and $-_@.&+/", "a metadata key", key);
    }
    if (typeof value !== "string") throw typeError("a string", `metadata.${key}`, value);
    quote(value, `metadata.${key}`);
    return [key, value];
  });
}

/**
 * Generates a CURVE key pair and writes it as `<directory>/<name>.key` (the public
 * certificate) and `<directory>/<name>.key_secret` (public and secret key, mode 0600), in the
 * format czmq and pyzmq read. Existing files are replaced. `metadata` goes into both files,
 * as czmq does.
 */
export function createCertificates(
  directory: string,
  name: string,
  metadata?: Record<string, string>,
): CertificateFiles {
  expectString(directory, "directory");
  expectString(name, "name");
  if (name === "" || /[/\\\0]/.test(name) || name === "." || name === "..") {
    throw rangeError("a file name without path separators", "name", name);
  }
  const entries = metadataEntries(metadata);
  const { publicKey, secretKey } = curveKeyPair();
  const publicFile = path.join(directory, `${name}.key`);
  const secretFile = `${publicFile}_secret`;
  fs.writeFileSync(
    publicFile,
    formatCertificate(PUBLIC_BANNER, entries, [["public-key", publicKey]]),
  );
  writePrivateFile(
    secretFile,
    formatCertificate(SECRET_BANNER, entries, [
      ["public-key", publicKey],
      ["secret-key", secretKey],
    ]),
  );
  return { publicFile, secretFile, publicKey, secretKey };
}

/** Writes a file only its owner can read, also when it exists already with a wider mode. */
function writePrivateFile(file: string, contents: string): void {
  // The mode of open() applies only to a new file; fchmod before writing narrows an old one
  // before the secret is in it.
  const fd = fs.openSync(file, "w", 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, contents);
  } finally {
    fs.closeSync(fd);
  }
}
