import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceMqttConnection } from '../../scenarios/lib/mqtt-device.js';
import {
  ClassifiedError,
  classifyError,
  isNetworkUnreachable,
  isRetryable,
} from '../../src/contract/errors.js';

function socketError(code: string, message: string, syscall?: string): Error {
  return Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}) });
}

/** A loopback port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('network_unreachable', () => {
  it('is what DNS and connection errors are, not tls_rejected or server_error', () => {
    expect(
      classifyError(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND x-ats.iot.example', 'getaddrinfo')),
    ).toBe('network_unreachable');
    expect(classifyError(socketError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x', 'getaddrinfo'))).toBe(
      'network_unreachable',
    );
    expect(classifyError(socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'connect'))).toBe(
      'network_unreachable',
    );
    expect(classifyError(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:8883', 'connect'))).toBe(
      'network_unreachable',
    );
    expect(classifyError(socketError('ECONNRESET', 'connect ECONNRESET', 'connect'))).toBe(
      'network_unreachable',
    );
    expect(classifyError(socketError('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:8883', 'connect'))).toBe(
      'network_unreachable',
    );
    expect(classifyError(socketError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'))).toBe(
      'network_unreachable',
    );
    // fetch and the SDK wrap the socket error.
    const wrapped = new TypeError('fetch failed', {
      cause: socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND h'),
    });
    expect(classifyError(wrapped)).toBe('network_unreachable');
    expect(isNetworkUnreachable(wrapped)).toBe(true);
    expect(isRetryable('network_unreachable')).toBe(true);
  });

  it('leaves resets and timeouts after connecting to their own classes', () => {
    // Reset during the TLS handshake: the server refused the certificate.
    expect(
      classifyError(
        socketError(
          'ECONNRESET',
          'Client network socket disconnected before secure TLS connection was established',
        ),
      ),
    ).toBe('tls_rejected');
    expect(classifyError(socketError('ECONNRESET', 'read ECONNRESET', 'read'))).toBe('server_error');
    expect(classifyError(socketError('ETIMEDOUT', 'read ETIMEDOUT', 'read'))).toBe('timeout');
    expect(isNetworkUnreachable(socketError('ECONNRESET', 'read ECONNRESET', 'read'))).toBe(false);
  });

  it('an MQTT device that cannot reach its endpoint fails as network_unreachable and says what to check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-unreachable-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=device',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const port = await closedPort();
    const failure = await DeviceMqttConnection.open({
      host: '127.0.0.1',
      port,
      clientId: 'device-1',
      privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certificatePem,
      caPem: certificatePem,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClassifiedError);
    expect((failure as ClassifiedError).errorClass).toBe('network_unreachable');
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failure as Error).message).toContain('--mqtt-endpoint');
  });
});
