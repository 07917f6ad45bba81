import {
  CreateProvisioningClaimCommand,
  CreateProvisioningTemplateCommand,
  DeleteProvisioningTemplateCommand,
  DescribeProvisioningTemplateCommand,
  ListProvisioningTemplatesCommand,
  UpdateProvisioningTemplateCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

const TEMPLATE_BODY = JSON.stringify({
  Parameters: { SerialNumber: { Type: 'String' } },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'SerialNumber' } } },
  },
});
const ROLE_ARN = 'arn:aws:iam::123456789012:role/provisioning';

async function template(world: World): Promise<string> {
  const templateName = world.name('template');
  await world.iot.send(
    new CreateProvisioningTemplateCommand({
      templateName,
      templateBody: TEMPLATE_BODY,
      provisioningRoleArn: ROLE_ARN,
      enabled: true,
      description: 'conformance template',
    }),
  );
  return templateName;
}

export const provisioningCases: ConformanceCase[] = [
  {
    operation: 'CreateProvisioningTemplate',
    success: (world) =>
      world.iot.send(
        new CreateProvisioningTemplateCommand({
          templateName: world.name('template'),
          templateBody: TEMPLATE_BODY,
          provisioningRoleArn: ROLE_ARN,
          tags: [{ Key: 'team', Value: 'fleet' }],
        }),
      ),
    error: (world) =>
      world.iot.send(
        new CreateProvisioningTemplateCommand({
          templateName: world.name('template'),
          templateBody: TEMPLATE_BODY,
          provisioningRoleArn: ROLE_ARN,
          description: 'bell\u0007',
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListProvisioningTemplates',
    success: async (world) => {
      await template(world);
      return world.iot.send(new ListProvisioningTemplatesCommand({}));
    },
    error: (world) => world.iot.send(new ListProvisioningTemplatesCommand({ maxResults: 0 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DescribeProvisioningTemplate',
    success: async (world) =>
      world.iot.send(new DescribeProvisioningTemplateCommand({ templateName: await template(world) })),
    error: (world) =>
      world.iot.send(new DescribeProvisioningTemplateCommand({ templateName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateProvisioningTemplate',
    success: async (world) =>
      world.iot.send(
        new UpdateProvisioningTemplateCommand({
          templateName: await template(world),
          description: 'updated',
        }),
      ),
    error: (world) =>
      world.iot.send(
        new UpdateProvisioningTemplateCommand({ templateName: world.name('missing'), enabled: true }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeleteProvisioningTemplate',
    success: async (world) =>
      world.iot.send(new DeleteProvisioningTemplateCommand({ templateName: await template(world) })),
    error: (world) =>
      world.iot.send(new DeleteProvisioningTemplateCommand({ templateName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'CreateProvisioningClaim',
    success: async (world) =>
      world.iot.send(new CreateProvisioningClaimCommand({ templateName: await template(world) })),
    error: (world) =>
      world.iot.send(new CreateProvisioningClaimCommand({ templateName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
];
