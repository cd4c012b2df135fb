// CURVE for the config center (--curve): the server's sockets are CURVE servers with its secret
// key, and the library's ZAP authenticator lets in only the clients whose public keys are on its
// allow-list (a directory of public certificates); nodes, clients and the other server of a pair
// connect as CURVE clients with their own key pair and the server's public key. Everything that
// goes over the wire is then encrypted and authenticated.
//
// Certificates are ZeroMQ's zcert files (cli.mjs keys writes them): NAME.key holds the public
// key, NAME.key_secret both keys.
import { Authenticator, isZ85Key, loadCertificate } from "zmq-napi";

/**
 * @typedef {{ publicKey: string, secretKey: string }} KeyPair
 * @typedef {{ publicKey: string, secretKey: string, serverKeys: string[] }} ClientCurve
 *   serverKeys: the public key of the server at each endpoint (one for all, or one each)
 * @typedef {{ publicKey: string, secretKey: string, clients: string | string[],
 *             peerKey?: string }} ServerCurve
 *   clients: a directory of allowed clients' public certificates, or their keys;
 *   peerKey: the other server's public key (a primary and a backup)
 */

/** A key pair from a secret certificate file. */
export function readKeyPair(/** @type {string} */ file) {
  const certificate = loadCertificate(file);
  if (certificate.secretKey === null) {
    throw new Error(`${file} is a public certificate: the secret one (NAME.key_secret) is needed`);
  }
  return { publicKey: certificate.publicKey, secretKey: certificate.secretKey };
}

/** A public key: Z85 text as it is, or the public key of a certificate file. */
export function readPublicKey(/** @type {string} */ keyOrFile) {
  return isZ85Key(keyOrFile) ? keyOrFile : loadCertificate(keyOrFile).publicKey;
}

/** The socket options of a CURVE client of the `index`th server (none without CURVE). */
export function clientSocketOptions(/** @type {ClientCurve | undefined} */ curve, index = 0) {
  if (curve === undefined) return {};
  const serverKey = curve.serverKeys[Math.min(index, curve.serverKeys.length - 1)];
  return {
    curvePublicKey: curve.publicKey,
    curveSecretKey: curve.secretKey,
    curveServerKey: serverKey,
  };
}

/** The socket options of a CURVE server (none without CURVE). */
export function serverSocketOptions(/** @type {ServerCurve | undefined} */ curve) {
  return curve === undefined ? {} : { curveServer: true, curveSecretKey: curve.secretKey };
}

/**
 * Starts the ZAP authenticator of this process's context with the allow-list: from then on
 * every CURVE handshake with a server socket asks it. Refusals are passed to `onRefusal`.
 * @param {ServerCurve} curve
 * @param {(message: string) => void} onRefusal
 */
export async function startAuthenticator(curve, onRefusal) {
  const authenticator = new Authenticator({
    onDecision: (decision) => {
      if (!decision.allowed)
        onRefusal(`refused a client from ${decision.address}: ${decision.reason}`);
    },
  });
  const { clients } = curve;
  authenticator.configureCurve("*", typeof clients === "string" ? { directory: clients } : clients);
  await authenticator.start();
  return authenticator;
}

/** Whether a bind endpoint listens on every interface (tcp://*, 0.0.0.0, ::). */
export function bindsEverywhere(/** @type {string} */ endpoint) {
  return /^(tcp|ws|wss):\/\/(\*|0\.0\.0\.0|\[::\]|::)[:/]/.test(endpoint);
}
