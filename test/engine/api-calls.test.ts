import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeThingCommand, type IoTClient } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiCallCounter, deviceClient, instrumentIoTClient } from '../../src/engine/api-calls.js';
import { createLogger } from '../../src/engine/logger.js';
import { applyQuotaOverrides, defaultQuotaTable } from '../../src/quotas/aws-default-quotas.js';
import { pacerShareFor, QuotaPacer } from '../../src/quotas/quota-pacer.js';
import { createIoTClient } from '../../src/targets/iot-client.js';

/** A control plane that throttles the first `throttleFirst` requests of each thing name. */
function throttlingServer(throttleFirst: number): Server {
  const seen = new Map<string, number>();
  return createServer((request, response) => {
    const thing = decodeURIComponent(request.url?.split('/').pop() ?? '');
    const count = (seen.get(thing) ?? 0) + 1;
    seen.set(thing, count);
    if (count <= throttleFirst) {
      response.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-ErrorType': 'ThrottlingException:',
      });
      response.end(JSON.stringify({ message: 'Rate exceeded' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ thingName: thing, defaultClientId: thing, version: 1 }));
  });
}

describe('instrumented IoTClient', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = throttlingServer(2);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(counter: ApiCallCounter, maxAttempts: number): IoTClient {
    return instrumentIoTClient(
      createIoTClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        requestTimeoutMs: 5_000,
      }),
      { maxAttempts, counter: () => counter },
    );
  }

  it('retries throttling itself (the SDK does not) and counts calls, attempts and retries per API', async () => {
    const counter = new ApiCallCounter();
    const iot = client(counter, 5);
    const described = await iot.send(new DescribeThingCommand({ thingName: 'a' }));
    iot.destroy();
    expect(described.thingName).toBe('a');
    expect(counter.snapshot()).toEqual({
      DescribeThing: { calls: 1, attempts: 3, retries: { throttled: 2 } },
    });
    expect(counter.throttledAnswers()).toEqual({ DescribeThing: 2 });
  });

  it('gives up after maxAttempts with the SDK exception, still counted', async () => {
    const counter = new ApiCallCounter();
    const iot = client(counter, 2);
    await expect(iot.send(new DescribeThingCommand({ thingName: 'b' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    iot.destroy();
    // Throttled then retried (retries) is kept apart from the call that failed throttled (failed).
    expect(counter.snapshot()).toEqual({
      DescribeThing: { calls: 1, attempts: 2, retries: { throttled: 1 }, failed: { throttled: 1 } },
    });
    // Both answers were throttled: the retried one and the one that ended the call.
    expect(counter.throttledAnswers()).toEqual({ DescribeThing: 2 });
  });
});

describe('instrumented IoTClient with a quota pacer', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = throttlingServer(0);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends calls at the quota, however many are made at once, and counts the waits', async () => {
    const counter = new ApiCallCounter();
    const quotas = applyQuotaOverrides(defaultQuotaTable(), { controlPlaneTps: { DescribeThing: 4 } });
    const iot = instrumentIoTClient(
      createIoTClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        requestTimeoutMs: 5_000,
      }),
      { maxAttempts: 1, counter: () => counter, pacer: new QuotaPacer(pacerShareFor(quotas)) },
    );
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => iot.send(new DescribeThingCommand({ thingName: `paced-${i}` }))),
    );
    const elapsedMs = performance.now() - started;
    iot.destroy();
    // Six calls at 4/s: two at once, then 250 ms apart, so the last leaves 1 s after the first (a
    // lower bound: timers never fire more than a millisecond early); the four that waited did so
    // for at most 250 + 500 + 750 + 1000 ms.
    expect(elapsedMs).toBeGreaterThanOrEqual(995);
    const tally = counter.snapshot().DescribeThing;
    expect(tally).toMatchObject({ calls: 6, attempts: 6, retries: {}, pacedAttempts: 4 });
    expect(tally?.pacedWaitMs).toBeGreaterThan(0);
    expect(tally?.pacedWaitMs).toBeLessThanOrEqual(2_500);
  });

  it("ends a device's call waiting for its slot when the device's abortSignal fires", async () => {
    const counter = new ApiCallCounter();
    const quotas = applyQuotaOverrides(defaultQuotaTable(), { controlPlaneTps: { DescribeThing: 1 } });
    const iot = instrumentIoTClient(
      createIoTClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        requestTimeoutMs: 5_000,
      }),
      { maxAttempts: 1, counter: () => counter, pacer: new QuotaPacer(pacerShareFor(quotas)) },
    );
    const device = deviceClient(iot, new ApiCallCounter());
    await device.send(new DescribeThingCommand({ thingName: 'first' }));
    const abort = new AbortController();
    // At 1/s the second call waits about a second for its slot; the abort ends that wait.
    const waiting = device.send(new DescribeThingCommand({ thingName: 'second' }), {
      abortSignal: abort.signal,
    });
    const started = performance.now();
    abort.abort(new Error('device timed out'));
    await expect(waiting).rejects.toThrow('device timed out');
    const elapsedMs = performance.now() - started;
    iot.destroy();
    expect(elapsedMs).toBeLessThan(500);
    expect(counter.snapshot().DescribeThing?.calls).toBe(2);
  });
});

describe('logger', () => {
  it('never prints key material: secret-named fields and PEM blocks are redacted', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const log = createLogger('test', 'debug');
      log.info('issued -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----', {
        privateKey: 'MHcCAQEE',
        ki: '000102030405060708090a0b0c0d0e0f',
        thingName: 'device-1',
      });
      createLogger('quiet', 'warn').info('not shown');
    } finally {
      spy.mockRestore();
    }
    const text = written.join('');
    expect(text).not.toContain('MHcCAQEE');
    expect(text).not.toContain('000102030405');
    expect(text).toContain('thingName=device-1');
    expect(text).toContain('[pem redacted]');
    expect(text).not.toContain('not shown');
  });
});
