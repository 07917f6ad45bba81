import {
  type AttributePayload,
  applyAttributePayload,
  sameAttributes,
  versionConflict,
} from './attribute-payload.js';
import { alreadyExists, invalidRequest, notFound } from './errors.js';
import { randomUuid } from './ids.js';
import type { ListRequest, Page } from './pagination.js';
import { RecordTable } from './record-table.js';
import type { ThingRecord } from './records.js';
import type { Relation } from './relation.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

export interface ThingInput {
  thingName: string;
  thingTypeName?: string;
  attributes?: Record<string, string>;
  billingGroupName?: string;
}

export interface ThingUpdate {
  thingTypeName?: string;
  removeThingType?: boolean;
  attributePayload?: AttributePayload;
  expectedVersion?: number;
}

export interface ListThingsFilter {
  attributeName?: string;
  attributeValue?: string;
  usePrefixAttributeValue?: boolean;
  thingTypeName?: string;
}

/** Shared by every thing created without attributes (UpdateThing replaces, never mutates, the object). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

function matches(thing: ThingRecord, filter: ListThingsFilter): boolean {
  if (filter.thingTypeName !== undefined && thing.thingTypeName !== filter.thingTypeName) return false;
  if (filter.attributeName === undefined) return true;
  const value = thing.attributes[filter.attributeName];
  if (value === undefined) return false;
  if (filter.attributeValue === undefined) return true;
  return filter.usePrefixAttributeValue
    ? value.startsWith(filter.attributeValue)
    : value === filter.attributeValue;
}

/** What the thing store asks of the thing types and groups it refers to. */
export interface ThingLinks {
  /** Throws unless the type exists and takes new things. */
  requireThingType(thingTypeName: string, change: 'create' | 'update'): void;
  /** Drops a deleted thing's group memberships. */
  forgetThing(thingName: string): void;
}

/** Things, with their thing type (no billing groups: the emulator has none). */
export class ThingStore {
  readonly records = new RecordTable<ThingRecord>({
    missing: (thingName) =>
      notFound(`Thing ${thingName} cannot be found: check the name or create it (CreateThing)`),
  });

  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly thingPrincipals: Relation,
    private readonly links: ThingLinks,
  ) {}

  /** CreateThing: idempotent for an identical request, ResourceAlreadyExists otherwise. */
  create(input: ThingInput): ThingRecord {
    const existing = this.records.get(input.thingName);
    const attributes = input.attributes ?? {};
    if (existing) {
      const same =
        existing.thingTypeName === input.thingTypeName &&
        existing.billingGroupName === input.billingGroupName &&
        sameAttributes(existing.attributes, attributes);
      if (same) return existing;
      throw alreadyExists(
        `Thing ${input.thingName} already exists in account with different attributes`,
        existing.thingId,
        existing.thingArn,
      );
    }
    if (input.thingTypeName !== undefined) this.links.requireThingType(input.thingTypeName, 'create');
    if (input.billingGroupName !== undefined) {
      throw notFound(
        `Billing group ${input.billingGroupName} does not exist: the emulator has no billing groups; omit it`,
      );
    }
    const record: ThingRecord = {
      thingName: input.thingName,
      thingId: randomUuid(),
      thingArn: this.context.arns.thing(input.thingName),
      attributes: Object.keys(attributes).length === 0 ? NO_ATTRIBUTES : { ...attributes },
      version: 1,
      creationDate: this.context.now(),
      sequence: this.context.nextSequence(),
    };
    // Only typed things carry the property: an untyped thing's record stays as small as before.
    if (input.thingTypeName !== undefined) record.thingTypeName = input.thingTypeName;
    this.records.set(input.thingName, record);
    this.context.changed();
    return record;
  }

  update(thingName: string, update: ThingUpdate): ThingRecord {
    const record = this.records.require(thingName);
    if (update.expectedVersion !== undefined && update.expectedVersion !== record.version) {
      throw versionConflict(`Thing ${thingName}`, record.version, update.expectedVersion);
    }
    if (update.thingTypeName !== undefined && update.removeThingType) {
      throw invalidRequest('Pass either thingTypeName or removeThingType, not both');
    }
    if (update.thingTypeName !== undefined && update.thingTypeName !== record.thingTypeName) {
      this.links.requireThingType(update.thingTypeName, 'update');
    }
    record.attributes = applyAttributePayload(record.attributes, update.attributePayload);
    if (update.thingTypeName !== undefined) record.thingTypeName = update.thingTypeName;
    if (update.removeThingType) delete record.thingTypeName;
    record.version += 1;
    this.context.changed();
    return record;
  }

  /** DeleteThing: succeeds for a missing thing; refuses while principals are attached. */
  delete(thingName: string, expectedVersion?: number): void {
    const record = this.records.get(thingName);
    if (!record) return;
    if (expectedVersion !== undefined && expectedVersion !== record.version) {
      throw versionConflict(`Thing ${thingName}`, record.version, expectedVersion);
    }
    if (this.thingPrincipals.hasLeft(thingName)) {
      throw invalidRequest(`Cannot delete. Thing ${thingName} is still attached to one or more principals`);
    }
    this.records.delete(thingName);
    this.links.forgetThing(thingName);
    this.tags.forget(record.thingArn);
    this.context.changed();
  }

  /** Whether any thing has this type (DeleteThingType refuses then). */
  hasType(thingTypeName: string): boolean {
    for (const thing of this.records.values()) if (thing.thingTypeName === thingTypeName) return true;
    return false;
  }

  list(request: ListThingsFilter & ListRequest): Page<ThingRecord> {
    return this.records.page(request, (thing) => matches(thing, request));
  }

  load(records: ThingRecord[]): void {
    for (const record of records) this.records.set(record.thingName, record);
  }
}
