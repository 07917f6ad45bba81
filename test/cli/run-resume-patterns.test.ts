import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { deviceName } from '../../src/engine/device-share.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { provbench, startProvbench, waitFor } from '../support/provbench-cli.js';
import { registryLeftovers } from '../support/registry-probe.js';
import {
  cutOffDevices,
  journaled,
  journalLines,
  ledgerResources,
  registryResources,
  resultOf,
  resumableRunArgs,
  withSavedState,
} from '../support/resume-run.js';

const DEVICES = 16;

/**
 * Patterns whose devices the registry gets by other routes than pre-issued's (covered with
 * JITR and krypton in run-resume.test.ts): a certificate registered from the customer CA at
 * the factory (byo-ca), a template on the CA at first connect (jitp), and the MQTT
 * provisioning API over a shared claim (fleet-provisioning). What each has besides one thing
 * and one certificate per device.
 */
const PATTERNS = [
  { scenario: 'byo-ca', extraCertificates: 0, templates: 0, cas: 1, policies: 1 },
  { scenario: 'jitp', extraCertificates: 0, templates: 0, cas: 1, policies: 1 },
  // The claim certificate, the fleet template, the device and claim policies.
  { scenario: 'fleet-provisioning', extraCertificates: 1, templates: 1, cas: 0, policies: 2 },
];

describe('provbench run --resume, per provisioning pattern (embedded target)', () => {
  for (const pattern of PATTERNS) {
    it(`${pattern.scenario}: a run killed mid-way and resumed connects every device once and leaves only what its ledger lists`, async () => {
      const out = mkdtempSync(join(tmpdir(), `pb-resume-${pattern.scenario}-`));
      const first = startProvbench(
        resumableRunArgs(out, pattern.scenario, DEVICES, ['--keep-resources']),
        {},
        60_000,
      );
      // Killed while devices are in flight: some finished, at least one has ledger entries only.
      await waitFor(
        () => journalLines(out) >= 4 && cutOffDevices(out).length > 0,
        '4 finished devices and one in flight',
        45_000,
      );
      first.child.kill('SIGKILL');
      expect((await first.finished).signal).toBe('SIGKILL');
      const finishedBefore = journaled(out);
      const cutOff = cutOffDevices(out);
      expect(finishedBefore.size).toBeLessThan(DEVICES);
      expect(cutOff.length).toBeGreaterThan(0);

      const resumed = await provbench(['run', '--resume', out, '--progress', 'off'], {}, 90_000);
      expect(resumed.code, resumed.stderr).toBe(0);

      // The result counts every device once, finished ones from the journal included.
      const result = resultOf(out);
      expect(result.partial).toBe(false);
      expect(result.resumed).toEqual({ times: 1, rerunDevices: cutOff.length });
      const scenario = result.scenarios[0];
      expect(scenario?.summary.devices).toEqual({ requested: DEVICES, succeeded: DEVICES, failed: 0 });
      expect(scenario?.devicesStarted).toBe(DEVICES);
      expect(LatencyHistogram.decode(scenario?.timeToConnected as never).count).toBe(DEVICES);
      expect(scenario?.series.reduce((sum, point) => sum + point.succeeded, 0)).toBe(DEVICES);
      // Connected once each: one publish per device over its own connection, one journal line.
      expect(scenario?.apiCalls['mqtt:Publish']?.calls).toBe(DEVICES);
      expect(journalLines(out)).toBe(DEVICES);
      expect(journaled(out).size).toBe(DEVICES);
      // The resume's setup calls: the cut-off devices' cleanup, counted; prepare was not run again.
      const setupApis = Object.keys(scenario?.setupApiCalls ?? {});
      expect(setupApis.length).toBeGreaterThan(0);
      expect(setupApis.filter((api) => /^(Create|Register)/.test(api))).toEqual([]);

      const names = Array.from({ length: DEVICES }, (_, index) =>
        deviceName(result.runId, pattern.scenario, index),
      ).sort();
      const ledgerPath = join(out, 'ledger.jsonl');
      const listed = ledgerResources(ledgerPath);
      await withSavedState(out, async ({ iot, controlPlaneUrl, region }) => {
        // The registry holds exactly what the ledger lists: the cut-off devices' first
        // certificates and things are gone from both, nothing is left that the ledger forgot.
        const registry = await registryResources(iot);
        expect(registry).toEqual(listed);
        expect(registry.things).toEqual(names);
        expect(registry.certificates).toHaveLength(DEVICES + pattern.extraCertificates);
        expect(registry.caCertificates).toHaveLength(pattern.cas);
        expect(registry.templates).toHaveLength(pattern.templates);
        expect(registry.policies).toHaveLength(pattern.policies);
        for (const thingName of names) {
          const principals = await iot.send(new ListThingPrincipalsCommand({ thingName }));
          expect(principals.principals, thingName).toHaveLength(1);
        }

        // And the ledger's cleanup leaves nothing.
        const cleanup = await provbench(
          ['cleanup', '--ledger', ledgerPath, '--endpoint-url', controlPlaneUrl],
          { AWS_REGION: region },
          60_000,
        );
        expect(cleanup.code, cleanup.stderr).toBe(0);
        expect(await registryLeftovers(iot, listed.policies)).toEqual({
          things: [],
          certificates: [],
          caCertificates: [],
          templates: [],
          policies: [],
        });
      });
    }, 180_000);
  }
});
