import { alreadyExists, IotError, invalidRequest, notFound } from './errors.js';
import { RecordTable } from './record-table.js';
import type { ProvisioningHook, ProvisioningTemplateRecord } from './records.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

/** CreateProvisioningTemplate's input: the record but for what the registry sets. */
export type TemplateInput = Omit<
  ProvisioningTemplateRecord,
  'templateArn' | 'defaultVersionId' | 'creationDate' | 'lastModifiedDate' | 'sequence'
>;

export interface TemplateUpdate {
  description?: string;
  enabled?: boolean;
  defaultVersionId?: number;
  provisioningRoleArn?: string;
  preProvisioningHook?: ProvisioningHook;
  removePreProvisioningHook?: boolean;
}

const HOOK_ON_JITP = 'A pre-provisioning hook is only allowed on FLEET_PROVISIONING templates';

/** Provisioning templates (fleet provisioning and JITP). */
export class TemplateStore {
  readonly records = new RecordTable<ProvisioningTemplateRecord>({
    missing: (templateName) => notFound(`The provisioning template ${templateName} does not exist`),
  });

  /** `usedBy(templateName)`: the ID of a CA certificate whose auto-registration uses the template. */
  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly limit: number,
    private readonly usedBy: (templateName: string) => string | undefined,
  ) {}

  create(input: TemplateInput): ProvisioningTemplateRecord {
    const existing = this.records.get(input.templateName);
    if (existing) {
      throw alreadyExists(
        `Template ${input.templateName} already exists`,
        input.templateName,
        existing.templateArn,
      );
    }
    if (this.records.size >= this.limit) {
      throw new IotError(
        'LimitExceededException',
        `At most ${this.limit} provisioning templates per account: delete one first`,
      );
    }
    if (input.type === 'JITP' && input.preProvisioningHook) throw invalidRequest(HOOK_ON_JITP);
    const now = this.context.now();
    const record: ProvisioningTemplateRecord = {
      ...input,
      templateArn: this.context.arns.provisioningTemplate(input.templateName),
      defaultVersionId: 1,
      creationDate: now,
      lastModifiedDate: now,
      sequence: this.context.nextSequence(),
    };
    this.records.set(input.templateName, record);
    this.context.changed();
    return record;
  }

  update(templateName: string, update: TemplateUpdate): ProvisioningTemplateRecord {
    const record = this.records.require(templateName);
    if (update.defaultVersionId !== undefined && update.defaultVersionId !== record.defaultVersionId) {
      throw invalidRequest(
        `Template ${templateName} has only version ${record.defaultVersionId}; the emulator keeps one version`,
      );
    }
    if (update.preProvisioningHook && record.type === 'JITP') throw invalidRequest(HOOK_ON_JITP);
    if (update.description !== undefined) record.description = update.description;
    if (update.enabled !== undefined) record.enabled = update.enabled;
    if (update.provisioningRoleArn !== undefined) record.provisioningRoleArn = update.provisioningRoleArn;
    if (update.preProvisioningHook) record.preProvisioningHook = update.preProvisioningHook;
    if (update.removePreProvisioningHook) delete record.preProvisioningHook;
    record.lastModifiedDate = this.context.now();
    this.context.changed();
    return record;
  }

  /** DeleteProvisioningTemplate: refused while a CA's auto-registration uses the template. */
  delete(templateName: string): void {
    const record = this.records.require(templateName);
    const caCertificateId = this.usedBy(templateName);
    if (caCertificateId !== undefined) {
      throw new IotError(
        'DeleteConflictException',
        `Template ${templateName} is used by CA certificate ${caCertificateId}: remove it from the CA (UpdateCACertificate removeAutoRegistration) first`,
      );
    }
    this.records.delete(templateName);
    this.tags.forget(record.templateArn);
    this.context.changed();
  }

  load(records: ProvisioningTemplateRecord[]): void {
    for (const record of records) this.records.set(record.templateName, record);
  }
}
