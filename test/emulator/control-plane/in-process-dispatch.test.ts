import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRequestHandler } from '../../../src/emulator/control-plane/in-process-handler.js';
import { coHostedControlPlane } from '../../../src/emulator/control-plane/server.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  errorType: string | undefined;
  body: unknown;
}

function parse(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

describe('one request logic behind node:http and the in-process handler', () => {
  let test: TestEmulator;
  let emulator: RunningEmulator;
  let handler: InProcessRequestHandler;

  beforeAll(async () => {
    test = await startTestEmulator({ keyPoolSize: 0, listeners: [] });
    emulator = test.emulator;
    handler = new InProcessRequestHandler(coHostedControlPlane(emulator.controlPlaneUrl)!);
  });

  afterAll(async () => {
    await test?.close();
  });

  async function overHttp(request: RawRequest): Promise<Answer> {
    const query = new URLSearchParams(request.query ?? {}).toString();
    const response = await fetch(`${emulator.controlPlaneUrl}${request.path}${query ? `?${query}` : ''}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    return {
      status: response.status,
      errorType: response.headers.get('x-amzn-errortype') ?? undefined,
      body: parse(await response.text()),
    };
  }

  async function inProcess(request: RawRequest): Promise<Answer> {
    const { response } = await handler.handle({
      method: request.method,
      path: request.path,
      query: request.query ?? {},
      headers: request.headers ?? {},
      body: request.body,
    });
    return {
      status: response.statusCode,
      errorType: response.headers['x-amzn-errortype'],
      body: parse(Buffer.from(response.body).toString('utf8')),
    };
  }

  it('answers operations, AWS errors and malformed requests alike over both transports', async () => {
    const requests: Array<[string, RawRequest, number]> = [
      ['create', { method: 'POST', path: '/things/dispatch-a', body: '{"attributePayload":{}}' }, 200],
      [
        'already exists, other attributes',
        {
          method: 'POST',
          path: '/things/dispatch-a',
          body: '{"attributePayload":{"attributes":{"k":"v"}}}',
        },
        409,
      ],
      ['describe a missing thing', { method: 'GET', path: '/things/no-such-thing' }, 404],
      ['percent-encoded label', { method: 'GET', path: '/things/dispatch%2Da' }, 200],
      ['query parameters', { method: 'GET', path: '/things', query: { maxResults: '0' } }, 400],
      ['malformed JSON', { method: 'POST', path: '/things/dispatch-b', body: '{"attributePayload":' }, 400],
      ['body not an object', { method: 'POST', path: '/things/dispatch-b', body: '[1]' }, 400],
      ['unknown path', { method: 'GET', path: '/no-such-operation' }, 404],
      ['wrong method', { method: 'PATCH', path: '/keys-and-certificate' }, 404],
      ['bad percent-encoding', { method: 'GET', path: '/things/%E0%A4%A' }, 400],
    ];
    for (const [what, request, status] of requests) {
      const http = await overHttp(request);
      // The first create made the thing; both transports now see the same registry.
      const local = await inProcess(request);
      expect({ what, ...local }, what).toEqual({ what, ...http });
      expect(http.status, what).toBe(status);
      if (status >= 400) expect(http.errorType, what).toMatch(/^[A-Za-z]+Exception:$/);
    }
  });

  it('refuses bodies over 1 MiB in process as over HTTP', async () => {
    const large: RawRequest = {
      method: 'POST',
      path: '/things/dispatch-large',
      body: JSON.stringify({ attributePayload: { attributes: { k: 'x'.repeat(1024 * 1024) } } }),
    };
    const local = await inProcess(large);
    expect(local.status).toBe(400);
    expect(local.errorType).toBe('InvalidRequestException:');
    expect(local).toEqual(await overHttp(large));
  });
});
