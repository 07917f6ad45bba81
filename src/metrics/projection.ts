import type { AccountLimitName, QuotaTable } from '../quotas/aws-default-quotas.js';
import type { ApiCallTally } from './tallies.js';

/**
 * Names for data-plane operations a scenario counts with `ctx.call(name, ...)`, mapped to the
 * account limit that caps them. Use these names so the projection sees them; other names
 * (e.g. `krypton:Bootstrap`) are counted but have no AWS quota.
 */
export const DATA_PLANE_LIMITS: Readonly<Record<string, AccountLimitName>> = {
  'mqtt:Connect': 'connectsPerSecond',
  'mqtt:Subscribe': 'subscriptionsPerSecond',
  /** Fleet provisioning over MQTT ($aws/certificates/..., $aws/provisioning-templates/...). */
  'mqtt:CreateKeysAndCertificate': 'fleetCreateKeysAndCertificatePerSecond',
  'mqtt:CreateCertificateFromCsr': 'fleetCreateCertificateFromCsrPerSecond',
  'mqtt:RegisterThing': 'fleetRegisterThingPerSecond',
  /** A certificate registered on first connect (JITR/JITP), if a scenario counts it. */
  'iot:DeviceCertificateRegistration': 'deviceCertificateRegistrationsPerSecond',
  /** Credentials provider: a device's GET /role-aliases/<alias>/credentials. */
  'iot:AssumeRoleWithCertificate': 'assumeRoleWithCertificatePerSecond',
};

export const PROJECTED_FLEETS = [10_000, 100_000, 1_000_000] as const;

export interface FleetProjection {
  bottleneckApi: string | null;
  devicesPerSecondLimit: number | null;
  fleets: Array<{ devices: number; seconds: number }>;
}

/** The per-second cap that quotas put on `api`, or null when none applies. */
export function quotaFor(api: string, quotas: QuotaTable): number | null {
  const tps = quotas.controlPlaneTps[api];
  if (tps !== undefined) return tps;
  const limit = DATA_PLANE_LIMITS[api];
  return limit ? quotas.limits[limit] : null;
}

/**
 * Time to provision whole fleets under the quota table: each API allows quota / (calls per
 * device) devices per second; the smallest is the bottleneck. `perDevice` is calls per device.
 * Fleets are projected at that steady rate (once-per-run setup is negligible at fleet scale).
 */
export function projectFleet(perDevice: Record<string, number>, quotas: QuotaTable): FleetProjection {
  let bottleneckApi: string | null = null;
  let devicesPerSecondLimit: number | null = null;
  for (const [api, calls] of Object.entries(perDevice).sort(([a], [b]) => a.localeCompare(b))) {
    const quota = quotaFor(api, quotas);
    if (quota === null || calls <= 0) continue;
    const limit = quota / calls;
    if (devicesPerSecondLimit === null || limit < devicesPerSecondLimit) {
      devicesPerSecondLimit = limit;
      bottleneckApi = api;
    }
  }
  return {
    bottleneckApi,
    devicesPerSecondLimit,
    fleets: PROJECTED_FLEETS.map((devices) => ({
      devices,
      seconds: devicesPerSecondLimit === null ? 0 : devices / devicesPerSecondLimit,
    })),
  };
}

/** Logical calls per device from measured tallies (retries excluded: a run paced to the quota does not retry). */
export function callsPerDevice(
  tallies: Record<string, ApiCallTally>,
  devices: number,
): Record<string, number> {
  if (devices <= 0) return {};
  return Object.fromEntries(Object.entries(tallies).map(([api, tally]) => [api, tally.calls / devices]));
}

/** Per API, the larger of measured and declared calls per device (see Scenario.apiPlan). */
export function projectionInput(
  measured: Record<string, number>,
  planned: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const combined = { ...measured };
  for (const [api, calls] of Object.entries(planned ?? {}))
    combined[api] = Math.max(combined[api] ?? 0, calls);
  return combined;
}
