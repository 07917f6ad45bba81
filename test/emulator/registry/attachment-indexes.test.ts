import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IotRegistry } from '../../../src/emulator/registry/index.js';
import { EmulatorPki } from '../../../src/pki/index.js';

const POLICY = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });
let pki: EmulatorPki;

beforeAll(async () => {
  pki = await EmulatorPki.open({ keyPoolSize: 0, deviceKeyAlgorithm: 'ec-p256' });
});

afterAll(async () => {
  await pki?.close();
});

async function deviceIn(registry: IotRegistry, thingName: string) {
  const { certificate } = await pki.createKeysAndCertificate();
  const record = registry.addCertificate({ certificate, status: 'ACTIVE', origin: 'keys-and-certificate' });
  registry.createThing({ thingName });
  return record;
}

describe('registry attachment indexes', () => {
  it('hold nothing once every thing principal and policy is detached, and the resources delete', async () => {
    const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    registry.createPolicy('shared', POLICY);
    registry.createPolicy('extra', POLICY);
    const devices = [];
    for (let i = 0; i < 3; i += 1) {
      const certificate = await deviceIn(registry, `thing-${i}`);
      const principal = certificate.certificateArn;
      registry.attachPolicy('shared', principal);
      registry.attachPolicy('extra', principal);
      registry.attachThingPrincipal(`thing-${i}`, principal);
      registry.attachThingPrincipal('thing-0', principal);
      devices.push(certificate);
    }
    expect(registry.listThingPrincipals('thing-0').items).toHaveLength(3);
    expect(registry.listTargetsForPolicy('shared').items).toHaveLength(3);
    expect(registry.thingsForCertificate(devices[1]!.certificateId).map((t) => t.thingName)).toEqual([
      'thing-1',
      'thing-0',
    ]);
    expect(registry.policiesForCertificate(devices[2]!.certificateId).map((p) => p.policyName)).toEqual([
      'shared',
      'extra',
    ]);

    devices.forEach((certificate, i) => {
      registry.detachThingPrincipal(`thing-${i}`, certificate.certificateArn);
      registry.detachThingPrincipal('thing-0', certificate.certificateArn);
      registry.detachPolicy('shared', certificate.certificateArn);
      registry.detachPolicy('extra', certificate.certificateArn);
    });
    const snapshot = registry.toSnapshot();
    expect(snapshot.thingPrincipals).toEqual([]);
    expect(snapshot.policyTargets).toEqual([]);
    expect(registry.listTargetsForPolicy('shared').items).toEqual([]);
    devices.forEach((certificate, i) => {
      expect(registry.listPrincipalThings(certificate.certificateArn).items).toEqual([]);
      registry.updateCertificateStatus(certificate.certificateId, 'INACTIVE');
      registry.deleteCertificate(certificate.certificateId);
      registry.deleteThing(`thing-${i}`);
    });
    registry.deletePolicy('shared');
    registry.deletePolicy('extra');
    expect(registry.listThings({}).items).toEqual([]);
  });

  it('forgets a certificate in every index when it is force-deleted or removed', async () => {
    const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    registry.createPolicy('shared', POLICY);
    const forced = await deviceIn(registry, 'forced');
    const removed = await deviceIn(registry, 'removed');
    registry.attachPolicy('shared', forced.certificateArn);
    registry.attachPolicy('shared', removed.certificateArn);
    registry.attachThingPrincipal('removed', removed.certificateArn);
    registry.updateCertificateStatus(forced.certificateId, 'INACTIVE');
    registry.deleteCertificate(forced.certificateId, true);
    registry.removeCertificate(removed.certificateId);
    const snapshot = registry.toSnapshot();
    expect(snapshot.thingPrincipals).toEqual([]);
    expect(snapshot.policyTargets).toEqual([]);
    registry.deleteThing('removed');
    registry.deletePolicy('shared');
  });

  it('restores the indexes from a snapshot', async () => {
    const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    registry.createPolicy('shared', POLICY);
    const certificate = await deviceIn(registry, 'saved');
    registry.attachPolicy('shared', certificate.certificateArn);
    registry.attachThingPrincipal('saved', certificate.certificateArn);
    const restored = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    restored.loadSnapshot(JSON.parse(JSON.stringify(registry.toSnapshot())));
    expect(restored.thingsForCertificate(certificate.certificateId).map((t) => t.thingName)).toEqual([
      'saved',
    ]);
    expect(restored.policiesForCertificate(certificate.certificateId).map((p) => p.policyName)).toEqual([
      'shared',
    ]);
    expect(restored.describeThing('saved').thingId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
