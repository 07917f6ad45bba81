import { describe, expect, it } from 'vitest';
import { quotaOverridesOf, quotaTableOf } from '../../src/cli/account-options.js';
import { projectFleet } from '../../src/metrics/projection.js';
import { applyQuotaOverrides, defaultQuotaTable } from '../../src/quotas/aws-default-quotas.js';

const PRE_ISSUED = { CreateKeysAndCertificate: 1, CreateThing: 1, AttachPolicy: 1, AttachThingPrincipal: 1 };

describe('time-to-fleet projection under the account’s own quotas', () => {
  it('moves the bottleneck when CreateKeysAndCertificate is raised to 50 TPS', () => {
    const aws = projectFleet(PRE_ISSUED, defaultQuotaTable());
    expect(aws).toMatchObject({ bottleneckApi: 'CreateKeysAndCertificate', devicesPerSecondLimit: 10 });
    const raised = applyQuotaOverrides(defaultQuotaTable(), {
      controlPlaneTps: { CreateKeysAndCertificate: 50 },
    });
    const own = projectFleet(PRE_ISSUED, raised);
    expect(own).toMatchObject({ bottleneckApi: 'AttachPolicy', devicesPerSecondLimit: 15 });
    expect(own.fleets.at(-1)?.seconds).toBeCloseTo(1_000_000 / 15, 6);
    expect(quotaOverridesOf(raised)).toEqual([
      { quota: 'CreateKeysAndCertificate', value: 50, awsDefault: 10 },
    ]);
    expect(quotaOverridesOf(defaultQuotaTable())).toEqual([]);
  });

  it('rebuilds the table a run used from its result.json overrides (provbench merge projects with it)', () => {
    const own = applyQuotaOverrides(defaultQuotaTable(), {
      controlPlaneTps: { CreateKeysAndCertificate: 50 },
      limits: { connectsPerSecond: 1000 },
    });
    expect(quotaTableOf(quotaOverridesOf(own))).toEqual(own);
  });
});
