// How the CLI reports an error: one line on stderr — a JSON object with --json — and an exit
// code: 2 for a command line that is wrong, 3 for a compare-and-set conflict, 1 for the rest.
// Errors of ZeroMQ get a hint about what they mean here (a port in use, a malformed endpoint).

/** A mistake on the command line (exit code 2). */
export class UsageError extends Error {}

/** What went wrong, in one line, with a hint when the error is a known one. */
export function describe(/** @type {unknown} */ error) {
  if (!(error instanceof Error)) return String(error);
  const code = /** @type {{ code?: unknown, address?: unknown }} */ (error).code;
  const address = /** @type {{ address?: unknown }} */ (error).address;
  const where = typeof address === "string" ? address : "the endpoint";
  switch (code) {
    case "EADDRINUSE":
      return `${where} is already in use (another server running there?)`;
    case "EINVAL":
    case "EPROTONOSUPPORT":
    case "ENOCOMPATPROTO":
      return `${where} is not a valid endpoint (${error.message}): endpoints look like tcp://host:port or ipc:///path/to/socket`;
    case "EADDRNOTAVAIL":
    case "ENODEV":
      return `${where} names no address of this machine (${error.message})`;
    case "EACCES":
      return `${where}: permission denied`;
    default:
      return error.message.replace(/\n/g, " ");
  }
}

/**
 * Prints the error and exits.
 * @param {{ json: boolean, command: string | undefined }} context
 * @param {unknown} error
 * @param {number} [exitCode]  else 2 for a UsageError, 1 for anything else
 * @returns {never}
 */
export function exitWith({ json, command }, error, exitCode) {
  const code = exitCode ?? (error instanceof UsageError ? 2 : 1);
  let message = describe(error);
  // "SET: …" from the client says the same as "set: …" would.
  if (command !== undefined && message.startsWith(`${command.toUpperCase()}: `)) {
    message = message.slice(command.length + 2);
  }
  const prefix = command === undefined ? "cli.mjs" : command;
  const hint = error instanceof UsageError ? " (cli.mjs --help)" : "";
  if (process.env.CONFIG_CENTER_DEBUG && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.stderr.write(
    json
      ? `${JSON.stringify({ error: message, command: command ?? null, exitCode: code })}\n`
      : `${prefix}: ${message}${hint}\n`,
  );
  process.exit(code);
}
