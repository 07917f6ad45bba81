import type { ParsedCertificate } from '../../pki/index.js';
import type { IotArns } from './arn.js';
import { RegistryEvents } from './events.js';
import { randomUuid } from './ids.js';
import type { RecordStamp } from './records.js';

/** What every store of the registry shares: ARNs, the clock, the list order and the change events. */
export class StoreContext {
  readonly events = new RegistryEvents();
  /** The last sequence number handed out (saved with the registry). */
  sequence = 0;

  constructor(
    readonly arns: IotArns,
    readonly now: () => number,
  ) {}

  /** The next ordering key for pagination. */
  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /** Tells persistence that something changed. */
  changed(): void {
    this.events.emit('changed', {});
  }

  /** The stamp of a new certificate or CA-certificate record: now, version 1, its validity. */
  newRecordStamp(certificate: ParsedCertificate): RecordStamp {
    const now = this.now();
    return {
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: randomUuid(),
      validity: { notBefore: certificate.notBefore.getTime(), notAfter: certificate.notAfter.getTime() },
      sequence: this.nextSequence(),
    };
  }

  /** Marks a certificate or CA-certificate record as modified: a new version and generation. */
  touch(record: Pick<RecordStamp, 'lastModifiedDate' | 'customerVersion' | 'generationId'>): void {
    record.lastModifiedDate = this.now();
    record.customerVersion += 1;
    record.generationId = randomUuid();
  }
}
