import { IotError, notFound } from './errors.js';
import type { StoreContext } from './store-context.js';

/** Tags of every taggable resource, by ARN. */
export class TagStore {
  private readonly tags = new Map<string, Record<string, string>>();

  /** `exists(kind, id)`: whether the resource an ARN of this account names is in the registry. */
  constructor(
    private readonly context: StoreContext,
    private readonly exists: (kind: string, id: string) => boolean,
  ) {}

  private requireResource(arn: string): void {
    const parsed = this.context.arns.parse(arn);
    if (!parsed || !this.exists(parsed.kind, parsed.id)) {
      throw notFound(
        `Resource ${arn} does not exist: pass the ARN of a thing, thing type, thing group, policy, certificate, CA, template, rule or role alias`,
      );
    }
  }

  tagResource(resourceArn: string, tags: Record<string, string>): void {
    this.requireResource(resourceArn);
    const merged = { ...(this.tags.get(resourceArn) ?? {}), ...tags };
    if (Object.keys(merged).length > 50) {
      throw new IotError(
        'LimitExceededException',
        'A resource may have at most 50 tags: remove some (UntagResource) first',
      );
    }
    this.tags.set(resourceArn, merged);
    this.context.changed();
  }

  untagResource(resourceArn: string, tagKeys: string[]): void {
    this.requireResource(resourceArn);
    const current = { ...(this.tags.get(resourceArn) ?? {}) };
    for (const key of tagKeys) delete current[key];
    if (Object.keys(current).length === 0) this.tags.delete(resourceArn);
    else this.tags.set(resourceArn, current);
    this.context.changed();
  }

  listTagsForResource(resourceArn: string): Record<string, string> {
    this.requireResource(resourceArn);
    return { ...(this.tags.get(resourceArn) ?? {}) };
  }

  /** Drops a deleted resource's tags. */
  forget(resourceArn: string): void {
    this.tags.delete(resourceArn);
  }

  entries(): Array<[string, Record<string, string>]> {
    return [...this.tags];
  }

  load(entries: Iterable<[string, Record<string, string>]>): void {
    for (const [arn, tags] of entries) this.tags.set(arn, tags);
  }
}
