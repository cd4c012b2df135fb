// The CLI's CURVE options (security.mjs): --curve FILE (this side's secret certificate) with,
// on a server, --clients DIR (the allow-list) and --peer-key (the other server of a pair); on a
// node or a client, --server-key (the server's public key or certificate; two for a pair).
// And `cli.mjs keys DIR NAME`, which writes a certificate pair.
import * as fs from "node:fs";
import * as path from "node:path";
import { createCertificates } from "zmq-napi";

import { UsageError } from "./cli-errors.mjs";
import { readKeyPair, readPublicKey } from "./security.mjs";

/** @param {import("./cli-node.mjs").Given} given */
export function serverCurve(given, /** @type {boolean} */ paired) {
  const { options } = given;
  const file = /** @type {string | undefined} */ (options.curve);
  if (file === undefined) {
    for (const name of ["clients", "peer-key"]) {
      if (options[name] !== undefined) throw new UsageError(`--${name} goes with --curve`);
    }
    return undefined;
  }
  const clients = /** @type {string | undefined} */ (options.clients);
  if (clients === undefined) {
    throw new UsageError(
      "--curve needs --clients DIR: the public certificates of the clients let in",
    );
  }
  if (!fs.existsSync(clients) || !fs.statSync(clients).isDirectory()) {
    throw new UsageError(`--clients ${clients} is not a directory`);
  }
  const peerKey = /** @type {string | undefined} */ (options["peer-key"]);
  if (paired && peerKey === undefined) {
    throw new UsageError(
      "with --curve, a server of a pair needs --peer-key: the other's public key",
    );
  }
  return {
    ...readKeyPair(file),
    clients,
    ...(peerKey === undefined ? {} : { peerKey: readPublicKey(peerKey) }),
  };
}

/** @param {import("./cli-node.mjs").Given} given */
export function clientCurve(given) {
  const { options } = given;
  const file = /** @type {string | undefined} */ (options.curve);
  const serverKey = /** @type {string | undefined} */ (options["server-key"]);
  if (file === undefined) {
    if (serverKey !== undefined) throw new UsageError("--server-key goes with --curve");
    return undefined;
  }
  if (serverKey === undefined) {
    throw new UsageError("--curve needs --server-key: the server's public key or certificate");
  }
  return { ...readKeyPair(file), serverKeys: serverKey.split(",").map(readPublicKey) };
}

/** `cli.mjs keys DIR NAME`: writes DIR/NAME.key and DIR/NAME.key_secret. */
export function runKeys(/** @type {import("./cli-node.mjs").Given} */ given) {
  given.expect(2, 2, "<directory> <name>");
  const [directory, name] = given.args;
  fs.mkdirSync(directory, { recursive: true });
  const files = createCertificates(directory, name);
  const result = {
    public: path.resolve(files.publicFile),
    secret: path.resolve(files.secretFile),
    publicKey: files.publicKey,
  };
  process.stdout.write(
    given.options.json
      ? `${JSON.stringify(result)}\n`
      : `public key ${result.publicKey}\n  ${result.public} (hand it out: --server-key, --clients)\n  ${result.secret} (keep it: --curve)\n`,
  );
}
