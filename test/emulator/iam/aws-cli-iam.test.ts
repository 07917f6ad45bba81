import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AWS_CLI, type AwsCliResult, awsIot } from '../../support/aws-cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { ACCOUNT, TEST_IAM } from '../../support/iam.js';
import { provbench, startProvbench } from '../../support/provbench-cli.js';
import { describeWithTool } from '../../support/tools.js';

let test: TestEmulator;
/** An emulator whose clock is 10 minutes ahead: every request it gets is signed too long ago. */
let ahead: TestEmulator;

async function aws(accessKeyId: string, secret: string, ...args: string[]): Promise<AwsCliResult> {
  return awsAt(test.emulator, accessKeyId, secret, ...args);
}

/** The shared AWS CLI runner, signing with the given principal's credentials. */
function awsAt(
  emulator: { controlPlaneUrl: string; region: string },
  accessKeyId: string,
  secret: string,
  ...args: string[]
): Promise<AwsCliResult> {
  return awsIot(emulator, args, {
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secret },
  });
}

describeWithTool(AWS_CLI, 'AWS CLI v2 (botocore SigV4) against the emulator with --iam', () => {
  beforeAll(async () => {
    test = await startTestEmulator({ listeners: [], keyPoolSize: 0, iam: TEST_IAM });
    ahead = await startTestEmulator({
      listeners: [],
      keyPoolSize: 0,
      iam: TEST_IAM,
      now: () => Date.now() + 10 * 60_000,
    });
  });

  afterAll(async () => {
    await test?.close();
    await ahead?.close();
  });

  it('verifies botocore signatures: paths with encoded labels, query strings and JSON bodies', async () => {
    const created = await aws(
      'AKIABUILDER000000001',
      'builder-secret',
      'create-thing',
      '--thing-name',
      'allowed-cli:1',
      '--attribute-payload',
      '{"attributes":{"site":"a/b"}}',
    );
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout).thingArn).toBe(`arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-cli:1`);
    const listed = await aws(
      'AKIABUILDER000000001',
      'builder-secret',
      'list-things',
      '--attribute-name',
      'site',
      '--attribute-value',
      'a/b',
    );
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout).things.map((thing: { thingName: string }) => thing.thingName)).toEqual([
      'allowed-cli:1',
    ]);
  });

  it('answers the CLI with AWS error codes for a bad secret, an expired signature, an unknown key and a denied action', async () => {
    const badSecret = await aws('AKIABUILDER000000001', 'nope', 'list-things');
    expect(badSecret.status).not.toBe(0);
    expect(badSecret.stderr).toContain('(InvalidSignatureException)');
    const expired = await awsAt(ahead.emulator, 'AKIABUILDER000000001', 'builder-secret', 'list-things');
    expect(expired.stderr).toMatch(
      /\(InvalidSignatureException\) when calling the ListThings operation \(reached max retries: 0\): Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)/,
    );
    const unknown = await aws('AKIAUNKNOWN000000001', 'nope', 'list-things');
    expect(unknown.stderr).toContain(
      '(UnrecognizedClientException) when calling the ListThings operation (reached max retries: 0): The security token included in the request is invalid.',
    );
    const denied = await aws(
      'AKIABUILDER000000001',
      'builder-secret',
      'delete-thing',
      '--thing-name',
      'allowed-cli:1',
    );
    expect(denied.stderr).toContain(
      `(AccessDeniedException) when calling the DeleteThing operation (reached max retries: 0): User: arn:aws:iam::${ACCOUNT}:user/builder is not authorized to perform: iot:DeleteThing on resource: arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-cli:1 because no identity-based policy allows the iot:DeleteThing action`,
    );
  });
});

describeWithTool(AWS_CLI, 'provbench emulator --iam', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-iam-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves with the file: says so, refuses unsigned requests, accepts the file's keys", async () => {
    const file = join(dir, 'iam.json');
    await writeFile(file, JSON.stringify(TEST_IAM), { mode: 0o600 });
    const ready = join(dir, 'ready.json');
    const emulator = startProvbench(
      [
        'emulator',
        '--iam',
        file,
        '--ready-file',
        ready,
        '--mqtt-port',
        '0',
        '--krypton-port',
        '0',
        '--key-pool',
        '0',
      ],
      {},
      120_000,
    );
    try {
      for (let waited = 0; !existsSync(ready) && waited < 60_000; waited += 100) await sleep(100);
      const { controlPlaneUrl } = JSON.parse(await readFile(ready, 'utf8')) as { controlPlaneUrl: string };
      expect(emulator.stdout).toContain(`IAM            SigV4 and identity policies from ${file}`);
      const unsigned = await fetch(`${controlPlaneUrl}/things`);
      expect(unsigned.status).toBe(403);
      const signed = await awsAt(
        { controlPlaneUrl, region: 'us-east-1' },
        'AKIABUILDER000000001',
        'builder-secret',
        'list-things',
      );
      expect(signed.stderr).toBe('');
      expect(JSON.parse(signed.stdout)).toEqual({ things: [] });
    } finally {
      emulator.child.kill('SIGTERM');
      await emulator.finished;
    }
  }, 120_000);

  it('refuses an IAM file that does not fit the format: a clear error and exit 2', async () => {
    const file = join(dir, 'bad-iam.json');
    await writeFile(
      file,
      JSON.stringify({
        principals: [{ name: 'factory', accessKeyId: 'short', secretAccessKey: 's', policies: [] }],
      }),
    );
    const result = await provbench(
      ['emulator', '--iam', file, '--port', '0', '--mqtt-port', '0'],
      {},
      60_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('principals.0.accessKeyId: accessKeyId must be 16..128 letters');
    const missing = await provbench(['emulator', '--iam', join(dir, 'absent.json')], {}, 60_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the IAM file');
  });
});
