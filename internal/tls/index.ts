// tls/ owns turning the configured certificate paths into credentials: grpc-js server and channel
// credentials (internal mutual TLS, external TLS with none/request/require client auth) and https
// server options for REST. Layer L1: it imports only config/ (types, ENV, ConfigError), errors/,
// node:fs, node:crypto and grpc-js; never sockets, servers, loggers or other gokv folders. It
// reads files once, when asked, and never logs or returns key material in messages.
export { loadNodeCredentials, type NodeCredentials } from './node-credentials.js';
export {
  EXPIRY_URGENT_DAYS,
  EXPIRY_WARNING_DAYS,
  expiryNotice,
  expiryNotices,
  type CertificateExpiry,
  type CertificateRole,
  type ExpiryNotice,
} from './expiry.js';
export { externalHttpsOptions, httpsOptionsFrom, type HttpsServerOptions } from './https-options.js';
export {
  externalServerCredentials,
  internalChannelCredentials,
  internalServerCredentials,
} from './grpc-credentials.js';
export {
  loadTlsMaterial,
  type ExternalTlsMaterial,
  type InternalTlsMaterial,
  type TlsMaterial,
} from './material.js';
