import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DescribeThingTypeCommand,
  ListThingGroupsForThingCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AWS_CLI, awsIot, awsIotJson, vendoredModelPath } from '../../support/aws-cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { describeWithTool } from '../../support/tools.js';

let test: TestEmulator;
let dir: string;
/** AWS_DATA_PATH with the vendored model: the Debian CLI's own has no update-thing-type. */
let vendored: { env: Record<string, string> };

/** The CLI with the vendored model (update-thing-type). */
const awsVendored = (...args: string[]) => awsIot(test.emulator, args, vendored);
/** The CLI with its own model, which has update-thing-groups-for-thing. */
const aws = (...args: string[]) => awsIot(test.emulator, args);

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
      // Set-up and read-back through the SDK: each CLI call costs seconds on a loaded machine.
      await test.iot.send(
        new CreateThingTypeCommand({
          thingTypeName: 'CliValve',
          thingTypeProperties: { thingTypeDescription: 'cli valve', searchableAttributes: ['serial'] },
        }),
      );
      const properties = {
        mqtt5Configuration: {
          propagatingAttributes: [
            { userPropertyKey: 'serial', thingAttribute: 'serial' },
            { userPropertyKey: 'iot:ClientId', connectionAttribute: 'iot:ClientId' },
          ],
        },
      };
      const updated = await awsVendored(
        'update-thing-type',
        '--thing-type-name',
        'CliValve',
        '--thing-type-properties',
        JSON.stringify(properties),
      );
      expect(updated).toEqual({ status: 0, stdout: '', stderr: '' });
      const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'CliValve' }));
      expect(described.thingTypeProperties).toEqual({
        thingTypeDescription: 'cli valve',
        searchableAttributes: ['serial'],
        ...properties,
      });

      const refused = await awsVendored(
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
      await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'cli-depot' }));
      for (const bay of ['cli-bay-1', 'cli-bay-2'])
        await test.iot.send(
          new CreateThingGroupCommand({ thingGroupName: bay, parentGroupName: 'cli-depot' }),
        );
      await test.iot.send(new CreateThingCommand({ thingName: 'cli-truck' }));
      await test.iot.send(
        new AddThingToThingGroupCommand({ thingGroupName: 'cli-bay-1', thingName: 'cli-truck' }),
      );

      await awsIotJson(test.emulator, [
        'update-thing-groups-for-thing',
        '--thing-name',
        'cli-truck',
        '--thing-groups-to-add',
        'cli-bay-2',
        '--thing-groups-to-remove',
        'cli-bay-1',
        '--override-dynamic-groups',
      ]);
      const groups = await test.iot.send(new ListThingGroupsForThingCommand({ thingName: 'cli-truck' }));
      expect(groups.thingGroups?.map((group) => group.groupName)).toEqual(['cli-bay-2']);

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
