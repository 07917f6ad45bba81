import type { CertificatePlan, ProvisioningPlan, ThingPlan } from './resolve.js';
import { TemplateError } from './template-error.js';

export type ProvisionedCertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED' | 'PENDING_ACTIVATION' | string;

export interface ExistingThing {
  thingName: string;
  thingArn: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
}

export interface ExistingCertificate {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  status: ProvisionedCertificateStatus;
}

/**
 * What the template engine needs from the emulator's registry. The control plane implements it
 * once (an adapter over its registry) and RegisterThing, JITP and fleet provisioning share it.
 * Methods throw on failure; the engine wraps registry errors into TemplateError.
 */
export interface ProvisioningRegistry {
  describeThing(thingName: string): Promise<ExistingThing | undefined>;
  createThing(thing: {
    thingName: string;
    thingTypeName?: string;
    attributes?: Record<string, string>;
  }): Promise<{ thingArn: string }>;
  updateThing(
    thingName: string,
    change: { thingTypeName?: string; attributes?: Record<string, string> },
  ): Promise<void>;
  describeCertificate(certificateId: string): Promise<ExistingCertificate | undefined>;
  createCertificateFromCsr(csr: string, status: 'ACTIVE' | 'INACTIVE'): Promise<ExistingCertificate>;
  registerCertificate(
    certificatePem: string,
    caCertificatePem: string | undefined,
    status: 'ACTIVE' | 'INACTIVE',
  ): Promise<ExistingCertificate>;
  updateCertificateStatus(certificateId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<void>;
  /** Returns the policy ARN when the policy exists. */
  getPolicy(policyName: string): Promise<{ policyArn: string } | undefined>;
  createPolicy(policyName: string, policyDocument: string): Promise<{ policyArn: string }>;
  attachPolicy(policyName: string, targetArn: string): Promise<void>;
  attachThingPrincipal(thingName: string, principalArn: string): Promise<void>;
  /** A thing type, or undefined when it does not exist. */
  describeThingType(thingTypeName: string): Promise<{ deprecated: boolean } | undefined>;
  /** Whether a static thing group exists. */
  thingGroupExists(thingGroupName: string): Promise<boolean>;
  /** The static thing groups a thing is in. */
  thingGroupsOf(thingName: string): Promise<string[]>;
  addThingToThingGroup(thingGroupName: string, thingName: string): Promise<void>;
  removeThingFromThingGroup(thingGroupName: string, thingName: string): Promise<void>;
}

export interface ProvisioningResult {
  /** Logical resource ID → ARN, as RegisterThing returns `resourceArns`. */
  resourceArns: Record<string, string>;
  thingName?: string;
  certificateId?: string;
  certificateArn?: string;
  certificatePem?: string;
  deviceConfiguration: Record<string, string>;
}

function setting(plan: ThingPlan | CertificatePlan, property: string): string {
  return plan.overrideSettings[property] ?? 'DO_NOTHING';
}

/**
 * What the thing refers to must exist before anything is made: its thing type (not deprecated)
 * and its thing groups. Billing groups are refused: the emulator has none.
 */
async function checkThingReferences(plan: ThingPlan, registry: ProvisioningRegistry): Promise<void> {
  if (plan.billingGroup !== undefined) {
    throw new TemplateError(
      'ResourceNotFound',
      `billing group ${plan.billingGroup} named by the template does not exist: the emulator has no billing groups; remove BillingGroup`,
    );
  }
  if (plan.thingTypeName !== undefined) {
    const type = await registry.describeThingType(plan.thingTypeName);
    if (type === undefined) {
      throw new TemplateError(
        'ResourceNotFound',
        `thing type ${plan.thingTypeName} named by the template does not exist; create it (CreateThingType) first`,
      );
    }
    if (type.deprecated) {
      throw new TemplateError(
        'InvalidParameter',
        `Can not create new thing with depreated thing type:${plan.thingTypeName}`,
      );
    }
  }
  for (const group of plan.thingGroups ?? []) {
    if (!(await registry.thingGroupExists(group))) {
      throw new TemplateError(
        'ResourceNotFound',
        `thing group ${group} named by the template does not exist; create it (CreateThingGroup) first`,
      );
    }
  }
}

/** ThingGroups: a new thing joins them all; an existing one as OverrideSettings.ThingGroups says. */
async function applyThingGroups(
  plan: ThingPlan,
  registry: ProvisioningRegistry,
  created: boolean,
): Promise<void> {
  const wanted = plan.thingGroups;
  if (wanted === undefined) return;
  const current = created ? [] : await registry.thingGroupsOf(plan.thingName);
  const mode = created ? 'MERGE' : setting(plan, 'ThingGroups');
  if (mode === 'DO_NOTHING') return;
  if (mode === 'FAIL') {
    const same = wanted.length === current.length && wanted.every((group) => current.includes(group));
    if (!same) {
      throw new TemplateError(
        'ResourceConflict',
        `thing ${plan.thingName} is in thing groups [${current.join(', ')}], the template wants [${wanted.join(', ')}], and OverrideSettings.ThingGroups is FAIL`,
      );
    }
    return;
  }
  if (mode === 'REPLACE') {
    for (const group of current) {
      if (!wanted.includes(group)) await registry.removeThingFromThingGroup(group, plan.thingName);
    }
  }
  for (const group of wanted) {
    if (!current.includes(group)) await registry.addThingToThingGroup(group, plan.thingName);
  }
}

async function applyThing(plan: ThingPlan, registry: ProvisioningRegistry): Promise<string> {
  await checkThingReferences(plan, registry);
  const existing = await registry.describeThing(plan.thingName);
  if (existing === undefined) {
    const created = await registry.createThing({
      thingName: plan.thingName,
      thingTypeName: plan.thingTypeName,
      attributes: plan.attributes,
    });
    await applyThingGroups(plan, registry, true);
    return created.thingArn;
  }
  const change: { thingTypeName?: string; attributes?: Record<string, string> } = {};
  if (plan.attributes !== undefined) {
    const mode = setting(plan, 'AttributePayload');
    const differs = JSON.stringify(plan.attributes) !== JSON.stringify(existing.attributes);
    if (mode === 'FAIL' && differs) {
      throw new TemplateError(
        'ResourceConflict',
        `thing ${plan.thingName} exists with different attributes and OverrideSettings.AttributePayload is FAIL`,
      );
    }
    if (mode === 'REPLACE') change.attributes = plan.attributes;
    if (mode === 'MERGE') change.attributes = { ...existing.attributes, ...plan.attributes };
  }
  if (plan.thingTypeName !== undefined && plan.thingTypeName !== existing.thingTypeName) {
    const mode = setting(plan, 'ThingTypeName');
    if (mode === 'FAIL') {
      throw new TemplateError(
        'ResourceConflict',
        `thing ${plan.thingName} exists with thing type ${existing.thingTypeName ?? '(none)'} and OverrideSettings.ThingTypeName is FAIL`,
      );
    }
    if (mode === 'REPLACE') change.thingTypeName = plan.thingTypeName;
  }
  if (change.attributes !== undefined || change.thingTypeName !== undefined) {
    await registry.updateThing(plan.thingName, change);
  }
  await applyThingGroups(plan, registry, false);
  return existing.thingArn;
}

async function applyCertificate(
  plan: CertificatePlan,
  registry: ProvisioningRegistry,
): Promise<ExistingCertificate> {
  const { source } = plan;
  if (source.kind === 'csr')
    return registry.createCertificateFromCsr(source.certificateSigningRequest, plan.status);
  if (source.kind === 'pem') {
    return registry.registerCertificate(source.certificatePem, source.caCertificatePem, plan.status);
  }
  const existing = await registry.describeCertificate(source.certificateId);
  if (existing === undefined) {
    throw new TemplateError(
      'ResourceNotFound',
      `certificate ${source.certificateId} named by the template does not exist; register it first`,
    );
  }
  if (existing.status === 'REVOKED') {
    throw new TemplateError(
      'ResourceConflict',
      `certificate ${source.certificateId} is REVOKED and cannot be provisioned`,
    );
  }
  const pending = existing.status === 'PENDING_ACTIVATION';
  const mode = setting(plan, 'Status');
  if (existing.status !== plan.status) {
    if (!pending && mode === 'FAIL') {
      throw new TemplateError(
        'ResourceConflict',
        `certificate ${source.certificateId} is ${existing.status}, the template wants ${plan.status}, and OverrideSettings.Status is FAIL`,
      );
    }
    if (pending || mode === 'REPLACE') {
      await registry.updateCertificateStatus(source.certificateId, plan.status);
      return { ...existing, status: plan.status };
    }
  }
  return existing;
}

function wrap(error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TemplateError('ResourceConflict', `provisioning failed: ${message}`);
}

/**
 * Carries out a resolved plan against the registry in AWS's order: thing, certificate, policies,
 * then attaches every policy to the certificate and the certificate to the thing.
 */
export async function applyPlan(
  plan: ProvisioningPlan,
  registry: ProvisioningRegistry,
): Promise<ProvisioningResult> {
  try {
    const resourceArns: Record<string, string> = {};
    const result: ProvisioningResult = { resourceArns, deviceConfiguration: plan.deviceConfiguration };
    if (plan.thing) {
      resourceArns[plan.thing.logicalId] = await applyThing(plan.thing, registry);
      result.thingName = plan.thing.thingName;
    }
    if (plan.certificate) {
      const certificate = await applyCertificate(plan.certificate, registry);
      resourceArns[plan.certificate.logicalId] = certificate.certificateArn;
      result.certificateId = certificate.certificateId;
      result.certificateArn = certificate.certificateArn;
      result.certificatePem = certificate.certificatePem;
    }
    const policyNames: string[] = [];
    for (const policy of plan.policies) {
      let found = await registry.getPolicy(policy.policyName);
      if (found === undefined) {
        if (policy.policyDocument === undefined) {
          throw new TemplateError(
            'ResourceNotFound',
            `policy ${policy.policyName} named by the template does not exist; create it first or give a PolicyDocument`,
          );
        }
        found = await registry.createPolicy(policy.policyName, policy.policyDocument);
      }
      resourceArns[policy.logicalId] = found.policyArn;
      policyNames.push(policy.policyName);
    }
    if (result.certificateArn) {
      for (const name of policyNames) await registry.attachPolicy(name, result.certificateArn);
      if (result.thingName) await registry.attachThingPrincipal(result.thingName, result.certificateArn);
    }
    return result;
  } catch (error) {
    throw wrap(error);
  }
}
