import { CreateThingGroupCommand, CreateThingTypeCommand } from '@aws-sdk/client-iot';
import type { RunContext } from '../../src/contract/index.js';
import { resourceName, runDescription } from './names.js';

/** The thing type and static thing group a provisioning template gives every device's thing. */
export interface ThingClassification {
  thingTypeName: string;
  thingGroupName: string;
}

/**
 * Creates the run's thing type and static thing group (each recorded in the ledger before it
 * is made; cleanup deprecates the type and waits AWS's 5 minutes before deleting it).
 */
export async function createThingClassification(ctx: RunContext): Promise<ThingClassification> {
  const thingTypeName = resourceName(ctx, 'type');
  const thingGroupName = resourceName(ctx, 'group');
  await ctx.phase('create-thing-type', () =>
    ctx.ledger.track({ kind: 'thing-type', name: thingTypeName }, () =>
      ctx.iot.send(
        new CreateThingTypeCommand({
          thingTypeName,
          thingTypeProperties: { thingTypeDescription: runDescription(ctx) },
          tags: [...ctx.tags],
        }),
      ),
    ),
  );
  await ctx.phase('create-thing-group', () =>
    ctx.ledger.track({ kind: 'thing-group', name: thingGroupName }, () =>
      ctx.iot.send(
        new CreateThingGroupCommand({
          thingGroupName,
          thingGroupProperties: { thingGroupDescription: runDescription(ctx) },
          tags: [...ctx.tags],
        }),
      ),
    ),
  );
  return { thingTypeName, thingGroupName };
}

/** The AWS::IoT::Thing properties that give the thing its type and group (none without). */
export function classificationProperties(classification?: ThingClassification): Record<string, unknown> {
  if (!classification) return {};
  return { ThingTypeName: classification.thingTypeName, ThingGroups: [classification.thingGroupName] };
}
