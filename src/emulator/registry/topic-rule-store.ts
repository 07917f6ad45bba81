import { alreadyExists, notFound } from './errors.js';
import { RecordTable } from './record-table.js';
import type { TopicRuleRecord } from './records.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

/** Topic rules (stored for the data plane, not executed). */
export class TopicRuleStore {
  readonly records = new RecordTable<TopicRuleRecord>({
    missing: (ruleName) => notFound(`Rule ${ruleName} does not exist`),
  });

  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
  ) {}

  create(input: Omit<TopicRuleRecord, 'ruleArn' | 'createdAt'>): TopicRuleRecord {
    const existing = this.records.get(input.ruleName);
    if (existing)
      throw alreadyExists(`Rule ${input.ruleName} already exists`, input.ruleName, existing.ruleArn);
    const record: TopicRuleRecord = {
      ...input,
      ruleArn: this.context.arns.topicRule(input.ruleName),
      createdAt: this.context.now(),
    };
    this.records.set(input.ruleName, record);
    this.context.changed();
    return record;
  }

  /** DeleteTopicRule: succeeds for a missing rule. */
  delete(ruleName: string): void {
    const record = this.records.get(ruleName);
    if (!record) return;
    this.records.delete(ruleName);
    this.tags.forget(record.ruleArn);
    this.context.changed();
  }

  load(records: TopicRuleRecord[]): void {
    for (const record of records) this.records.set(record.ruleName, record);
  }
}
