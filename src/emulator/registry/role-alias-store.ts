import { alreadyExists, IotError, notFound } from './errors.js';
import type { ListRequest, Page } from './pagination.js';
import { RecordTable } from './record-table.js';
import type { RoleAliasRecord } from './records.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

/** CreateRoleAlias's default credentialDurationSeconds (API reference, CreateRoleAlias). */
export const DEFAULT_CREDENTIAL_DURATION_SECONDS = 3600;

export interface RoleAliasUpdate {
  roleArn?: string;
  credentialDurationSeconds?: number;
}

/** Role aliases: the IAM role (and credential lifetime) the credentials provider hands devices. */
export class RoleAliasStore {
  readonly records = new RecordTable<RoleAliasRecord>({
    missing: (roleAlias) =>
      notFound(`Role alias ${roleAlias} does not exist: create it (CreateRoleAlias) first`),
  });

  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly limit: number,
  ) {}

  create(roleAlias: string, roleArn: string, credentialDurationSeconds?: number): RoleAliasRecord {
    const existing = this.records.get(roleAlias);
    if (existing) {
      throw alreadyExists(
        `RoleAlias cannot be created - already exists (name=${roleAlias})`,
        roleAlias,
        existing.roleAliasArn,
      );
    }
    if (this.records.size >= this.limit) {
      throw new IotError(
        'LimitExceededException',
        `The account already has ${this.limit} role aliases, the AWS IoT Core quota: delete one (DeleteRoleAlias) first`,
      );
    }
    const now = this.context.now();
    const record: RoleAliasRecord = {
      roleAlias,
      roleAliasArn: this.context.arns.roleAlias(roleAlias),
      roleArn,
      credentialDurationSeconds: credentialDurationSeconds ?? DEFAULT_CREDENTIAL_DURATION_SECONDS,
      creationDate: now,
      lastModifiedDate: now,
      sequence: this.context.nextSequence(),
    };
    this.records.set(roleAlias, record);
    this.context.changed();
    return record;
  }

  update(roleAlias: string, update: RoleAliasUpdate): RoleAliasRecord {
    const record = this.records.require(roleAlias);
    if (update.roleArn !== undefined) record.roleArn = update.roleArn;
    if (update.credentialDurationSeconds !== undefined) {
      record.credentialDurationSeconds = update.credentialDurationSeconds;
    }
    record.lastModifiedDate = this.context.now();
    this.context.changed();
    return record;
  }

  delete(roleAlias: string): void {
    const record = this.records.require(roleAlias);
    this.records.delete(roleAlias);
    this.tags.forget(record.roleAliasArn);
    this.context.changed();
  }

  /** ListRoleAliases: oldest first unless the request asks otherwise. */
  list(request: Pick<ListRequest, 'pageSize' | 'marker' | 'ascendingOrder'>): Page<RoleAliasRecord> {
    return this.records.page(request);
  }

  load(records: RoleAliasRecord[]): void {
    for (const record of records) this.records.set(record.roleAlias, record);
  }
}
