import type { IotError } from './errors.js';
import { type ListRequest, type Page, pageOptions, paginate } from './pagination.js';

/**
 * One resource kind's records by name or ID: lookup, the ResourceNotFound a missing one answers,
 * and list pages in the kind's default order.
 */
export class RecordTable<R> {
  private readonly records = new Map<string, R>();

  constructor(
    private readonly options: {
      /** The error for a missing key, saying what to do. */
      missing: (key: string) => IotError;
      /** Lists newest first unless the request asks otherwise (ListCertificates, ListCACertificates). */
      newestFirst?: boolean;
    },
  ) {}

  get size(): number {
    return this.records.size;
  }

  get(key: string): R | undefined {
    return this.records.get(key);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  /** The record, or the kind's ResourceNotFound. */
  require(key: string): R {
    const record = this.records.get(key);
    if (record === undefined) throw this.options.missing(key);
    return record;
  }

  missing(key: string): IotError {
    return this.options.missing(key);
  }

  set(key: string, record: R): void {
    this.records.set(key, record);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  values(): IterableIterator<R> {
    return this.records.values();
  }

  /** One page of the records `keep` accepts (all by default). */
  page<T extends R & { sequence: number }>(
    this: RecordTable<T>,
    request: ListRequest,
    keep?: (record: T) => boolean,
  ): Page<T> {
    const records = keep ? [...this.records.values()].filter(keep) : this.records.values();
    return paginate(records, pageOptions(request, !this.options.newestFirst));
  }
}
