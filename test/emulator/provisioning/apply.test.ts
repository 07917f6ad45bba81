import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  type ExistingCertificate,
  type ExistingThing,
  type ProvisioningRegistry,
  provisionFromTemplate,
  resolveTemplate,
  TemplateError,
} from '../../../src/emulator/provisioning/index.js';

const arn = 'arn:aws:iot:us-east-1:123456789012';

/** An in-memory registry double recording every call, for checking what the engine does. */
class MemoryRegistry implements ProvisioningRegistry {
  things = new Map<string, ExistingThing>();
  certificates = new Map<string, ExistingCertificate>();
  policies = new Map<string, string>();
  policyTargets: Array<[string, string]> = [];
  thingPrincipals: Array<[string, string]> = [];
  calls: string[] = [];

  async describeThing(name: string) {
    return this.things.get(name);
  }
  async createThing(t: { thingName: string; thingTypeName?: string; attributes?: Record<string, string> }) {
    this.calls.push(`createThing ${t.thingName}`);
    const thingArn = `${arn}:thing/${t.thingName}`;
    this.things.set(t.thingName, {
      thingName: t.thingName,
      thingArn,
      thingTypeName: t.thingTypeName,
      attributes: t.attributes ?? {},
    });
    return { thingArn };
  }
  async updateThing(name: string, change: { thingTypeName?: string; attributes?: Record<string, string> }) {
    this.calls.push(`updateThing ${name}`);
    const thing = this.things.get(name) as ExistingThing;
    this.things.set(name, { ...thing, ...change, attributes: change.attributes ?? thing.attributes });
  }
  async describeCertificate(id: string) {
    return this.certificates.get(id);
  }
  async createCertificateFromCsr(csr: string, status: 'ACTIVE' | 'INACTIVE') {
    const id = `csr-${csr.length}`;
    const cert = { certificateId: id, certificateArn: `${arn}:cert/${id}`, certificatePem: 'PEM', status };
    this.certificates.set(id, cert);
    return cert;
  }
  async registerCertificate(pem: string, _ca: string | undefined, status: 'ACTIVE' | 'INACTIVE') {
    const id = `pem-${pem.length}`;
    const cert = { certificateId: id, certificateArn: `${arn}:cert/${id}`, certificatePem: pem, status };
    this.certificates.set(id, cert);
    return cert;
  }
  async updateCertificateStatus(id: string, status: 'ACTIVE' | 'INACTIVE') {
    this.calls.push(`updateCertificateStatus ${status}`);
    const cert = this.certificates.get(id) as ExistingCertificate;
    this.certificates.set(id, { ...cert, status });
  }
  async getPolicy(name: string) {
    return this.policies.has(name) ? { policyArn: `${arn}:policy/${name}` } : undefined;
  }
  async createPolicy(name: string, document: string) {
    this.calls.push(`createPolicy ${name}`);
    this.policies.set(name, document);
    return { policyArn: `${arn}:policy/${name}` };
  }
  async attachPolicy(name: string, target: string) {
    this.policyTargets.push([name, target]);
  }
  async attachThingPrincipal(thing: string, principal: string) {
    this.thingPrincipals.push([thing, principal]);
  }
  thingTypes = new Map<string, { deprecated: boolean }>();
  groups = new Map<string, Set<string>>();
  async describeThingType(name: string) {
    return this.thingTypes.get(name);
  }
  async thingGroupExists(name: string) {
    return this.groups.has(name);
  }
  async thingGroupsOf(thing: string) {
    return [...this.groups].filter(([, members]) => members.has(thing)).map(([name]) => name);
  }
  async addThingToThingGroup(group: string, thing: string) {
    this.calls.push(`addThingToThingGroup ${group}`);
    this.groups.get(group)?.add(thing);
  }
  async removeThingFromThingGroup(group: string, thing: string) {
    this.calls.push(`removeThingFromThingGroup ${group}`);
    this.groups.get(group)?.delete(thing);
  }
}

const jitpTemplate = {
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' }, AttributePayload: { a: '1' } },
      OverrideSettings: { AttributePayload: 'MERGE' },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: {
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}',
      },
    },
  },
};

function pendingCertificate(registry: MemoryRegistry, id = 'a'.repeat(64)): void {
  registry.certificates.set(id, {
    certificateId: id,
    certificateArn: `${arn}:cert/${id}`,
    certificatePem: 'DEVICE',
    status: 'PENDING_ACTIVATION',
  });
}

