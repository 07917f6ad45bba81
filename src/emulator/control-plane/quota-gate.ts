import type { QuotaTable } from '../../quotas/aws-default-quotas.js';
import { TokenBucket } from '../rate-limiter.js';

/** Operations that also count against "device certificates registered per second". */
const DEVICE_CERTIFICATE_REGISTRATIONS = new Set(['RegisterCertificate', 'RegisterCertificateWithoutCA']);

/**
 * AWS's per-account TPS quotas as token buckets, one per API, plus the shared device
 * certificate registration bucket (RegisterCertificate here; JITR/JITP in the data plane).
 */
export class QuotaGate {
  private readonly buckets = new Map<string, TokenBucket>();
  readonly deviceCertificateRegistrations: TokenBucket;

  constructor(
    readonly table: QuotaTable,
    now?: () => number,
  ) {
    for (const [operation, tps] of Object.entries(table.controlPlaneTps)) {
      this.buckets.set(operation, new TokenBucket(tps, undefined, now));
    }
    this.deviceCertificateRegistrations = new TokenBucket(
      table.limits.deviceCertificateRegistrationsPerSecond,
      undefined,
      now,
    );
  }

  /** False when the call is over quota (answer ThrottlingException "Rate exceeded"). */
  admit(operation: string): boolean {
    const bucket = this.buckets.get(operation);
    if (bucket && !bucket.tryTake()) return false;
    if (DEVICE_CERTIFICATE_REGISTRATIONS.has(operation) && !this.deviceCertificateRegistrations.tryTake())
      return false;
    return true;
  }
}
