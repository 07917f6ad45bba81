import { ListRoleAliasesCommand } from '@aws-sdk/client-iot';
import { expect } from 'vitest';
import { templateVariant } from '../../scenarios/lib/template-variants.js';
import { readLedger } from '../../src/targets/ledger.js';
import { describeEndToEnd } from '../support/e2e-suite.js';

/**
 * The role-alias-credentials variants end to end on the embedded target: every device connects,
 * then exchanges its certificate for credentials through the run's role alias; cleanup removes
 * the alias.
 */
describeEndToEnd(
  'role-alias-credentials variants end to end on the embedded target',
  ['fleet-provisioning:role-alias-credentials', 'jitp:role-alias-credentials'],
  {
    devices: 6,
    concurrency: 3,
    seed: 11,
    checks: 'every device gets credentials through the role alias, cleanup removes the alias',
    afterCleanup: async ({ scenario, devices, iot, ledgerPath }) => {
      expect(scenario.variant).toBe('role-alias-credentials');
      expect(scenario.apiCalls['iot:AssumeRoleWithCertificate']?.calls).toBe(devices);
      expect(scenario.phases['fetch-role-credentials']?.histogram.count).toBe(devices);
      // The exchange went over each device's field link: one more TLS handshake per device than its MQTT connects.
      const connects = scenario.apiCalls['mqtt:Connect']?.calls ?? 0;
      expect(scenario.traffic?.device?.tlsHandshakes.total).toBeGreaterThanOrEqual(connects + devices);
      expect((await iot.send(new ListRoleAliasesCommand({}))).roleAliases).toEqual([]);
      // The ledger has the kinds the variant declares, all deleted, and none of the other variant's.
      const entries = readLedger(ledgerPath);
      for (const kind of templateVariant('role-alias-credentials').ledgerKinds) {
        const ofKind = entries.filter((entry) => entry.resource.kind === kind);
        expect(ofKind.length, kind).toBeGreaterThan(0);
        expect(ofKind.every((entry) => entry.deleted)).toBe(true);
      }
      for (const kind of templateVariant('thing-type-and-group').ledgerKinds) {
        expect(entries.filter((entry) => entry.resource.kind === kind)).toEqual([]);
      }
    },
  },
);
