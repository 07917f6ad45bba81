/** The error taxonomy (docs/design.md, Measuring). */
export const ERROR_CLASSES = [
  'throttled',
  'tls_rejected',
  'network_unreachable',
  'auth_rejected',
  'timeout',
  'server_error',
  'protocol_error',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/**
 * The error taxonomy of docs/design.md, Measuring, as typed errors. A scenario throws one of these
 * when it knows what happened (e.g. an MQTT CONNACK it decoded itself); anything else thrown
 * inside `ctx.phase()` goes through `classifyError`, which understands AWS SDK exceptions,
 * Node TLS/socket errors, fetch failures and mqtt.js CONNACK/close errors.
 */
export class ClassifiedError extends Error {
  readonly errorClass: ErrorClass;
  constructor(errorClass: ErrorClass, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
    this.name = new.target.name;
  }
}

export class ThrottledError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('throttled', message, options);
  }
}
export class TlsRejectedError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('tls_rejected', message, options);
  }
}
/** The endpoint could not be reached: its name does not resolve, or nothing answers there. */
export class NetworkUnreachableError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('network_unreachable', message, options);
  }
}
export class AuthRejectedError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('auth_rejected', message, options);
  }
}
export class TimeoutError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('timeout', message, options);
  }
}
export class ServerError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('server_error', message, options);
  }
}
export class ProtocolError extends ClassifiedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('protocol_error', message, options);
  }
}

/**
 * Classes worth another attempt with backoff: the server said "later" or did not answer, or
 * could not be reached (a DNS hiccup, a listener restarting).
 */
export function isRetryable(errorClass: ErrorClass): boolean {
  return (
    errorClass === 'throttled' ||
    errorClass === 'server_error' ||
    errorClass === 'timeout' ||
    errorClass === 'network_unreachable'
  );
}

/** Maps an HTTP status (Krypton, a bootstrap API, the control plane) to an error class. */
export function classifyHttpStatus(status: number): ErrorClass | null {
  if (status < 400) return null;
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'auth_rejected';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'protocol_error';
}

