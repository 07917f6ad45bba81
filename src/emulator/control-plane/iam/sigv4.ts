import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { IotError } from '../../registry/index.js';

/**
 * SigV4 verification: the signature is computed again from the received request with
 * @smithy/signature-v4 (the SDK's own signer: canonical request, string to sign, HMAC chain)
 * and the secret of the access key the request names, then compared. Errors as AWS words them.
 */

/** A request as it arrived: path still percent-encoded, lower-case header names. */
export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** How far a request's X-Amz-Date may be from the emulator's clock, as on AWS. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const SERVICE = 'iot';
/**
 * Signing names AWS IoT accepts: `iot` (botocore's model today, the SDK v3) and `execute-api`
 * (the model's earlier signingName, still what the Debian AWS CLI v2.9 signs with).
 */
const SERVICES = new Set([SERVICE, 'execute-api']);

const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** node:crypto in the shape smithy's signer hashes with (`new Sha256(key?)`). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = typeof secret === 'string' || secret === undefined ? secret : toBytes(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function incomplete(raw: string): IotError {
  return new IotError(
    'IncompleteSignatureException',
    `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${raw}`,
  );
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex`. */
function parseAuthorization(raw: string): Authorization {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(raw.trim());
  if (!match?.[1]) throw incomplete(raw);
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || !signedHeaders || !signature) throw incomplete(raw);
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = credential;
  if (terminator !== 'aws4_request')
    throw new IotError(
      'IncompleteSignatureException',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** `20240101T120000Z` → Date, or undefined. */
function parseAmzDate(text: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
}

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function checkClock(signed: Date, signedText: string, nowMs: number): void {
  const at = signed.getTime();
  if (nowMs - at > MAX_CLOCK_SKEW_MS)
    throw new IotError(
      'InvalidSignatureException',
      `Signature expired: ${signedText} is now earlier than ${amzDate(nowMs - MAX_CLOCK_SKEW_MS)} (${amzDate(nowMs)} - 5 min.)`,
    );
  if (at - nowMs > MAX_CLOCK_SKEW_MS)
    throw new IotError(
      'InvalidSignatureException',
      `Signature not yet current: ${signedText} is still later than ${amzDate(nowMs + MAX_CLOCK_SKEW_MS)} (${amzDate(nowMs)} + 5 min.)`,
    );
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    object[name] = values.length === 1 ? (values[0] as string) : values;
  }
  return object;
}

export interface SigV4VerifierOptions {
  region: string;
  /** Secrets by access key id. */
  keys: ReadonlyMap<string, SigningKey>;
  now?: () => number;
}

/** Checks requests' SigV4 signatures against the keys it knows; returns the signer's access key id. */
export class SigV4Verifier {
  /** One signer per key and scope (it keeps its derived signing keys). */
  private readonly signers = new Map<string, SignatureV4>();

  constructor(private readonly options: SigV4VerifierOptions) {}

  async verify(request: SignedRequest): Promise<string> {
    const raw = header(request, 'authorization');
    if (raw === undefined || raw === '') {
      throw new IotError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const auth = parseAuthorization(raw);
    const key = this.options.keys.get(auth.accessKeyId);
    if (!key) {
      throw new IotError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    const dateText = header(request, 'x-amz-date');
    const signedAt = parseAmzDate(dateText);
    if (!signedAt || !dateText) {
      throw new IotError(
        'IncompleteSignatureException',
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    checkClock(signedAt, dateText, (this.options.now ?? Date.now)());
    if (!SERVICES.has(auth.service))
      throw new IotError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${SERVICE}'. `,
      );
    if (auth.region !== this.options.region)
      throw new IotError(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${auth.region}'. `,
      );
    const expected = await this.signatureFor(request, auth, signedAt, key);
    const given = Buffer.from(auth.signature, 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new IotError('InvalidSignatureException', SIGNATURE_MISMATCH);
    }
    return auth.accessKeyId;
  }

  /** The signature the signer would have computed: only the headers it named, at its date. */
  private async signatureFor(
    request: SignedRequest,
    auth: Authorization,
    signedAt: Date,
    key: SigningKey,
  ): Promise<string> {
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = header(request, name);
      if (value !== undefined) headers[name] = value;
    }
    // The signer takes a sent X-Amz-Content-Sha256 as the payload's hash: use the hash of the
    // body that arrived instead, so a changed body cannot pass with the original's hash.
    if (headers[PAYLOAD_HASH_HEADER] !== undefined)
      headers[PAYLOAD_HASH_HEADER] = createHash('sha256').update(request.body).digest('hex');
    const signerKey = `${key.accessKeyId}/${auth.region}/${auth.service}`;
    let signer = this.signers.get(signerKey);
    if (!signer) {
      signer = new SignatureV4({
        service: auth.service,
        region: auth.region,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        sha256: Sha256,
        applyChecksum: false,
      });
      this.signers.set(signerKey, signer);
    }
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: headers.host ?? '',
        path: request.path,
        query: queryObject(request.query),
        headers,
        body: request.body,
      },
      { signingDate: signedAt, signableHeaders: new Set(auth.signedHeaders) },
    );
    const authorization = signed.headers.authorization ?? '';
    return /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? '';
  }
}
