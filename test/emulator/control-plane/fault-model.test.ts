import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateThingCommand,
  DescribeEndpointCommand,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeFaultIssue,
  FaultInjector,
  type FaultModelConfig,
  faultModelSchema,
  ModelFileError,
  parseModelFile,
} from '../../../src/emulator/control-plane/index.js';
import { startTestEmulator } from '../../support/emulator.js';
import { seededRandom } from '../../support/synthetic-latencies.js';

const CLI = resolve(import.meta.dirname, '../../../bin/provbench.js');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'provbench-faults-test-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Share of `draws` picks of `operation` that answered each error ("none" for no fault). */
function shares(injector: FaultInjector, operation: string, draws: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let index = 0; index < draws; index += 1) {
    const error = injector.pick(operation)?.error ?? 'none';
    counts[error] = (counts[error] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([error, count]) => [error, count / draws]));
}

const parse = (config: unknown) =>
  parseModelFile(faultModelSchema, JSON.stringify(config), 'faults.json', describeFaultIssue);

describe('fault model', () => {
  const config: FaultModelConfig = {
    '*': { rate: 0.1, error: 'ThrottlingException' },
    CreateThing: [
      { rate: 0.2, error: 'ServiceUnavailableException' },
      { rate: 0.05, error: 'InternalFailureException', message: 'Injected: backend down' },
    ],
    DescribeThing: { rate: 0.3, error: 'InternalFailureException', inherit: false },
  };
  const DRAWS = 20_000;
  const TOLERANCE = 0.02;

  it('adds an operation’s faults to those of "*", each at its own rate', () => {
    const split = shares(new FaultInjector(config, seededRandom(42)), 'CreateThing', DRAWS);
    expect(Math.abs(split.ServiceUnavailableException! - 0.2)).toBeLessThan(TOLERANCE);
    expect(Math.abs(split.InternalFailureException! - 0.05)).toBeLessThan(TOLERANCE);
    expect(Math.abs(split.ThrottlingException! - 0.1)).toBeLessThan(TOLERANCE);
    expect(Math.abs(split.none! - 0.65)).toBeLessThan(TOLERANCE);
  });

  it('leaves "*" out of an operation that says "inherit": false, and applies "*" alone elsewhere', () => {
    const injector = new FaultInjector(config, seededRandom(7));
    const describeThing = shares(injector, 'DescribeThing', DRAWS);
    expect(describeThing.ThrottlingException).toBeUndefined();
    expect(Math.abs(describeThing.InternalFailureException! - 0.3)).toBeLessThan(TOLERANCE);
    const deleteThing = shares(injector, 'DeleteThing', DRAWS);
    expect(Object.keys(deleteThing).sort()).toEqual(['ThrottlingException', 'none']);
    expect(Math.abs(deleteThing.ThrottlingException! - 0.1)).toBeLessThan(TOLERANCE);
  });

  it('draws the same faults again from the same seed, and carries a fault’s own message', () => {
    const run = (seed: number) => {
      const injector = new FaultInjector(config, seededRandom(seed));
      return Array.from({ length: 200 }, () => injector.pick('CreateThing'));
    };
    const first = run(3);
    expect(run(3)).toEqual(first);
    expect(first).toContainEqual({ error: 'InternalFailureException', message: 'Injected: backend down' });
    expect(first).toContainEqual({ error: 'ThrottlingException' });
  });

  it('gives the rates of the example in docs/emulator.md', () => {
    const injector = new FaultInjector(
      {
        '*': { rate: 0.01 },
        CreateKeysAndCertificate: [
          { rate: 0.05, error: 'InternalFailureException' },
          { rate: 0.02, error: 'ThrottlingException', message: 'Rate exceeded' },
        ],
        DescribeEndpoint: { faults: [], inherit: false },
        AttachPolicy: { rate: 0.1, error: 'ServiceUnavailableException', inherit: false },
      },
      seededRandom(11),
    );
    expect(Math.abs(shares(injector, 'CreateKeysAndCertificate', DRAWS).none! - 0.92)).toBeLessThan(
      TOLERANCE,
    );
    expect(shares(injector, 'DescribeEndpoint', 1000)).toEqual({ none: 1 });
    expect(Math.abs(shares(injector, 'AttachPolicy', DRAWS).none! - 0.9)).toBeLessThan(TOLERANCE);
    expect(Math.abs(shares(injector, 'CreateThing', DRAWS).none! - 0.99)).toBeLessThan(0.005);
  });

  it('reads the original one-fault-per-operation files', () => {
    const model = parse({
      '*': { rate: 0.01 },
      CreateKeysAndCertificate: { rate: 0.05, error: 'InternalFailureException' },
    });
    expect(model['*']).toEqual({ faults: [{ rate: 0.01, error: 'ServiceUnavailableException' }] });
    expect(model.CreateKeysAndCertificate).toEqual({
      faults: [{ rate: 0.05, error: 'InternalFailureException' }],
    });
  });

  it.each([
    [
      'an unknown operation',
      { CreateThingz: { rate: 0.1 } },
      /CreateThingz: unknown operation "CreateThingz"/,
    ],
    [
      'a rate above 1',
      { CreateThing: [{ rate: 0.1 }, { rate: 1.5 }] },
      /CreateThing fault #2: rate 1.5 is not within 0\.\.1/,
    ],
    ['a negative rate', { '*': { rate: -0.1 } }, /\* fault #1: rate -0.1 is not within 0\.\.1/],
    [
      'an unknown AWS error',
      { CreateThing: { rate: 0.1, error: 'NoSuchError' } },
      /"NoSuchError" is not an AWS IoT error/,
    ],
    [
      'rates adding up to more than 1 with "*"',
      { '*': { rate: 0.6 }, CreateThing: { rate: 0.5 } },
      /CreateThing: rates add up to 1.1 with those of "\*"/,
    ],
    ['"inherit" on "*"', { '*': { rate: 0.1, inherit: false } }, /"inherit" applies to operations/],
    ['an unknown field', { CreateThing: { rate: 0.1, status: 500 } }, /Unrecognized key/],
  ])('rejects %s, saying where', (_what, config, message) => {
    expect(() => parse(config)).toThrow(ModelFileError);
    expect(() => parse(config)).toThrow(message);
  });

  it('accepts rates over 1 together when the operation does not inherit "*"', () => {
    expect(() => parse({ '*': { rate: 0.6 }, CreateThing: { rate: 0.5, inherit: false } })).not.toThrow();
  });

  it('answers the injected errors over the wire, with their status and message', async () => {
    const test = await startTestEmulator({
      listeners: [],
      keyPoolSize: 0,
      faults: {
        '*': { rate: 1 },
        DescribeEndpoint: {
          faults: [{ rate: 1, error: 'UnauthorizedException', message: 'Injected: credentials expired' }],
          inherit: false,
        },
      },
    });
    try {
      const created = await test.iot.send(new CreateThingCommand({ thingName: 'x' })).catch((error) => error);
      expect(created).toBeInstanceOf(ServiceUnavailableException);
      const described = await test.iot.send(new DescribeEndpointCommand({})).catch((error) => error);
      expect(described).toBeInstanceOf(UnauthorizedException);
      expect((described as UnauthorizedException).message).toBe('Injected: credentials expired');
      expect((described as UnauthorizedException).$metadata.httpStatusCode).toBe(401);
    } finally {
      await test.close();
    }
  });

  it('answers the same sequence of faults from two emulators given the same model seed', async () => {
    /** Which of 40 sequential CreateThing calls failed, on an emulator seeded with `modelSeed`. */
    async function faultSequence(modelSeed: number): Promise<string> {
      const test = await startTestEmulator({
        faults: { CreateThing: { rate: 0.5, error: 'ServiceUnavailableException' } },
        modelSeed,
      });
      try {
        let sequence = '';
        for (let index = 0; index < 40; index += 1) {
          const outcome = await test.iot
            .send(new CreateThingCommand({ thingName: `seeded-${index}` }))
            .then(() => '.')
            .catch(() => 'x');
          sequence += outcome;
        }
        return sequence;
      } finally {
        await test.close();
      }
    }
    const first = await faultSequence(7);
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await faultSequence(7)).toBe(first);
    expect(await faultSequence(8)).not.toBe(first);
  });

  it('makes `provbench emulator` exit 2 on a bad fault file, naming the problem', async () => {
    const file = join(workDir, 'bad-faults.json');
    await writeFile(file, JSON.stringify({ CreateThing: { rate: 0.1, error: 'NoSuchError' } }));
    const { status, stderr } = spawnSync(
      process.execPath,
      [CLI, 'emulator', '--faults', file, '--key-pool', '0'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(stderr).toMatch(/CreateThing fault #1: "NoSuchError" is not an AWS IoT error/);
    expect(status).toBe(2);
  }, 70_000);
});