/** A typed error for a failed HTTP response; the message names the endpoint and status. */
export function httpError(status: number, what: string, body = ''): ClassifiedError {
  const errorClass = classifyHttpStatus(status) ?? 'protocol_error';
  const detail = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  return new ClassifiedError(errorClass, `${what}: HTTP ${status}${detail ? ` ${detail}` : ''}`);
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'Throttling',
  'ThrottledException',
  'SlowDown',
]);
const AUTH_NAMES = new Set([
  'UnauthorizedException',
  'AccessDeniedException',
  'ForbiddenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);
const SERVER_NAMES = new Set([
  'InternalFailureException',
  'ServiceUnavailableException',
  'InternalServerException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ABORT_ERR']);
/** The name does not resolve, or nothing answers at the address: no TLS or HTTP was spoken. */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const SERVER_CODES = new Set(['UND_ERR_SOCKET']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * A DNS or connection error (ENOTFOUND, EAI_AGAIN, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH,
 * and ECONNRESET or ETIMEDOUT while connecting): the endpoint was never reached, so it says
 * nothing about certificates or the server. Follows `cause` (fetch wraps socket errors).
 */
export function isNetworkUnreachable(error: unknown, depth = 0): boolean {
  const e = asErrorLike(error);
  if (!e) return false;
  if (unreachable(e)) return true;
  return e.cause !== undefined && depth < 4 ? isNetworkUnreachable(e.cause, depth + 1) : false;
}

function unreachable(e: ErrorLike): boolean {
  if (typeof e.code !== 'string') return false;
  if (UNREACHABLE_CODES.has(e.code)) return true;
  const connecting =
    e.syscall === 'connect' || (typeof e.message === 'string' && /^connect /.test(e.message));
  return (e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT') && connecting;
}

const TLS_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** MQTT 3.1.1 CONNACK return codes (1..5) and MQTT 5 reason codes (>= 0x80). */
function classifyMqttReasonCode(code: number): ErrorClass | null {
  switch (code) {
    case 1: // unacceptable protocol version
    case 0x81: // malformed packet
    case 0x82: // protocol error
    case 0x84: // unsupported protocol version
    case 0x95: // packet too large
      return 'protocol_error';
    case 2: // identifier rejected
    case 4: // bad user name or password
    case 5: // not authorized
    case 0x85: // client identifier not valid
    case 0x86: // bad user name or password
    case 0x87: // not authorized
    case 0x8a: // banned
    case 0x8c: // bad authentication method
      return 'auth_rejected';
    case 3: // server unavailable
    case 0x80: // unspecified error
    case 0x88: // server unavailable
    case 0x89: // server busy
    case 0x83: // implementation specific error
      return 'server_error';
    case 0x96: // message rate too high
    case 0x97: // quota exceeded
    case 0x9f: // connection rate exceeded
      return 'throttled';
    default:
      return null;
  }
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  syscall?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | null {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : null;
}

/**
 * Classifies anything thrown while provisioning a device. Order: our typed errors, AWS SDK
 * service exceptions (name, then HTTP status), Node TLS errors, socket errors, mqtt.js
 * CONNACK codes, then a cause chain (fetch's "fetch failed" wraps the socket error).
 * An unrecognised error is a protocol_error: the exchange did not go as the protocol says.
 */
export function classifyError(error: unknown, depth = 0): ErrorClass {
  if (error instanceof ClassifiedError) return error.errorClass;
  const e = asErrorLike(error);
  if (!e) return 'protocol_error';
  const name = typeof e.name === 'string' ? e.name : '';
  const code = e.code;
  const message = typeof e.message === 'string' ? e.message : '';

  if (THROTTLING_NAMES.has(name)) return 'throttled';
  if (AUTH_NAMES.has(name)) return 'auth_rejected';
  if (SERVER_NAMES.has(name)) return 'server_error';
  if (TIMEOUT_NAMES.has(name)) return 'timeout';
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    const byStatus = classifyHttpStatus(status);
    if (byStatus) return byStatus;
  }

  if (typeof code === 'string') {
    if (unreachable(e)) return 'network_unreachable';
    if (TLS_CERT_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return 'tls_rejected';
    }
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (SERVER_CODES.has(code)) return 'server_error';
    if (CLOSED_CODES.has(code)) {
      // A reset during the handshake is the server refusing our certificate.
      return /handshake|secure TLS connection|before secure/i.test(message) ? 'tls_rejected' : 'server_error';
    }
  }
  if (typeof code === 'number') {
    const byReason = classifyMqttReasonCode(code);
    if (byReason) return byReason;
  }
  if (
    /alert (bad certificate|unknown ca|certificate (unknown|revoked|expired)|handshake failure|access denied)/i.test(
      message,
    )
  ) {
    return 'tls_rejected';
  }
  if (/Connection refused: (Not authorized|Bad username or password|Identifier rejected)/i.test(message)) {
    return 'auth_rejected';
  }
  if (/Connection refused: Server unavailable/i.test(message)) return 'server_error';
  if (/timed? ?out/i.test(message)) return 'timeout';

  if (e.cause !== undefined && depth < 4) return classifyError(e.cause, depth + 1);
  return 'protocol_error';
}

/** A one-line description of an error for result samples and logs; PEM blocks are redacted. */
export function describeError(error: unknown): string {
  const e = asErrorLike(error);
  const name = e && typeof e.name === 'string' ? e.name : 'Error';
  const message = e && typeof e.message === 'string' ? e.message : String(error);
  const cause = e?.cause !== undefined ? asErrorLike(e.cause) : null;
  const causeText = cause && typeof cause.message === 'string' ? ` (cause: ${cause.message})` : '';
  return redactSecrets(`${name}: ${message}${causeText}`).slice(0, 500);
}

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g;

/** Removes PEM blocks (keys, certificates) from text that may end up in a log or a result. */
export function redactSecrets(text: string): string {
  return text.replace(PEM_BLOCK, '[pem redacted]');
}
