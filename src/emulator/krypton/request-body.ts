import type { FastifyRequest } from 'fastify';
import { KryptonError } from './errors.js';

/** The raw bytes of the request body (signatures are computed over them). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** The body as any JSON value; undefined when empty. */
export function jsonValue(request: FastifyRequest): unknown {
  const raw = rawBody(request);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new KryptonError(400, 'MALFORMED_JSON', 'the request body is not valid JSON; send a JSON object');
  }
}

/** The body as a JSON object; an empty body is `{}` (cellular devices may POST nothing). */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const parsed = jsonValue(request);
  if (parsed === undefined) return {};
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new KryptonError(400, 'MALFORMED_JSON', 'the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A standard-base64 field of a given decoded length (SORACOM's JSON encodes byte fields this way). */
export function base64Field(body: Record<string, unknown>, name: string, bytes: number): Buffer {
  const value = body[name];
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new KryptonError(400, 'INVALID_PARAMETER', `"${name}" must be a standard base64 string`);
  }
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length !== bytes) {
    throw new KryptonError(
      400,
      'INVALID_PARAMETER',
      `"${name}" must decode to ${bytes} bytes, got ${decoded.length}`,
    );
  }
  return decoded;
}

export function imsiField(body: Record<string, unknown>): string {
  const { imsi } = body;
  if (typeof imsi !== 'string' || !/^\d{6,15}$/.test(imsi)) {
    throw new KryptonError(400, 'INVALID_PARAMETER', '"imsi" must be a string of up to 15 digits');
  }
  return imsi;
}
