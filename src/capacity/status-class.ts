import type { ErrorClass } from '../metrics/result-schema.js';

/** Error class (docs/design.md, Measuring) of a bootstrap API answer; null for a 2xx. */
export function errorClassOfStatus(status: number): ErrorClass | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'auth_rejected';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'protocol_error';
}
