// Installs the option table's entries as accessor properties, with validation at the
// boundary and conversion between JavaScript values and what the addon moves.
import { Secret, rangeError, typeError } from "./errors";
import { OptionKind, type OptionSpec } from "./options";

/** The native object an accessor reads and writes. */
export interface OptionBackend {
  getOption(spec: OptionSpec): unknown;
  setOption(spec: OptionSpec, value: unknown): void;
}

const mechanisms = [null, "plain", "curve", "gssapi"] as const;
const nameTypes = ["hostBased", "userName", "krb5Principal"] as const;
const Z85 = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Validates `value` for the option `name` and returns what the addon should be given. */
export function toNative(name: string, spec: OptionSpec, value: unknown): unknown {
  switch (spec.value) {
    case "number": {
      if (typeof value === "bigint" && spec.kind !== OptionKind.Int32) {
        // The same range as for numbers: what is set must read back exactly.
        const min = spec.min ?? 0;
        const max = spec.max ?? Number.MAX_SAFE_INTEGER;
        if (value < BigInt(min) || value > BigInt(max)) {
          throw rangeError(`an integer from ${min} to ${max}`, name, value);
        }
        return value;
      }
      if (typeof value !== "number") throw typeError("a number", name, value);
      const min = spec.min ?? -(2 ** 31);
      const max = spec.max ?? 2 ** 31 - 1;
      if (!Number.isInteger(value) || value < min || value > max) {
        throw rangeError(`an integer from ${min} to ${max}`, name, value);
      }
      return value;
    }
    case "boolean":
      if (typeof value !== "boolean") throw typeError("a boolean", name, value);
      return value ? 1 : 0;
    case "string":
    case "bytes":
      // Both take Buffers (a binary routing id); they differ in what reading them gives.
      if (value === null || typeof value === "string" || Buffer.isBuffer(value)) return value;
      throw typeError(
        "a string, Buffer or null",
        name,
        /password/i.test(name) ? new Secret(value) : value,
      );
    case "key":
      // libzmq cannot clear a CURVE key: it takes 32 bytes or 40 Z85 characters. Errors never
      // show the value: it may be a secret key.
      if (typeof value === "string") {
        if (!Z85.test(value)) throw rangeError("a 40-character Z85 key", name, new Secret(value));
        return value;
      }
      if (value instanceof Uint8Array) {
        if (value.length !== 32) throw rangeError("a 32-byte key", name, new Secret(value));
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      throw typeError("a Z85 string or a 32-byte Buffer", name, value);
    case "nameType": {
      const index = nameTypes.indexOf(value as (typeof nameTypes)[number]);
      if (index < 0) throw typeError(`one of ${nameTypes.join(", ")}`, name, value);
      return index;
    }
    case "property":
      // libzmq checks the "X-Name:value" shape (EINVAL); a NUL it would cut short unseen.
      if (typeof value !== "string") throw typeError('an "X-Name:value" string', name, value);
      if (value.includes("\0")) throw rangeError("a property without NUL", name, value);
      return value;
    case "mechanism":
      throw new TypeError(`${name} is read-only`);
  }
}

// The ZMQ_METADATA properties each socket has set, by name: libzmq ignores a second value for
// a name, so that is refused here rather than dropped.
const setProperties = new WeakMap<object, Map<string, string>>();

function propertyParts(value: string): [string, string] {
  const colon = value.indexOf(":");
  return colon < 0 ? ["", ""] : [value.slice(0, colon), value.slice(colon + 1)];
}

function checkPropertyUnset(self: object, name: string, value: string): void {
  const [key, text] = propertyParts(value);
  const before = setProperties.get(self)?.get(key);
  // An empty value is libzmq's to refuse (EINVAL), like every other malformed property.
  if (before !== undefined && text !== "" && before !== text) {
    throw rangeError(`a property not set before (${key} is "${before}")`, name, value);
  }
}

function notePropertySet(self: object, value: string): void {
  let properties = setProperties.get(self);
  if (properties === undefined) setProperties.set(self, (properties = new Map()));
  const [key, text] = propertyParts(value);
  properties.set(key, text);
}

/** Converts what the addon returned for an option into its JavaScript value. */
export function fromNativeValue(spec: OptionSpec, value: unknown): unknown {
  switch (spec.value) {
    case "number":
      return typeof value === "bigint" ? Number(value) : value;
    case "boolean":
      return value !== 0;
    case "key":
    case "string":
    case "bytes":
    case "property":
      return value === "" || value === null ? null : value;
    case "mechanism":
      return mechanisms[value as number] ?? null;
    case "nameType":
      return nameTypes[value as number];
  }
}

/** Prefixes an error from libzmq with the option it concerns ("Cannot set linger: …"). */
function naming(error: unknown, operation: string, name: string): unknown {
  if (error instanceof Error && !error.message.includes(name)) {
    error.message = `Cannot ${operation} ${name}: ${error.message}`;
  }
  return error;
}

// Kept beside the object, not on it: socket instances are sealed.
const writtenValues = new WeakMap<object, Map<string, unknown>>();

/**
 * Defines one accessor per option on `prototype`. Write-only libzmq options remember the last
 * value written (or their documented initial value) so that reading them works.
 */
export function defineOptionAccessors(
  prototype: object,
  options: Readonly<Record<string, OptionSpec>>,
  backend: (self: object) => OptionBackend,
): void {
  for (const [name, spec] of Object.entries(options)) {
    const descriptor: PropertyDescriptor = { configurable: true, enumerable: false };
    descriptor.get =
      spec.access === "w"
        ? function (this: object) {
            const written = writtenValues.get(this);
            return written?.has(name) ? written.get(name) : spec.initial;
          }
        : function (this: object) {
            try {
              return fromNativeValue(spec, backend(this).getOption(spec));
            } catch (error) {
              throw naming(error, "read", name);
            }
          };
    if (spec.access !== "r") {
      descriptor.set = function (this: object, value: unknown) {
        const converted = toNative(name, spec, value);
        if (spec.value === "property") checkPropertyUnset(this, name, value as string);
        try {
          backend(this).setOption(spec, converted);
        } catch (error) {
          throw naming(error, "set", name);
        }
        if (spec.value === "property") notePropertySet(this, value as string);
        if (spec.access === "w") {
          let written = writtenValues.get(this);
          if (written === undefined) writtenValues.set(this, (written = new Map()));
          written.set(name, value);
        }
      };
    } else {
      descriptor.set = function () {
        throw new TypeError(`Cannot set ${name}: it is read-only`);
      };
    }
    Object.defineProperty(prototype, name, descriptor);
  }
}
