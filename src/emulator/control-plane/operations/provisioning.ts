import { parseTemplate, provisionFromTemplate, TemplateError } from '../../provisioning/index.js';
import { IotError, invalidRequest, type ProvisioningHook } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  epochSeconds,
  optionalBoolean,
  optionalObject,
  optionalString,
  requiredString,
  stringMap,
} from '../input.js';
import { tokenPaging } from '../paging.js';
import { createProvisioningRegistry } from '../provisioning-registry.js';
import { keyPair, templateDescription, templateSummary } from '../wire.js';
import { tagList } from './tags.js';

/** Provisioning claims expire after five minutes. */
const CLAIM_LIFETIME_MS = 5 * 60 * 1000;
const ROLE_ARN = { min: 20, max: 2048 };

function checkTemplateBody(templateBody: string): void {
  try {
    parseTemplate(templateBody);
  } catch (error) {
    throw invalidRequest(`templateBody is not a valid provisioning template: ${(error as Error).message}`);
  }
}

function hookFrom(body: Record<string, unknown>): ProvisioningHook | undefined {
  const hook = optionalObject(body, 'preProvisioningHook');
  if (!hook) return undefined;
  const result: ProvisioningHook = { targetArn: requiredString(hook, 'targetArn', { max: 2048 }) };
  const payloadVersion = optionalString(hook, 'payloadVersion', { min: 10, max: 32, pattern: /^[0-9-]+$/ });
  if (payloadVersion !== undefined) result.payloadVersion = payloadVersion;
  return result;
}

export const provisioningOperations: OperationHandlers = {
  CreateProvisioningTemplate(input, { registry }) {
    const templateName = requiredString(input.body, 'templateName');
    const templateBody = requiredString(input.body, 'templateBody');
    checkTemplateBody(templateBody);
    const type = (optionalString(input.body, 'type', { oneOf: ['FLEET_PROVISIONING', 'JITP'] }) ??
      'FLEET_PROVISIONING') as 'FLEET_PROVISIONING' | 'JITP';
    const tags = tagList(input.body.tags);
    const description = optionalString(input.body, 'description', { max: 500 });
    const record = registry.createProvisioningTemplate({
      templateName,
      templateBody,
      ...(description !== undefined ? { description } : {}),
      enabled: optionalBoolean(input.body, 'enabled') ?? false,
      provisioningRoleArn: requiredString(input.body, 'provisioningRoleArn', ROLE_ARN),
      preProvisioningHook: hookFrom(input.body),
      type,
    });
    if (Object.keys(tags).length > 0) registry.tagResource(record.templateArn, tags);
    return {
      templateArn: record.templateArn,
      templateName: record.templateName,
      defaultVersionId: record.defaultVersionId,
    };
  },

  DescribeProvisioningTemplate(input, { registry }) {
    const name = requiredString(input.labels, 'templateName');
    return templateDescription(registry.describeProvisioningTemplate(name));
  },

  ListProvisioningTemplates(input, { registry }) {
    const page = registry.listProvisioningTemplates(tokenPaging(input));
    return { templates: page.items.map(templateSummary), nextToken: page.next };
  },

  UpdateProvisioningTemplate(input, { registry }) {
    const name = requiredString(input.labels, 'templateName');
    const defaultVersionId = input.body.defaultVersionId;
    if (defaultVersionId !== undefined && !Number.isInteger(defaultVersionId)) {
      throw invalidRequest('defaultVersionId must be an integer');
    }
    registry.updateProvisioningTemplate(name, {
      description: optionalString(input.body, 'description', { max: 500 }),
      enabled: optionalBoolean(input.body, 'enabled'),
      defaultVersionId: defaultVersionId as number | undefined,
      provisioningRoleArn: optionalString(input.body, 'provisioningRoleArn', ROLE_ARN),
      preProvisioningHook: hookFrom(input.body),
      removePreProvisioningHook: optionalBoolean(input.body, 'removePreProvisioningHook'),
    });
    return undefined;
  },

  DeleteProvisioningTemplate(input, { registry }) {
    registry.deleteProvisioningTemplate(requiredString(input.labels, 'templateName'));
    return undefined;
  },

  async CreateProvisioningClaim(input, { registry, pki }) {
    const name = requiredString(input.labels, 'templateName');
    const template = registry.describeProvisioningTemplate(name);
    if (template.type !== 'FLEET_PROVISIONING') {
      throw invalidRequest(
        `Template ${name} is a ${template.type} template: provisioning claims need FLEET_PROVISIONING`,
      );
    }
    const { certificate, keyPair: keys } = await pki.createKeysAndCertificate();
    const expiresAt = Date.now() + CLAIM_LIFETIME_MS;
    const record = registry.addCertificate({
      certificate,
      status: 'ACTIVE',
      origin: 'provisioning-claim',
      expiresAt,
      provisioningTemplateName: name,
    });
    return {
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
      keyPair: keyPair(keys),
      expiration: epochSeconds(expiresAt),
    };
  },

  async RegisterThing(input, { registry, pki }) {
    const templateBody = requiredString(input.body, 'templateBody');
    const parameters =
      input.body.parameters === undefined ? {} : stringMap(input.body.parameters, 'parameters');
    try {
      const result = await provisionFromTemplate(
        templateBody,
        parameters,
        createProvisioningRegistry(registry, pki),
      );
      return { certificatePem: result.certificatePem, resourceArns: result.resourceArns };
    } catch (error) {
      if (error instanceof IotError) throw error;
      if (error instanceof TemplateError) {
        if (
          error.code === 'InvalidTemplate' ||
          error.code === 'MissingParameter' ||
          error.code === 'InvalidParameter'
        ) {
          throw invalidRequest(error.message);
        }
        throw new IotError('ResourceRegistrationFailureException', error.message);
      }
      throw error;
    }
  },
};
