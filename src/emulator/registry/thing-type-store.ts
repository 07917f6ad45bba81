import { alreadyExists, invalidRequest, notFound } from './errors.js';
import { randomUuid } from './ids.js';
import type { ListRequest, Page } from './pagination.js';
import { RecordTable } from './record-table.js';
import type { ThingTypeRecord } from './records.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

/** CreateThingType's thingTypeProperties. */
export interface ThingTypeInput {
  thingTypeName: string;
  description?: string;
  searchableAttributes?: string[];
  mqtt5Configuration?: unknown;
}

/** AWS: "Before you can delete a thing type, wait for five minutes after you deprecate it." */
export const THING_TYPE_DELETION_WAIT_MS = 5 * 60 * 1000;

/** At most 3 searchable attributes per thing type (AWS IoT developer guide, thing types). */
export const MAX_SEARCHABLE_ATTRIBUTES = 3;

const sameProperties = (record: ThingTypeRecord, input: ThingTypeInput): boolean =>
  record.description === input.description &&
  JSON.stringify(record.searchableAttributes ?? []) === JSON.stringify(input.searchableAttributes ?? []) &&
  JSON.stringify(record.mqtt5Configuration ?? null) === JSON.stringify(input.mqtt5Configuration ?? null);

/** Thing types: create, deprecate (and undo), delete once deprecated long enough and unused. */
export class ThingTypeStore {
  readonly records = new RecordTable<ThingTypeRecord>({
    missing: (thingTypeName) =>
      notFound(`Thing type ${thingTypeName} does not exist: create it (CreateThingType) first`),
  });

  /** `inUse(name)`: whether a thing still has this type. */
  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly deletionWaitMs: number,
    private readonly inUse: (thingTypeName: string) => boolean,
  ) {}

  /** CreateThingType: idempotent for the same properties, ResourceAlreadyExists otherwise. */
  create(input: ThingTypeInput): ThingTypeRecord {
    const searchable = input.searchableAttributes;
    if (searchable && searchable.length > MAX_SEARCHABLE_ATTRIBUTES) {
      throw invalidRequest(
        `A thing type may have at most ${MAX_SEARCHABLE_ATTRIBUTES} searchable attributes, got ${searchable.length}`,
      );
    }
    const existing = this.records.get(input.thingTypeName);
    if (existing) {
      if (sameProperties(existing, input)) return existing;
      throw alreadyExists(
        `Thing type ${input.thingTypeName} already exists in account with different properties`,
        existing.thingTypeId,
        existing.thingTypeArn,
      );
    }
    const record: ThingTypeRecord = {
      thingTypeName: input.thingTypeName,
      thingTypeId: randomUuid(),
      thingTypeArn: this.context.arns.thingType(input.thingTypeName),
      description: input.description,
      searchableAttributes: searchable ? [...searchable] : undefined,
      mqtt5Configuration: input.mqtt5Configuration,
      deprecated: false,
      creationDate: this.context.now(),
      sequence: this.context.nextSequence(),
    };
    this.records.set(input.thingTypeName, record);
    this.context.changed();
    return record;
  }

  /** DeprecateThingType, or with `undo` UndoDeprecate: the type takes new things again. */
  deprecate(thingTypeName: string, undo = false): ThingTypeRecord {
    const record = this.records.require(thingTypeName);
    if (undo) {
      record.deprecated = false;
      delete record.deprecationDate;
    } else if (!record.deprecated) {
      record.deprecated = true;
      record.deprecationDate = this.context.now();
    }
    this.context.changed();
    return record;
  }

  /**
   * UpdateThingType: only `mqtt5Configuration` changes (AWS: "you can only update
   * mqtt5Configuration"); a deprecated type may be updated too (AWS documents no refusal).
   */
  updateMqtt5Configuration(thingTypeName: string, mqtt5Configuration: unknown): ThingTypeRecord {
    const record = this.records.require(thingTypeName);
    if (mqtt5Configuration !== undefined) record.mqtt5Configuration = mqtt5Configuration;
    this.context.changed();
    return record;
  }

  /** The type a thing is to get (CreateThing, UpdateThing): it must exist and not be deprecated. */
  requireAssignable(thingTypeName: string, change: 'create' | 'update'): ThingTypeRecord {
    const record = this.records.require(thingTypeName);
    if (record.deprecated) {
      // AWS's own wording, spelling included.
      throw invalidRequest(
        change === 'create'
          ? `Can not create new thing with depreated thing type:${thingTypeName}`
          : `Can not update a thing to use deprecated thing type: ${thingTypeName}`,
      );
    }
    return record;
  }

  /** DeleteThingType: only a deprecated type, once the wait is over, with no things left. */
  delete(thingTypeName: string): void {
    const record = this.records.require(thingTypeName);
    if (!record.deprecated || record.deprecationDate === undefined) {
      throw invalidRequest(
        `Thing type ${thingTypeName} is not deprecated: deprecate it (DeprecateThingType) before deleting it`,
      );
    }
    const allowedAt = record.deprecationDate + this.deletionWaitMs;
    if (this.context.now() < allowedAt) {
      throw invalidRequest(
        `Thing type ${thingTypeName} was deprecated less than ${Math.round(this.deletionWaitMs / 1000)} seconds ago: delete it after ${new Date(allowedAt).toISOString()}`,
      );
    }
    if (this.inUse(thingTypeName)) {
      throw invalidRequest(
        `Thing type ${thingTypeName} is still associated with things: change or remove their type (UpdateThing) first`,
      );
    }
    this.records.delete(thingTypeName);
    this.tags.forget(record.thingTypeArn);
    this.context.changed();
  }

  /** ListThingTypes: oldest first; `thingTypeName` narrows the list to that type. */
  list(request: ListRequest & { thingTypeName?: string }): Page<ThingTypeRecord> {
    const name = request.thingTypeName;
    return this.records.page(request, name === undefined ? undefined : (r) => r.thingTypeName === name);
  }

  load(records: ThingTypeRecord[]): void {
    for (const record of records) this.records.set(record.thingTypeName, record);
  }
}
