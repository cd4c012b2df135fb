// The TypeScript types derived from the option table (options.ts): which option properties
// each socket class and a Context have, with the table's TSDoc on each, and what their
// constructors accept. Types only; nothing here exists at run time.
import type { contextOptions, OptionSpec, socketOptions } from "./options";
import type { SocketClassName, socketTypes } from "./socket-types";

type SocketOptionTable = typeof socketOptions;

type JsValue<S extends OptionSpec> = S["value"] extends "number"
  ? number
  : S["value"] extends "boolean"
    ? boolean
    : S["value"] extends "mechanism"
      ? null | "plain" | "curve" | "gssapi"
      : S["value"] extends "nameType"
        ? "hostBased" | "userName" | "krb5Principal"
        : S["value"] extends "bytes"
          ? string | Buffer | null // write-only: reads back the string or Buffer written
          : string | null;

/**
 * What a setter accepts beyond what the getter returns: keys, bytes and strings also take
 * Buffers (binary routing ids, user names), as in zeromq v6.
 */
type JsInput<S extends OptionSpec> = S["value"] extends "key" | "bytes" | "string"
  ? string | Buffer | null
  : JsValue<S>;

type AppliesTo<S extends OptionSpec, C extends SocketClassName> = S["on"] extends "all"
  ? true
  : S["on"] extends "writable"
    ? (typeof socketTypes)[C]["writable"]
    : S["on"] extends "readable"
      ? (typeof socketTypes)[C]["readable"]
      : S["on"] extends readonly (infer N)[]
        ? C extends N
          ? true
          : false
        : false;

type OptionNames<C extends SocketClassName, Access> = {
  [K in keyof SocketOptionTable]: AppliesTo<SocketOptionTable[K], C> extends true
    ? SocketOptionTable[K]["access"] extends Access
      ? K
      : never
    : never;
}[keyof SocketOptionTable];

/**
 * The option properties of socket class C (read/write and read-only). Keys are remapped
 * (`as`) rather than filtered through a union, so each property keeps the table's TSDoc.
 */
export type SocketOptionProperties<C extends SocketClassName> = {
  -readonly [
    K in keyof SocketOptionTable as K extends OptionNames<C, "rw" | "w"> ? K : never
  ]: JsValue<SocketOptionTable[K]>;
} & {
  readonly [K in keyof SocketOptionTable as K extends OptionNames<C, "r"> ? K : never]: JsValue<
    SocketOptionTable[K]
  >;
};

/** The writable options of socket class C, as accepted by its constructor. */
export type SocketOptionValues<C extends SocketClassName> = {
  [K in keyof SocketOptionTable as K extends OptionNames<C, "rw" | "w"> ? K : never]?: JsInput<
    SocketOptionTable[K]
  >;
};

type ContextOptionTable = typeof contextOptions;
type ContextNames<Access> = {
  [K in keyof ContextOptionTable]: ContextOptionTable[K]["access"] extends Access ? K : never;
}[keyof ContextOptionTable];

/** The option properties of a Context. */
export type ContextOptionProperties = {
  -readonly [
    K in keyof ContextOptionTable as K extends ContextNames<"rw" | "w"> ? K : never
  ]: JsValue<ContextOptionTable[K]>;
} & {
  readonly [K in keyof ContextOptionTable as K extends ContextNames<"r"> ? K : never]: JsValue<
    ContextOptionTable[K]
  >;
};

/**
 * Options of `new Context(options)`: its writable options.
 * @interface
 */
export type ContextOptionValues = {
  [K in keyof ContextOptionTable as K extends ContextNames<"rw" | "w"> ? K : never]?: JsValue<
    ContextOptionTable[K]
  >;
};
