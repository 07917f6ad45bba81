import { ListRoleAliasesCommand } from '@aws-sdk/client-iot';
import { expect } from 'vitest';
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
    afterCleanup: async ({ scenario, devices, iot }) => {
      expect(scenario.variant).toBe('role-alias-credentials');
      expect(scenario.apiCalls['iot:AssumeRoleWithCertificate']?.calls).toBe(devices);
      expect(scenario.phases['fetch-role-credentials']?.histogram.count).toBe(devices);
      // The exchange went over each device's field link: one more TLS handshake per device than its MQTT connects.
      const connects = scenario.apiCalls['mqtt:Connect']?.calls ?? 0;
      expect(scenario.traffic?.device?.tlsHandshakes.total).toBeGreaterThanOrEqual(connects + devices);
      expect((await iot.send(new ListRoleAliasesCommand({}))).roleAliases).toEqual([]);
    },
  },
);
