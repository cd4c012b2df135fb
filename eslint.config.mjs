// ESLint finds the bugs tsc does not: promises nobody waits for, async functions where a
// callback must return nothing, errors that lose their stack or read "[object Object]".
// Formatting is prettier's and types are tsc's (both in scripts/lint.js), so no style rules.
// Every file, JavaScript included, is linted with type information from tsconfig.eslint.json,
// and with @eslint/js's recommended rules (duplicate keys, a return in finally, a fallthrough,
// a rethrow that drops the cause…).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const TYPESCRIPT = ["**/*.ts", "**/*.mts", "**/*.cts"];

// @eslint/js's recommended rules that tsc already enforces on TypeScript (undefined names,
// redeclarations, unreachable code…). no-unused-vars too: tsconfig's noUnusedLocals and
// noUnusedParameters report it, and the base rule misreads overloads and type-only names.
const coveredByTsc = Object.fromEntries([
  ...Object.entries(tseslint.configs.eslintRecommended.rules ?? {}).filter(
    ([, level]) => level === "off",
  ),
  ["no-unused-vars", "off"],
]);

export default defineConfig(
  {
    ignores: [
      "lib/",
      "build/",
      "build-asan/",
      "prebuilds/",
      "docs/api/",
      "deps/.cache/",
      "src/generated/",
      "node_modules/",
    ],
  },
  {
    files: ["**/*.{ts,mts,cts,js,mjs,cjs}"],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.node,
      parser: tseslint.parser,
      parserOptions: {
        project: "./tsconfig.eslint.json",
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      // A promise nobody awaits or catches: its rejection is unhandled (Node ends the process)
      // and whatever follows runs before it settles.
      "@typescript-eslint/no-floating-promises": "error",
      // An async function where the caller ignores the result (an event listener, a
      // setTimeout/setImmediate callback, forEach): its rejection is unhandled; or a promise
      // tested as a condition, which is always true.
      "@typescript-eslint/no-misused-promises": "error",
      // await on a value that is not a promise: the code assumed an API is async that is not.
      "@typescript-eslint/await-thenable": "error",
      // `return promise` inside try: the catch and finally do not see its rejection.
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      // A cast or `!` that changes nothing hides the day the type changes under it. (It misreads
      // a cast that stops inference as doing nothing: see src/options.ts.)
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      // Throwing or rejecting with a non-Error loses the stack the caller needs.
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // "[object Object]" (or a function's whole source) in a message or a frame.
      "@typescript-eslint/no-base-to-string": "error",
      // A switch over a union with no default that misses a member (a new socket type, a new
      // option kind) falls through to nothing.
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/no-for-in-array": "error",
      "@typescript-eslint/no-array-delete": "error",
      "@typescript-eslint/no-implied-eval": "error",
      // Spaces in a regular expression that matches generated text are clearer as written.
      "no-regex-spaces": "off",
      // Not on, for noise without bugs in this code base:
      // - require-await: an async function without await is deliberate here (a synchronous
      //   throw becomes the rejection the API promises); a forgotten await is
      //   no-floating-promises' to find.
      // - no-unnecessary-condition: the public API checks its arguments at run time for
      //   JavaScript callers, which the types say cannot happen.
      // - restrict-template-expressions, restrict-plus-operands: Buffers and numbers in text are
      //   intended; "[object Object]" is no-base-to-string's.
      // - unbound-method, no-unsafe-*: `any` from JSON and dynamic require, and methods passed
      //   to expectTypeOf or called with .call().
    },
  },
  { files: TYPESCRIPT, rules: coveredByTsc },
  {
    // package.json says "type": "commonjs".
    files: ["**/*.{js,cjs}"],
    languageOptions: { sourceType: "commonjs" },
    rules: {
      // `const crypto = require("node:crypto")` shadows the global of that name on purpose.
      "no-redeclare": ["error", { builtinGlobals: false }],
      // `for await (const _ of socket)` drains a socket.
      "no-unused-vars": ["error", { varsIgnorePattern: "^_" }],
    },
  },
);
