import { describe, expect, it } from 'vitest';
import { IotRegistry, type RegistrySnapshot } from '../../../src/emulator/registry/index.js';
import { parseCertificatePem } from '../../../src/pki/index.js';
import { createTestCa } from '../../support/byo-ca.js';

const POLICY = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });
const OPTIONS = { region: 'eu-west-1', accountId: '210987654321' };

function saved(registry: IotRegistry): RegistrySnapshot {
  return JSON.parse(JSON.stringify(registry.toSnapshot())) as RegistrySnapshot;
}

/** A registry holding every kind of resource and both kinds of attachment. */
async function populated(): Promise<IotRegistry> {
  let clock = 1_700_000_000_000;
  const registry = new IotRegistry({ ...OPTIONS, now: () => (clock += 1000) });
  const ca = await createTestCa();
  registry.getRegistrationCode();
  registry.createProvisioningTemplate({
    templateName: 'jitp',
    templateBody: '{"Resources":{}}',
    enabled: true,
    provisioningRoleArn: 'arn:aws:iam::210987654321:role/provision',
    type: 'JITP',
  });
  const caRecord = registry.addCaCertificate({
    certificate: parseCertificatePem(ca.certificatePem),
    status: 'ACTIVE',
    autoRegistrationStatus: 'ENABLE',
    registrationConfig: { templateName: 'jitp' },
    certificateMode: 'DEFAULT',
  });
  const devices = [];
  for (const name of ['meter-1', 'meter-2']) {
    const { certificate } = await ca.deviceCertificate(name);
    devices.push(registry.registerPendingActivation(certificate, caRecord));
    registry.createThing({ thingName: name, attributes: { site: 'north' } });
  }
  registry.updateCertificateStatus(devices[0]!.certificateId, 'ACTIVE', { internal: true });
  registry.createPolicy('device', POLICY);
  registry.attachPolicy('device', devices[0]!.certificateArn);
  registry.attachPolicy('device', devices[1]!.certificateArn);
  registry.attachThingPrincipal('meter-1', devices[0]!.certificateArn);
  registry.attachThingPrincipal('meter-2', devices[0]!.certificateArn);
  registry.createTopicRule({
    ruleName: 'telemetry',
    sql: "SELECT * FROM 'dt/#'",
    ruleDisabled: false,
    actions: [],
  });
  registry.tagResource(registry.arns.thing('meter-1'), { run: 'r1' });
  registry.tagResource(devices[1]!.certificateArn, { run: 'r1', owner: 'ops' });
  return registry;
}

describe('registry snapshots', () => {
  it('round-trip every resource kind, attachment, tag, the code and the endpoint', async () => {
    const original = await populated();
    const snapshot = saved(original);
    const restored = new IotRegistry(OPTIONS);
    restored.loadSnapshot(snapshot);
    expect(saved(restored)).toEqual(snapshot);

    expect(snapshot.certificates).toHaveLength(2);
    expect(snapshot.thingPrincipals).toHaveLength(2);
    expect(snapshot.policyTargets).toHaveLength(2);
    const [first, second] = snapshot.certificates;
    expect(restored.endpointAddress('iot:Data-ATS')).toBe(original.endpointAddress('iot:Data-ATS'));
    expect(restored.currentRegistrationCode()).toBe(original.currentRegistrationCode());
    expect(restored.thingsForCertificate(first!.certificateId).map((thing) => thing.thingName)).toEqual([
      'meter-1',
      'meter-2',
    ]);
    expect(restored.listTargetsForPolicy('device').items).toEqual([
      first!.certificateArn,
      second!.certificateArn,
    ]);
    expect(restored.listTagsForResource(second!.certificateArn)).toEqual({ run: 'r1', owner: 'ops' });
    expect(restored.findCaCertificatesBySubject(snapshot.caCertificates[0]!.subjectName)).toHaveLength(1);
    // The sequence goes on from where it was: a new thing lists after the restored ones.
    restored.createThing({ thingName: 'meter-3' });
    expect(restored.listThings({}).items.map((thing) => thing.thingName)).toEqual([
      'meter-1',
      'meter-2',
      'meter-3',
    ]);
    expect(() => new IotRegistry({ ...OPTIONS, region: 'us-east-1' }).loadSnapshot(snapshot)).toThrow(
      /another --state-dir/,
    );
  });

  it('keep the registry rules after a restore', async () => {
    const restored = new IotRegistry(OPTIONS);
    restored.loadSnapshot(saved(await populated()));
    const [active] = restored.listCertificates({ ascendingOrder: true }).items;
    expect(() => restored.deletePolicy('device')).toThrow(/attached/);
    expect(() => restored.deleteThing('meter-1')).toThrow(/still attached/);
    expect(() => restored.deleteProvisioningTemplate('jitp')).toThrow(/used by CA certificate/);
    expect(() => restored.deleteCertificate(active!.certificateId)).toThrow(/ACTIVE/);
  });
});
