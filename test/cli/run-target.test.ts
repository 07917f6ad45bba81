import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMqttEndpoint, resolveTarget } from '../../src/cli/run-target.js';

function readyFile(fields: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pb-ready-')), 'ready.json');
  writeFileSync(path, JSON.stringify(fields));
  return path;
}

const READY = {
  controlPlaneUrl: 'http://127.0.0.1:4100',
  region: 'eu-west-1',
  accountId: '111122223333',
  mqttHost: '127.0.0.1',
  mqttPort: 4101,
  kryptonUrl: 'https://127.0.0.1:4102',
  rootCaFile: '/tmp/ca-bundle.pem',
};

describe('remote target settings', () => {
  it('--mqtt-endpoint takes host[:port], 8883 by default, IPv6 in brackets', () => {
    expect(parseMqttEndpoint('a1b2-ats.iot.eu-west-1.amazonaws.com')).toEqual({
      host: 'a1b2-ats.iot.eu-west-1.amazonaws.com',
      port: 8883,
    });
    expect(parseMqttEndpoint('127.0.0.1:1883')).toEqual({ host: '127.0.0.1', port: 1883 });
    expect(parseMqttEndpoint('[::1]:8884')).toEqual({ host: '::1', port: 8884 });
    for (const bad of ['', 'host:0', 'host:65536', 'host:x', '::1:8883']) {
      expect(() => parseMqttEndpoint(bad), bad).toThrow(/host\[:port\]/);
    }
  });

  it('a ready file makes a remote target of a standalone emulator; flags given win over it', () => {
    const path = readyFile(READY);
    expect(resolveTarget({ target: 'embedded', targetGiven: false, readyFile: path })).toEqual({
      target: 'localstack',
      targetGiven: false,
      readyFile: path,
      endpointUrl: 'http://127.0.0.1:4100',
      region: 'eu-west-1',
      accountId: '111122223333',
      mqttEndpoint: { host: '127.0.0.1', port: 4101 },
      rootCa: '/tmp/ca-bundle.pem',
      kryptonUrl: 'https://127.0.0.1:4102',
    });
    const overridden = resolveTarget({
      target: 'embedded',
      targetGiven: false,
      readyFile: path,
      mqttEndpoint: { host: 'broker.test', port: 8883 },
      region: 'us-west-2',
    });
    expect(overridden.mqttEndpoint).toEqual({ host: 'broker.test', port: 8883 });
    expect(overridden.region).toBe('us-west-2');
    // An emulator without a data plane: DescribeEndpoint decides, as for LocalStack.
    const noMqtt = readyFile({ ...READY, mqttHost: null, mqttPort: null, kryptonUrl: null });
    const resolved = resolveTarget({ target: 'embedded', targetGiven: false, readyFile: noMqtt });
    expect(resolved.mqttEndpoint).toBeUndefined();
    expect(resolved.kryptonUrl).toBeUndefined();
    // The credentials provider's URL comes from the file when it names one (older files do not).
    expect(resolved.credentialsProviderUrl).toBeUndefined();
    const withCredentials = readyFile({ ...READY, credentialsProviderUrl: 'https://127.0.0.1:4103' });
    expect(
      resolveTarget({ target: 'embedded', targetGiven: false, readyFile: withCredentials })
        .credentialsProviderUrl,
    ).toBe('https://127.0.0.1:4103');
  });

  it('refuses combinations that cannot mean anything, saying what to do', () => {
    const path = readyFile(READY);
    expect(() => resolveTarget({ target: 'aws', targetGiven: true, readyFile: path })).toThrow(
      /drop --target aws/,
    );
    expect(() =>
      resolveTarget({ target: 'embedded', targetGiven: false, mqttEndpoint: { host: 'h', port: 1 } }),
    ).toThrow(/--mqtt-endpoint is for remote targets/);
    expect(() =>
      resolveTarget({ target: 'embedded', targetGiven: false, readyFile: readyFile({ region: 'x' }) }),
    ).toThrow(/is not a provbench emulator ready file \(controlPlaneUrl/);
  });
});
