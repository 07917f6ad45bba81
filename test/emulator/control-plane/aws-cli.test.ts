import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeCACertificateCommand,
  DescribeThingCommand,
  ListCertificatesByCACommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AWS_CLI, awsIot, awsIotJson } from '../../support/aws-cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { describeWithTool } from '../../support/tools.js';

const execFileAsync = promisify(execFile);

let test: TestEmulator;
let dir: string;

const aws = (...args: string[]) => awsIot(test.emulator, args);
const awsJson = <T>(...args: string[]) => awsIotJson<T>(test.emulator, args);

async function openssl(...args: string[]): Promise<string> {
  return (await execFileAsync('openssl', args, { cwd: dir, encoding: 'utf8' })).stdout;
}

const file = (name: string) => `file://${join(dir, name)}`;

describeWithTool(
  AWS_CLI,
  'AWS CLI v2 and openssl against the emulator',
  () => {
    beforeAll(async () => {
      test = await startTestEmulator({ listeners: [], keyPoolSize: 2 });
      dir = await mkdtemp(join(tmpdir(), 'provbench-cli-'));
      const bundle = await (await fetch(`${test.emulator.controlPlaneUrl}/_emulator/root-ca.pem`)).text();
      await writeFile(join(dir, 'bundle.pem'), bundle);
    });

    afterAll(async () => {
      await test?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('registers an openssl-made CA (verification cert CN = registration code) and a device certificate under it', async () => {
      const { registrationCode } = await awsJson<{ registrationCode: string }>('get-registration-code');
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      const ca = [
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ];
      const sign = (csr: string, caName: string, out: string) =>
        openssl(
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          `${caName}.pem`,
          '-CAkey',
          `${caName}.key`,
          '-CAcreateserial',
          '-out',
          out,
          '-days',
          '30',
          '-sha256',
        );
      await openssl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '30',
        '-subj',
        '/O=provbench/CN=CLI Test CA',
        ...ca,
      );
      await openssl(
        'req',
        ...ec,
        '-keyout',
        'rogue.key',
        '-out',
        'rogue.pem',
        '-x509',
        '-days',
        '30',
        '-subj',
        '/O=provbench/CN=CLI Test CA',
        ...ca,
      );
      await openssl(
        'req',
        ...ec,
        '-keyout',
        'verify.key',
        '-out',
        'verify.csr',
        '-subj',
        `/CN=${registrationCode}`,
      );
      await openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'device.key',
        '-out',
        'device.csr',
        '-subj',
        '/CN=cli-device',
      );
      await sign('verify.csr', 'ca', 'verify.pem');
      await sign('device.csr', 'ca', 'device.pem');
      await sign('device.csr', 'rogue', 'forged.pem');

      const registeredCa = await awsJson<{ certificateId: string; certificateArn: string }>(
        'register-ca-certificate',
        '--ca-certificate',
        file('ca.pem'),
        '--verification-cert',
        file('verify.pem'),
        '--set-as-active',
        '--allow-auto-registration',
      );
      expect(registeredCa.certificateArn).toContain(':cacert/');
      const described = await test.iot.send(
        new DescribeCACertificateCommand({ certificateId: registeredCa.certificateId }),
      );
      expect(described.certificateDescription).toMatchObject({
        status: 'ACTIVE',
        autoRegistrationStatus: 'ENABLE',
      });

      const device = await awsJson<{ certificateId: string }>(
        'register-certificate',
        '--certificate-pem',
        file('device.pem'),
        '--ca-certificate-pem',
        file('ca.pem'),
        '--set-as-active',
      );
      const fingerprint = (await openssl('x509', '-in', 'device.pem', '-noout', '-fingerprint', '-sha256'))
        .split('=')[1]!
        .trim()
        .replace(/:/g, '')
        .toLowerCase();
      expect(device.certificateId).toBe(fingerprint);
      const byCa = await test.iot.send(
        new ListCertificatesByCACommand({ caCertificateId: registeredCa.certificateId }),
      );
      expect(byCa.certificates).toEqual([
        expect.objectContaining({ certificateId: device.certificateId, status: 'ACTIVE' }),
      ]);

      const forged = await aws('register-certificate', '--certificate-pem', file('forged.pem'));
      expect(forged.status).toBe(254);
      expect(forged.stderr).toContain('(CertificateValidationException)');
      // The registered device certificate chains to the customer CA, not to the emulator bundle.
      expect(await openssl('verify', '-CAfile', 'ca.pem', 'device.pem')).toContain('device.pem: OK');
    });

    it('creates keys, a thing and an attachment, and recognises errors', async () => {
      const created = await awsJson<{
        certificateArn: string;
        certificateId: string;
        certificatePem: string;
        keyPair: { PrivateKey: string };
      }>('create-keys-and-certificate', '--set-as-active');
      expect(created.keyPair.PrivateKey).toContain('BEGIN RSA PRIVATE KEY');
      await awsJson(
        'create-thing',
        '--thing-name',
        'cli-thing',
        '--attribute-payload',
        '{"attributes":{"line":"7"}}',
      );
      await awsJson(
        'attach-thing-principal',
        '--thing-name',
        'cli-thing',
        '--principal',
        created.certificateArn,
      );
      expect(
        (await test.iot.send(new ListThingPrincipalsCommand({ thingName: 'cli-thing' }))).principals,
      ).toEqual([created.certificateArn]);
      expect((await test.iot.send(new DescribeThingCommand({ thingName: 'cli-thing' }))).attributes).toEqual({
        line: '7',
      });

      const missing = await aws('describe-thing', '--thing-name', 'no-such-thing');
      expect(missing.status).toBe(254);
      expect(missing.stderr).toContain('(ResourceNotFoundException)');

      // Certificates the emulator issued verify against the bundle it serves.
      await writeFile(join(dir, 'issued.pem'), created.certificatePem);
      expect(await openssl('verify', '-CAfile', 'bundle.pem', 'issued.pem')).toContain('issued.pem: OK');
    });

    it('manages thing types and thing groups, typed things and memberships', async () => {
      const type = await awsJson<{ thingTypeArn: string }>(
        'create-thing-type',
        '--thing-type-name',
        'CliMeter',
        '--thing-type-properties',
        'thingTypeDescription=cli meter,searchableAttributes=serial,site',
      );
      expect(type.thingTypeArn).toMatch(/:thingtype\/CliMeter$/);
      const described = await awsJson<{
        thingTypeProperties: { searchableAttributes: string[] };
        thingTypeMetadata: { deprecated: boolean };
      }>('describe-thing-type', '--thing-type-name', 'CliMeter');
      expect(described.thingTypeProperties.searchableAttributes).toEqual(['serial', 'site']);
      expect(described.thingTypeMetadata.deprecated).toBe(false);
      await awsJson('create-thing', '--thing-name', 'cli-meter-1', '--thing-type-name', 'CliMeter');
      const typed = await awsJson<{ things: Array<{ thingName: string }> }>(
        'list-things',
        '--thing-type-name',
        'CliMeter',
      );
      expect(typed.things.map((t) => t.thingName)).toEqual(['cli-meter-1']);

      await awsJson('create-thing-group', '--thing-group-name', 'cli-site');
      await awsJson(
        'create-thing-group',
        '--thing-group-name',
        'cli-floor',
        '--parent-group-name',
        'cli-site',
      );
      await awsJson(
        'add-thing-to-thing-group',
        '--thing-group-name',
        'cli-floor',
        '--thing-name',
        'cli-meter-1',
      );
      const members = await awsJson<{ things: string[] }>(
        'list-things-in-thing-group',
        '--thing-group-name',
        'cli-site',
        '--recursive',
      );
      expect(members.things).toEqual(['cli-meter-1']);
      const groups = await awsJson<{ thingGroups: Array<{ groupName: string }> }>(
        'list-thing-groups-for-thing',
        '--thing-name',
        'cli-meter-1',
      );
      expect(groups.thingGroups.map((g) => g.groupName)).toEqual(['cli-floor']);
      const children = await awsJson<{ thingGroups: Array<{ groupName: string }> }>(
        'list-thing-groups',
        '--parent-group',
        'cli-site',
      );
      expect(children.thingGroups.map((g) => g.groupName)).toEqual(['cli-floor']);

      const refused = await aws('delete-thing-group', '--thing-group-name', 'cli-site');
      expect(refused.status).toBe(254);
      expect(refused.stderr).toContain('(InvalidRequestException)');
      const notDeprecated = await aws('delete-thing-type', '--thing-type-name', 'CliMeter');
      expect(notDeprecated.stderr).toContain('(InvalidRequestException)');
      await awsJson('deprecate-thing-type', '--thing-type-name', 'CliMeter');
      // This emulator keeps AWS's 5-minute wait between deprecation and deletion.
      const tooSoon = await aws('delete-thing-type', '--thing-type-name', 'CliMeter');
      expect(tooSoon.stderr).toMatch(/deprecated less than 300 seconds ago/);
      const deprecatedType = await aws(
        'create-thing',
        '--thing-name',
        'cli-meter-2',
        '--thing-type-name',
        'CliMeter',
      );
      expect(deprecatedType.stderr).toContain('Can not create new thing with depreated thing type:CliMeter');
      await awsJson(
        'remove-thing-from-thing-group',
        '--thing-group-name',
        'cli-floor',
        '--thing-name',
        'cli-meter-1',
      );
      await awsJson('delete-thing-group', '--thing-group-name', 'cli-floor');
      await awsJson('delete-thing-group', '--thing-group-name', 'cli-site');
    });

    it('policy versions, the principal-policy listings and role aliases through the CLI', async () => {
      const allow = (action: string) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
        });
      await writeFile(join(dir, 'v1.json'), allow('iot:Connect'));
      await writeFile(join(dir, 'v2.json'), allow('iot:AssumeRoleWithCertificate'));
      await awsJson('create-policy', '--policy-name', 'cli-versions', '--policy-document', file('v1.json'));
      const created = await awsJson<{ policyVersionId: string; isDefaultVersion: boolean }>(
        'create-policy-version',
        '--policy-name',
        'cli-versions',
        '--policy-document',
        file('v2.json'),
        '--set-as-default',
      );
      expect(created).toMatchObject({ policyVersionId: '2', isDefaultVersion: true });
      const listed = await awsJson<{
        policyVersions: Array<{ versionId: string; isDefaultVersion: boolean }>;
      }>('list-policy-versions', '--policy-name', 'cli-versions');
      expect(listed.policyVersions.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
        ['2', true],
        ['1', false],
      ]);
      const version = await awsJson<{ policyDocument: string }>(
        'get-policy-version',
        '--policy-name',
        'cli-versions',
        '--policy-version-id',
        '1',
      );
      expect(version.policyDocument).toBe(allow('iot:Connect'));
      const refused = await aws(
        'delete-policy-version',
        '--policy-name',
        'cli-versions',
        '--policy-version-id',
        '2',
      );
      expect(refused.stderr).toContain('(DeleteConflictException)');
      await awsJson(
        'set-default-policy-version',
        '--policy-name',
        'cli-versions',
        '--policy-version-id',
        '1',
      );
      await awsJson('delete-policy-version', '--policy-name', 'cli-versions', '--policy-version-id', '2');

      const { certificateArn } = await awsJson<{ certificateArn: string }>('create-keys-and-certificate');
      await awsJson('attach-policy', '--policy-name', 'cli-versions', '--target', certificateArn);
      const principalPolicies = await awsJson<{ policies: Array<{ policyName: string }> }>(
        'list-principal-policies',
        '--principal',
        certificateArn,
      );
      expect(principalPolicies.policies.map((p) => p.policyName)).toEqual(['cli-versions']);
      const principals = await awsJson<{ principals: string[] }>(
        'list-policy-principals',
        '--policy-name',
        'cli-versions',
      );
      expect(principals.principals).toEqual([certificateArn]);

      const alias = await awsJson<{ roleAliasArn: string }>(
        'create-role-alias',
        '--role-alias',
        'cli-alias',
        '--role-arn',
        'arn:aws:iam::123456789012:role/cli-role',
        '--credential-duration-seconds',
        '1800',
      );
      expect(alias.roleAliasArn).toBe('arn:aws:iot:us-east-1:123456789012:rolealias/cli-alias');
      await awsJson(
        'update-role-alias',
        '--role-alias',
        'cli-alias',
        '--credential-duration-seconds',
        '7200',
      );
      const described = await awsJson<{ roleAliasDescription: { credentialDurationSeconds: number } }>(
        'describe-role-alias',
        '--role-alias',
        'cli-alias',
      );
      expect(described.roleAliasDescription.credentialDurationSeconds).toBe(7200);
      expect((await awsJson<{ roleAliases: string[] }>('list-role-aliases')).roleAliases).toEqual([
        'cli-alias',
      ]);
      await awsJson('delete-role-alias', '--role-alias', 'cli-alias');
      const gone = await aws('describe-role-alias', '--role-alias', 'cli-alias');
      expect(gone.stderr).toContain('(ResourceNotFoundException)');
    });
  },
  { install: 'apt-get install awscli (Debian AWS CLI v2 at /usr/bin/aws)' },
);
