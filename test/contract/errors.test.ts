import { ThrottlingException, UnauthorizedException } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import {
  AuthRejectedError,
  classifyError,
  classifyHttpStatus,
  describeError,
  isRetryable,
} from '../../src/contract/errors.js';

function nodeError(code: string | number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it('keeps the class of our typed errors', () => {
    expect(classifyError(new AuthRejectedError('cert pending activation'))).toBe('auth_rejected');
  });

  it('reads AWS SDK exceptions by name and by HTTP status', () => {
    const throttled = new ThrottlingException({
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(classifyError(throttled)).toBe('throttled');
    const unauthorized = new UnauthorizedException({ message: 'no', $metadata: { httpStatusCode: 401 } });
    expect(classifyError(unauthorized)).toBe('auth_rejected');
    const unknown503 = Object.assign(new Error('boom'), {
      name: 'Weird',
      $metadata: { httpStatusCode: 503 },
    });
    expect(classifyError(unknown503)).toBe('server_error');
    const notFound = Object.assign(new Error('gone'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    expect(classifyError(notFound)).toBe('protocol_error');
  });

  it('reads Node TLS and socket errors', () => {
    expect(classifyError(nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify'))).toBe(
      'tls_rejected',
    );
    expect(classifyError(nodeError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'alert'))).toBe('tls_rejected');
    expect(
      classifyError(
        nodeError(
          'ECONNRESET',
          'Client network socket disconnected before secure TLS connection was established',
        ),
      ),
    ).toBe('tls_rejected');
    expect(classifyError(nodeError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe('network_unreachable');
    expect(classifyError(nodeError('ETIMEDOUT', 'connect ETIMEDOUT'))).toBe('network_unreachable');
  });

  it('reads mqtt.js CONNACK errors (3.1.1 return codes and MQTT 5 reason codes)', () => {
    expect(classifyError(nodeError(5, 'Connection refused: Not authorized'))).toBe('auth_rejected');
    expect(classifyError(nodeError(3, 'Connection refused: Server unavailable'))).toBe('server_error');
    expect(classifyError(nodeError(0x97, 'Quota exceeded'))).toBe('throttled');
    expect(classifyError(nodeError(0x82, 'Protocol Error'))).toBe('protocol_error');
  });

  it('follows the cause of a fetch failure', () => {
    const failure = new TypeError('fetch failed', {
      cause: nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(classifyError(failure)).toBe('network_unreachable');
  });

  it('maps HTTP statuses and retryability', () => {
    expect(classifyHttpStatus(200)).toBeNull();
    expect(classifyHttpStatus(429)).toBe('throttled');
    expect(classifyHttpStatus(403)).toBe('auth_rejected');
    expect(classifyHttpStatus(400)).toBe('protocol_error');
    expect(isRetryable('throttled')).toBe(true);
    expect(isRetryable('auth_rejected')).toBe(false);
  });

  it('never puts PEM blocks in error descriptions', () => {
    const text = describeError(
      new Error('bad key -----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY----- here'),
    );
    expect(text).not.toContain('MIIB');
    expect(text).toContain('[pem redacted]');
  });
});
