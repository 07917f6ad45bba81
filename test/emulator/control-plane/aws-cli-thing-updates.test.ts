import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AWS_CLI, awsIot, awsIotJson, vendoredModelPath } from '../../support/aws-cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { describeWithTool } from '../../support/tools.js';

let test: TestEmulator;
let dir: string;
/** AWS_DATA_PATH with the vendored model: the Debian CLI's own has no update-thing-type. */
let vendored: { env: Record<string, string> };

const aws = (...args: string[]) => awsIot(test.emulator, args, vendored);
const awsJson = <T>(...args: string[]) => awsIotJson<T>(test.emulator, args, vendored);

describeWithTool(
  AWS_CLI,
  'AWS CLI v2: update-thing-type and update-thing-groups-for-thing against the emulator',
  () => {
    beforeAll(async () => {
      test = await startTestEmulator({ listeners: [], keyPoolSize: 0 });
      dir = await mkdtemp(join(tmpdir(), 'provbench-cli-updates-'));
      vendored = { env: { AWS_DATA_PATH: await vendoredModelPath(dir) } };
    });

    afterAll(async () => {
      await test?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('update-thing-type sets propagating attributes and refuses other properties', async () => {
      await awsJson(
        'create-thing-type',
        '--thing-type-name',
        'CliValve',
        '--thing-type-properties',
        'thingTypeDescription=cli valve,searchableAttributes=serial',
      );
      const properties = {
        mqtt5Configuration: {
          propagatingAttributes: [
            { userPropertyKey: 'serial', thingAttribute: 'serial' },
            { userPropertyKey: 'iot:ClientId', connectionAttribute: 'iot:ClientId' },
          ],
        },
      };
      const updated = await aws(
        'update-thing-type',
        '--thing-type-name',
        'CliValve',
        '--thing-type-properties',
        JSON.stringify(properties),
      );
      expect(updated).toEqual({ status: 0, stdout: '', stderr: '' });
      const described = await awsJson<{ thingTypeProperties: Record<string, unknown> }>(
        'describe-thing-type',
        '--thing-type-name',
        'CliValve',
      );
      expect(described.thingTypeProperties).toEqual({
        thingTypeDescription: 'cli valve',
        searchableAttributes: ['serial'],
        ...properties,
      });

      const refused = await aws(
        'update-thing-type',
        '--thing-type-name',
        'CliValve',
        '--thing-type-properties',
        'searchableAttributes=serial,site',
      );
      expect(refused.status).toBe(254);
      expect(refused.stderr).toContain(
        '(InvalidRequestException) when calling the UpdateThingType operation',
      );
      expect(refused.stderr).toContain('Can only update mqtt5Configuration.');
    });

    it('update-thing-groups-for-thing moves a thing and reports unknown groups', async () => {
      await awsJson('create-thing-group', '--thing-group-name', 'cli-depot');
      for (const bay of ['cli-bay-1', 'cli-bay-2'])
        await awsJson('create-thing-group', '--thing-group-name', bay, '--parent-group-name', 'cli-depot');
      await awsJson('create-thing', '--thing-name', 'cli-truck');
      await awsJson(
        'add-thing-to-thing-group',
        '--thing-group-name',
        'cli-bay-1',
        '--thing-name',
        'cli-truck',
      );

      await awsJson(
        'update-thing-groups-for-thing',
        '--thing-name',
        'cli-truck',
        '--thing-groups-to-add',
        'cli-bay-2',
        '--thing-groups-to-remove',
        'cli-bay-1',
        '--override-dynamic-groups',
      );
      const groups = await awsJson<{ thingGroups: Array<{ groupName: string }> }>(
        'list-thing-groups-for-thing',
        '--thing-name',
        'cli-truck',
      );
      expect(groups.thingGroups.map((group) => group.groupName)).toEqual(['cli-bay-2']);

      const missing = await aws(
        'update-thing-groups-for-thing',
        '--thing-name',
        'cli-truck',
        '--thing-groups-to-add',
        'cli-nowhere',
      );
      expect(missing.status).toBe(254);
      expect(missing.stderr).toContain('(ResourceNotFoundException)');
    });
  },
  { install: 'apt-get install awscli (Debian AWS CLI v2 at /usr/bin/aws)' },
);
