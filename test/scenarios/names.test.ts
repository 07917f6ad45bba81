import { describe, expect, it } from 'vitest';
import {
  kryptonThingNamePattern,
  resourceName,
  runDescription,
  templateName,
} from '../../scenarios/lib/names.js';

const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;

describe('resource names carry the run id', () => {
  const ctx = { runId: 'pb20261204-172207-ab12', scenarioId: 'fleet-provisioning' };

  it('policies, rules and client ids start with the run id', () => {
    expect(resourceName(ctx, 'device')).toBe('pb20261204-172207-ab12-fleet-provisioning-device');
    expect(resourceName({ runId: 'x'.repeat(48), scenarioId: 'y'.repeat(100) }, 'claim')).toHaveLength(128);
  });

  it('a template is <run id>-<purpose> when that fits its 36 characters, else a short tag', () => {
    expect(templateName(ctx, 'fleet')).toBe('pb20261204-172207-ab12-fleet');
    const long = templateName(
      { runId: 'a-run-id-of-the-longest-length-allowed-here-1234', scenarioId: 's' },
      'fleet',
    );
    expect(long).toMatch(TEMPLATE_NAME);
    expect(long).toMatch(/^pb-[0-9a-f]{10}-fleet$/);
    // Two long run ids still get different templates.
    expect(templateName({ runId: `${'b'.repeat(47)}1`, scenarioId: 's' }, 'fleet')).not.toBe(
      templateName({ runId: `${'b'.repeat(47)}2`, scenarioId: 's' }, 'fleet'),
    );
    expect(runDescription(ctx)).toContain(ctx.runId);
  });

  it("krypton's things are <run id>-<imsi>", () => {
    expect(kryptonThingNamePattern(ctx).replaceAll('$imsi', '001010123456789')).toBe(
      'pb20261204-172207-ab12-001010123456789',
    );
  });
});
