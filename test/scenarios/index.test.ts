import { describe, expect, it } from 'vitest';
import { fleetTemplateBody } from '../../scenarios/fleet-provisioning.js';
import { builtInScenarios } from '../../scenarios/index.js';
import { jitpTemplateBody } from '../../scenarios/jitp.js';
import { loadScenario, resolveScenarios } from '../../src/engine/scenario-loader.js';
import { ScenarioFacts } from '../../src/metrics/result-schema.js';

describe('built-in scenario index', () => {
  it('lists the six patterns in the order of docs/design.md, each loadable by id from its own file', async () => {
    expect(Object.keys(builtInScenarios)).toEqual([
      'pre-issued',
      'byo-ca',
      'jitr',
      'krypton',
      'jitp',
      'fleet-provisioning',
    ]);
    const refs = resolveScenarios('all');
    expect(refs.map((ref) => ref.id)).toEqual(Object.keys(builtInScenarios));
    for (const ref of refs) {
      const loaded = await loadScenario(ref.moduleUrl);
      expect(loaded.id).toBe(ref.id);
      expect(loaded).toBe(builtInScenarios[ref.id as keyof typeof builtInScenarios]);
    }
  });

  it('declares valid facts that tell the patterns apart', () => {
    for (const scenario of Object.values(builtInScenarios)) {
      expect(ScenarioFacts.safeParse(scenario.facts).success, scenario.id).toBe(true);
    }
    const { krypton, jitr, 'pre-issued': preIssued, 'fleet-provisioning': fleet } = builtInScenarios;
    expect(krypton.facts.secretsAtManufacturing).toEqual([]);
    expect(krypton.facts.factorySteps).toEqual([]);
    expect(preIssued.facts.secretsAtManufacturing.length).toBeGreaterThan(0);
    expect(jitr.facts.caToOperate).toBe(true);
    expect(jitr.facts.cloudCompute).not.toBeNull();
    expect(fleet.facts.secretsAtManufacturing.join(' ')).toMatch(/claim/);
  });

  it('declares the variants the brief asks for, default first', () => {
    expect(builtInScenarios.krypton.variants).toEqual(['cellular', 'sim-auth']);
    expect(builtInScenarios['fleet-provisioning'].variants).toEqual([
      'create-keys',
      'create-from-csr',
      'thing-type-and-group',
      'role-alias-credentials',
    ]);
    expect(builtInScenarios.jitp.variants).toEqual([
      'plain',
      'thing-type-and-group',
      'role-alias-credentials',
    ]);
  });

  it('builds templates that name the thing from the certificate or a parameter and the policy by name', () => {
    const jitp = JSON.parse(jitpTemplateBody('pol-1'));
    expect(jitp.Resources.thing.Properties.ThingName).toEqual({ Ref: 'AWS::IoT::Certificate::CommonName' });
    expect(jitp.Resources.certificate.Properties.CertificateId).toEqual({ Ref: 'AWS::IoT::Certificate::Id' });
    expect(jitp.Resources.policy.Properties.PolicyName).toBe('pol-1');
    const fleet = JSON.parse(fleetTemplateBody('pol-2'));
    expect(fleet.Resources.thing.Properties.ThingName).toEqual({ Ref: 'SerialNumber' });
    expect(fleet.Resources.policy.Properties.PolicyName).toBe('pol-2');
    expect(fleet.Resources.thing.Properties.ThingTypeName).toBeUndefined();
    const classification = { thingTypeName: 'run-type', thingGroupName: 'run-group' };
    for (const body of [jitpTemplateBody('p', classification), fleetTemplateBody('p', classification)]) {
      const thing = JSON.parse(body).Resources.thing.Properties;
      expect(thing.ThingTypeName).toBe('run-type');
      expect(thing.ThingGroups).toEqual(['run-group']);
    }
  });
});
