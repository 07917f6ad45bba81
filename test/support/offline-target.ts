import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeviceSim } from '../../src/contract/scenario.js';
import type { RunConfig } from '../../src/engine/run.js';
import type { StartedTarget } from '../../src/targets/target.js';

/** A target for network-free test scenarios: its control plane is a closed loopback port. */
export const offlineTarget: StartedTarget = {
  name: 'localstack',
  endpoint: {
    target: 'localstack',
    region: 'us-east-1',
    accountId: null,
    controlPlaneUrl: 'http://127.0.0.1:9',
    mqttHost: null,
    mqttPort: null,
    rootCaPem: '',
    kryptonUrl: null,
  },
  iotConfig: {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestTimeoutMs: 1_000,
  },
  close: async () => {},
};

export function fixtureRef(name: string) {
  return {
    id: name,
    moduleUrl: pathToFileURL(resolve(import.meta.dirname, 'scenarios', `${name}.ts`)).href,
    variant: null,
  };
}

export function testSim(index: number): DeviceSim {
  return {
    imsi: `29505${String(index).padStart(10, '0')}`,
    iccid: '',
    msisdn: '',
    imei: '',
    ki: '0'.repeat(32),
    opc: '0'.repeat(32),
    group: 'g',
  };
}

/** A RunConfig for fixture scenarios; override what the test is about. */
export function testConfig(overrides: Partial<RunConfig>): RunConfig {
  return {
    runId: 'test',
    scenarios: [fixtureRef('sleepy')],
    devices: 100,
    model: { kind: 'constant-rate', rate: 500 },
    target: offlineTarget,
    quotas: 'none',
    seed: 1,
    keyType: 'ec',
    timeoutMs: 10_000,
    maxAttempts: 3,
    shard: null,
    workers: 2,
    ledgerPath: join(mkdtempSync(join(tmpdir(), 'pb-engine-')), 'ledger.jsonl'),
    keepResources: true,
    simFor: testSim,
    ...overrides,
  };
}