describe('applyPlan', () => {
  it('JITP: creates thing and policy, activates the pending certificate, attaches both', async () => {
    const registry = new MemoryRegistry();
    pendingCertificate(registry);
    const result = await provisionFromTemplate(jitpTemplate, {}, registry, {
      systemParameters: {
        'AWS::IoT::Certificate::CommonName': 'dev-7',
        'AWS::IoT::Certificate::Id': 'a'.repeat(64),
      },
    });
    expect(result.thingName).toBe('dev-7');
    expect(result.resourceArns.thing).toBe(`${arn}:thing/dev-7`);
    expect(result.resourceArns.certificate).toBe(`${arn}:cert/${'a'.repeat(64)}`);
    expect(result.resourceArns.policy).toMatch(/:policy\/[0-9A-F]{64}$/);
    expect(registry.certificates.get('a'.repeat(64))?.status).toBe('ACTIVE');
    expect(registry.policyTargets).toEqual([
      [result.resourceArns.policy?.split('/')[1], result.certificateArn],
    ]);
    expect(registry.thingPrincipals).toEqual([['dev-7', result.certificateArn]]);
  });

  it('merges, replaces or refuses attributes of an existing thing per OverrideSettings', async () => {
    const registry = new MemoryRegistry();
    registry.things.set('dev-7', {
      thingName: 'dev-7',
      thingArn: `${arn}:thing/dev-7`,
      attributes: { old: 'x' },
    });
    const params = {
      'AWS::IoT::Certificate::CommonName': 'dev-7',
      'AWS::IoT::Certificate::Id': 'a'.repeat(64),
    };
    pendingCertificate(registry);
    await provisionFromTemplate(jitpTemplate, params, registry);
    expect(registry.things.get('dev-7')?.attributes).toEqual({ old: 'x', a: '1' });

    const replace = structuredClone(jitpTemplate);
    replace.Resources.thing.OverrideSettings.AttributePayload = 'REPLACE';
    await provisionFromTemplate(replace, params, registry);
    expect(registry.things.get('dev-7')?.attributes).toEqual({ a: '1' });

    const fail = structuredClone(jitpTemplate);
    fail.Resources.thing.OverrideSettings.AttributePayload = 'FAIL';
    fail.Resources.thing.Properties.AttributePayload = { a: '2' };
    await expect(provisionFromTemplate(fail, params, registry)).rejects.toMatchObject({
      code: 'ResourceConflict',
    });

    const keep = structuredClone(jitpTemplate);
    keep.Resources.thing.OverrideSettings = {} as typeof keep.Resources.thing.OverrideSettings;
    keep.Resources.thing.Properties.AttributePayload = { z: '9' } as unknown as { a: string };
    await provisionFromTemplate(keep, params, registry);
    expect(registry.things.get('dev-7')?.attributes).toEqual({ a: '1' });
  });

  it('fails with ResourceNotFound for an unknown certificate or named policy, before attaching anything', async () => {
    const registry = new MemoryRegistry();
    const plan = resolveTemplate(jitpTemplate, {
      'AWS::IoT::Certificate::CommonName': 'd',
      'AWS::IoT::Certificate::Id': 'missing',
    });
    await expect(applyPlan(plan, registry)).rejects.toMatchObject({ code: 'ResourceNotFound' });
    const named = resolveTemplate({
      Resources: {
        c: { Type: 'AWS::IoT::Certificate', Properties: { CertificateSigningRequest: 'CSR' } },
        p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'Nope' } },
      },
    });
    const error = await applyPlan(named, registry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toMatch(/policy Nope .* does not exist/);
    expect(registry.policyTargets).toEqual([]);
  });

  it('creates a certificate from a CSR with the template status and reuses an existing named policy', async () => {
    const registry = new MemoryRegistry();
    registry.policies.set('Shared', '{}');
    const result = await provisionFromTemplate(
      {
        Parameters: { CSR: { Type: 'String' } },
        Resources: {
          c: {
            Type: 'AWS::IoT::Certificate',
            Properties: { CertificateSigningRequest: { Ref: 'CSR' }, Status: 'INACTIVE' },
          },
          p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'Shared' } },
        },
      },
      { CSR: 'abc' },
      registry,
    );
    expect(registry.certificates.get('csr-3')?.status).toBe('INACTIVE');
    expect(result.resourceArns).toEqual({ c: `${arn}:cert/csr-3`, p: `${arn}:policy/Shared` });
    expect(registry.calls).not.toContain('createPolicy Shared');
  });

  it('wraps registry failures into TemplateError with the cause in the message', async () => {
    const registry = new MemoryRegistry();
    registry.createThing = async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };
    const error = await provisionFromTemplate(
      { Resources: { t: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'x' } } } },
      {},
      registry,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toContain('Rate exceeded');
  });
});
