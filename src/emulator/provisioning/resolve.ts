import { createHash } from 'node:crypto';
import { type IntrinsicScope, resolveValue } from './intrinsics.js';
import { TemplateError } from './template-error.js';
import {
  type OverrideSetting,
  type ProvisioningTemplate,
  parseTemplate,
  type TemplateValue,
} from './template-schema.js';

export interface ThingPlan {
  logicalId: string;
  type: 'AWS::IoT::Thing';
  thingName: string;
  thingTypeName?: string;
  attributes?: Record<string, string>;
  thingGroups?: string[];
  billingGroup?: string;
  overrideSettings: Record<string, OverrideSetting>;
}

export type CertificateSource =
  | { kind: 'id'; certificateId: string }
  | { kind: 'csr'; certificateSigningRequest: string }
  | { kind: 'pem'; certificatePem: string; caCertificatePem?: string };

export interface CertificatePlan {
  logicalId: string;
  type: 'AWS::IoT::Certificate';
  source: CertificateSource;
  status: 'ACTIVE' | 'INACTIVE';
  overrideSettings: Record<string, OverrideSetting>;
}

export interface PolicyPlan {
  logicalId: string;
  type: 'AWS::IoT::Policy';
  /** Either an existing policy by name, or a document whose policy is named by its hash. */
  policyName: string;
  policyDocument?: string;
}

export type ResourcePlan = ThingPlan | CertificatePlan | PolicyPlan;

/** What a template asks for, fully resolved: no intrinsics left, nothing touched yet. */
export interface ProvisioningPlan {
  parameters: Record<string, string>;
  resources: ResourcePlan[];
  thing?: ThingPlan;
  certificate?: CertificatePlan;
  policies: PolicyPlan[];
  deviceConfiguration: Record<string, string>;
}

export interface ResolveOptions {
  /** Extra parameters the system supplies (JITP's `AWS::IoT::Certificate::*`, fleet's cert ID). */
  systemParameters?: Record<string, string>;
}

function text(value: TemplateValue | undefined, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(
    'InvalidTemplate',
    `${where} must resolve to a string, got ${JSON.stringify(value)}`,
  );
}

