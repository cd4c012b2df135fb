// Security helpers: a ZAP authenticator and CURVE certificate files (re-exports only).
export { Authenticator, type AuthDecision, type AuthenticatorOptions } from "./authenticator";
export { type AuthRequest, type AuthVerdict, type Authorize } from "./authorize";
export {
  CertificateError,
  createCertificates,
  isZ85Key,
  loadCertificate,
  loadPublicKeys,
  parseCertificate,
  type Certificate,
  type CertificateFiles,
} from "./certificates";
export { ANY_DOMAIN, type CurveClients } from "./policy";
export { ZAP_ENDPOINT, type ZapStatusCode } from "./zap";
