// The public entry point of zmq-napi: re-exports only.
export { version, capability, type Capability } from "./info";
export { Context, context, type ContextOptions, type SocketDefaults } from "./context";
export { setExitTimeout, DEFAULT_EXIT_TIMEOUT } from "./exit";
export { Socket, type Message, type MessageLike, type OperationOptions } from "./socket";
export { ZeroCopyFrame } from "./zero-copy";
export * from "./sockets";
export { ZmqError, type ErrnoCode } from "./errors";
export {
  Observer,
  PeerObserver,
  EventStream,
  type EventListener,
  type Event,
  type EventType,
  type EventOfType,
  type EventError,
  type ProtoError,
  type AuthError,
  type PeerEvent,
  type PeerEventOfType,
  type PeerEndpoints,
  type PeerObserverOptions,
} from "./observer";
export { Proxy, proxy, type ProxyOptions, type ProxyStatistics } from "./proxy";
export type {
  ConnectionMetadata,
  MessageWithMetadata,
  MetadataReceiveOptions,
} from "./message-metadata";
export { Poller, type PollInterest, type PollOptions, type ReadySocket } from "./poller";
export {
  Authenticator,
  CertificateError,
  createCertificates,
  isZ85Key,
  loadCertificate,
  loadPublicKeys,
  parseCertificate,
  ZAP_ENDPOINT,
  type AuthDecision,
  type AuthenticatorOptions,
  type AuthRequest,
  type AuthVerdict,
  type Authorize,
  type Certificate,
  type CertificateFiles,
  type CurveClients,
  type ZapStatusCode,
} from "./auth";
export { curveKeyPair, curvePublic, z85Encode, z85Decode, type CurveKeyPair } from "./curve";