function stringMap(value: TemplateValue | undefined, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TemplateError('InvalidTemplate', `${where} must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) out[key] = text(item, `${where}.${key}`) ?? '';
  return out;
}

function bindParameters(
  template: ProvisioningTemplate,
  given: Record<string, string>,
  system: Record<string, string>,
): Record<string, string> {
  const bound: Record<string, string> = { ...system };
  for (const [key, value] of Object.entries(given)) bound[key] = String(value);
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(template.Parameters)) {
    if (bound[name] === undefined && declaration.Default !== undefined) {
      bound[name] = String(declaration.Default);
    }
    const value = bound[name];
    if (value === undefined) {
      missing.push(name);
    } else if (declaration.AllowedValues && !declaration.AllowedValues.includes(value)) {
      throw new TemplateError(
        'InvalidParameter',
        `parameter "${name}" is "${value}" but must be one of ${declaration.AllowedValues.join(', ')}`,
      );
    } else if (declaration.Type === 'Number' && !Number.isFinite(Number(value))) {
      throw new TemplateError('InvalidParameter', `parameter "${name}" must be a number, got "${value}"`);
    }
  }
  if (missing.length > 0) {
    const noun = missing.length === 1 ? 'parameter' : 'parameters';
    throw new TemplateError(
      'MissingParameter',
      `the template declares ${noun} ${missing.map((m) => `"${m}"`).join(', ')} with no Default and no value was given; pass ${missing.length === 1 ? 'it' : 'them'} in parameters${missing.some((m) => m.startsWith('AWS::IoT::Certificate::')) ? ' (AWS::IoT::Certificate::* values come from the device certificate subject)' : ''}`,
    );
  }
  return bound;
}

function evaluateConditions(template: ProvisioningTemplate, scope: IntrinsicScope): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  const pending = new Set(Object.keys(template.Conditions));
  // Conditions may refer to each other; evaluate until no progress is made.
  while (pending.size > 0) {
    let progressed = false;
    for (const name of [...pending]) {
      try {
        const value = resolveValue(template.Conditions[name] as TemplateValue, {
          ...scope,
          conditions: results,
        });
        if (typeof value !== 'boolean') {
          throw new TemplateError('InvalidTemplate', `condition "${name}" must resolve to true or false`);
        }
        results[name] = value;
        pending.delete(name);
        progressed = true;
      } catch (error) {
        if (!(error instanceof TemplateError && /is not declared in Conditions/.test(error.message)))
          throw error;
      }
    }
    if (!progressed) {
      throw new TemplateError(
        'InvalidTemplate',
        `conditions ${[...pending].join(', ')} refer to each other in a loop or to undeclared conditions`,
      );
    }
  }
  return results;
}

/** Policy name AWS IoT gives a template policy declared by document only: a hash of the document. */
export function policyNameForDocument(document: string): string {
  return createHash('sha256').update(document).digest('hex').toUpperCase();
}

function planResource(
  logicalId: string,
  type: string,
  properties: Record<string, TemplateValue>,
  overrideSettings: Record<string, OverrideSetting>,
): ResourcePlan {
  const where = `Resources.${logicalId}.Properties`;
  if (type === 'AWS::IoT::Thing') {
    const thingName = text(properties.ThingName, `${where}.ThingName`);
    if (!thingName)
      throw new TemplateError('InvalidTemplate', `${where}.ThingName is required for AWS::IoT::Thing`);
    const attributePayload = properties.AttributePayload;
    const groups = properties.ThingGroups;
    return {
      logicalId,
      type,
      thingName,
      thingTypeName: text(properties.ThingTypeName, `${where}.ThingTypeName`),
      attributes:
        attributePayload === undefined ? undefined : stringMap(attributePayload, `${where}.AttributePayload`),
      thingGroups: Array.isArray(groups)
        ? groups.map((g, i) => text(g, `${where}.ThingGroups.${i}`) ?? '')
        : undefined,
      billingGroup: text(properties.BillingGroup, `${where}.BillingGroup`),
      overrideSettings,
    };
  }
  if (type === 'AWS::IoT::Certificate') {
    const certificateId = text(properties.CertificateId, `${where}.CertificateId`);
    const csr = text(properties.CertificateSigningRequest, `${where}.CertificateSigningRequest`);
    const pem = text(properties.CertificatePem, `${where}.CertificatePem`);
    const given = [certificateId, csr, pem].filter((v) => v !== undefined).length;
    if (given !== 1) {
      throw new TemplateError(
        'InvalidTemplate',
        `${where} needs exactly one of CertificateId, CertificateSigningRequest or CertificatePem (got ${given})`,
      );
    }
    const status = text(properties.Status, `${where}.Status`) ?? 'ACTIVE';
    if (status !== 'ACTIVE' && status !== 'INACTIVE') {
      throw new TemplateError(
        'InvalidParameter',
        `${where}.Status must be ACTIVE or INACTIVE, got "${status}"`,
      );
    }
    const source: CertificateSource = certificateId
      ? { kind: 'id', certificateId }
      : csr
        ? { kind: 'csr', certificateSigningRequest: csr }
        : {
            kind: 'pem',
            certificatePem: pem as string,
            caCertificatePem: text(properties.CACertificatePem, `${where}.CACertificatePem`),
          };
    return { logicalId, type, source, status, overrideSettings };
  }
  const policyName = text(properties.PolicyName, `${where}.PolicyName`);
  const rawDocument = properties.PolicyDocument;
  if ((policyName === undefined) === (rawDocument === undefined)) {
    throw new TemplateError('InvalidTemplate', `${where} needs exactly one of PolicyName or PolicyDocument`);
  }
  if (rawDocument === undefined)
    return { logicalId, type: 'AWS::IoT::Policy', policyName: policyName as string };
  const policyDocument = typeof rawDocument === 'string' ? rawDocument : JSON.stringify(rawDocument);
  return {
    logicalId,
    type: 'AWS::IoT::Policy',
    policyName: policyNameForDocument(policyDocument),
    policyDocument,
  };
}

/**
 * Resolves a provisioning template against parameter values: binds Parameters (with Default),
 * evaluates Conditions and intrinsics (Ref, Fn::Join, Fn::Sub, Fn::FindInMap, Fn::Select,
 * Fn::Split, Fn::If), and returns the resources to create. Pure: touches no registry.
 */
export function resolveTemplate(
  templateBody: string | unknown,
  parameters: Record<string, string> = {},
  options: ResolveOptions = {},
): ProvisioningPlan {
  const template = parseTemplate(templateBody);
  const bound = bindParameters(template, parameters, options.systemParameters ?? {});
  const baseScope: IntrinsicScope = { parameters: bound, mappings: template.Mappings, conditions: {} };
  const scope: IntrinsicScope = { ...baseScope, conditions: evaluateConditions(template, baseScope) };

  const resources: ResourcePlan[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined) {
      const holds = scope.conditions[resource.Condition];
      if (holds === undefined) {
        throw new TemplateError(
          'InvalidTemplate',
          `Resources.${logicalId}.Condition names undeclared condition "${resource.Condition}"`,
        );
      }
      if (!holds) continue;
    }
    const properties = resolveValue(resource.Properties, scope) as Record<string, TemplateValue>;
    resources.push(planResource(logicalId, resource.Type, properties, resource.OverrideSettings ?? {}));
  }
  const things = resources.filter((r): r is ThingPlan => r.type === 'AWS::IoT::Thing');
  const certificates = resources.filter((r): r is CertificatePlan => r.type === 'AWS::IoT::Certificate');
  if (things.length > 1 || certificates.length > 1) {
    throw new TemplateError(
      'InvalidTemplate',
      'a template may declare at most one AWS::IoT::Thing and one AWS::IoT::Certificate',
    );
  }
  const deviceConfiguration = stringMap(
    resolveValue(template.DeviceConfiguration, scope),
    'DeviceConfiguration',
  );
  return {
    parameters: bound,
    resources,
    thing: things[0],
    certificate: certificates[0],
    policies: resources.filter((r): r is PolicyPlan => r.type === 'AWS::IoT::Policy'),
    deviceConfiguration,
  };
}
