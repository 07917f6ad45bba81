import { describe, expect, it } from 'vitest';
import { applyQuotaOverrides, defaultQuotaTable } from '../../src/quotas/aws-default-quotas.js';

describe('quota table', () => {
  it('overrides a known API and leaves the defaults untouched', () => {
    const base = defaultQuotaTable();
    const table = applyQuotaOverrides(base, { controlPlaneTps: { CreateThing: 250 } });
    expect(table.controlPlaneTps.CreateThing).toBe(250);
    expect(base.controlPlaneTps.CreateThing).toBe(100);
    expect(table.controlPlaneTps.CreateKeysAndCertificate).toBe(10);
  });

  it('rejects unknown names and non-positive values with a message naming them', () => {
    const base = defaultQuotaTable();
    expect(() => applyQuotaOverrides(base, { controlPlaneTps: { CreateThingz: 1 } })).toThrow(/CreateThingz/);
    expect(() => applyQuotaOverrides(base, { limits: { connectsPerSecond: 0 } })).toThrow(/positive/);
    expect(() => applyQuotaOverrides(base, { other: {} })).toThrow(/unknown quota section/);
    expect(() => applyQuotaOverrides(base, [])).toThrow(/JSON object/);
  });
});
