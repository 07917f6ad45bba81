import {
  type AttributePayload,
  applyAttributePayload,
  sameAttributes,
  versionConflict,
} from './attribute-payload.js';
import { alreadyExists, invalidRequest, notFound } from './errors.js';
import { randomUuid } from './ids.js';
import { type ListRequest, type Page, pageOptions, paginate, paginateList } from './pagination.js';
import { RecordTable } from './record-table.js';
import type { ThingGroupRecord } from './records.js';
import { Relation } from './relation.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

export interface ThingGroupInput {
  thingGroupName: string;
  parentGroupName?: string;
  description?: string;
  attributes?: Record<string, string>;
}

export interface ThingGroupUpdate {
  description?: string;
  attributePayload?: AttributePayload;
  expectedVersion?: number;
}

export interface ListThingGroupsFilter {
  parentGroup?: string;
  namePrefixFilter?: string;
  /** Descendants too (AWS's default when not given). */
  recursive?: boolean;
}

/** AWS IoT Device Management thing group limits (developer guide "thing groups", quotas page). */
export const THING_GROUP_LIMITS = {
  /** A thing can be added to at most 10 thing groups. */
  groupsPerThing: 10,
  /** The maximum depth of a thing group hierarchy. */
  hierarchyDepth: 7,
  /** The maximum number of direct child groups. */
  directChildren: 100,
  /** The maximum number of attributes of a thing group. */
  attributes: 50,
} as const;

/** Static thing groups, their hierarchy and the things in them. */
export class ThingGroupStore {
  readonly records = new RecordTable<ThingGroupRecord>({
    missing: (thingGroupName) =>
      notFound(`Thing group ${thingGroupName} does not exist: create it (CreateThingGroup) first`),
  });
  /** [thingName, thingGroupName] */
  readonly members = new Relation();

  /** `thingExists(name)`: whether the thing is in the registry. */
  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly thingExists: (thingName: string) => boolean,
  ) {}

  /** The group's ancestors, root first (DescribeThingGroup's rootToParentThingGroups). */
  ancestors(thingGroupName: string): ThingGroupRecord[] {
    const chain: ThingGroupRecord[] = [];
    let parent = this.records.get(thingGroupName)?.parentGroupName;
    while (parent !== undefined) {
      const record = this.records.get(parent);
      if (!record) break;
      chain.unshift(record);
      parent = record.parentGroupName;
    }
    return chain;
  }

  private children(thingGroupName: string): ThingGroupRecord[] {
    return [...this.records.values()].filter((group) => group.parentGroupName === thingGroupName);
  }

  /** Children, grandchildren and so on, parents before their children. */
  private descendants(thingGroupName: string): ThingGroupRecord[] {
    const found: ThingGroupRecord[] = [];
    for (const child of this.children(thingGroupName))
      found.push(child, ...this.descendants(child.thingGroupName));
    return found;
  }

  private rootOf(thingGroupName: string): string {
    return this.ancestors(thingGroupName)[0]?.thingGroupName ?? thingGroupName;
  }

  /** CreateThingGroup: idempotent for the same parent and properties. */
  create(input: ThingGroupInput): ThingGroupRecord {
    const attributes = input.attributes ?? {};
    const existing = this.records.get(input.thingGroupName);
    if (existing) {
      const same =
        existing.parentGroupName === input.parentGroupName &&
        existing.description === input.description &&
        sameAttributes(existing.attributes, attributes);
      if (same) return existing;
      throw alreadyExists(
        `Thing Group ${input.thingGroupName} already exists in current account with different properties`,
        existing.thingGroupId,
        existing.thingGroupArn,
      );
    }
    this.checkAttributeCount(attributes);
    if (input.parentGroupName !== undefined) {
      this.records.require(input.parentGroupName);
      const depth = this.ancestors(input.parentGroupName).length + 2;
      if (depth > THING_GROUP_LIMITS.hierarchyDepth) {
        throw invalidRequest(
          `Thing group ${input.thingGroupName} would be at depth ${depth}: a thing group hierarchy is at most ${THING_GROUP_LIMITS.hierarchyDepth} deep`,
        );
      }
      if (this.children(input.parentGroupName).length >= THING_GROUP_LIMITS.directChildren) {
        throw invalidRequest(
          `Thing group ${input.parentGroupName} already has ${THING_GROUP_LIMITS.directChildren} direct child groups, the most it may have`,
        );
      }
    }
    const record: ThingGroupRecord = {
      thingGroupName: input.thingGroupName,
      thingGroupId: randomUuid(),
      thingGroupArn: this.context.arns.thingGroup(input.thingGroupName),
      parentGroupName: input.parentGroupName,
      description: input.description,
      attributes: { ...attributes },
      version: 1,
      creationDate: this.context.now(),
      sequence: this.context.nextSequence(),
    };
    this.records.set(input.thingGroupName, record);
    this.context.changed();
    return record;
  }

  private checkAttributeCount(attributes: Record<string, string>): void {
    if (Object.keys(attributes).length > THING_GROUP_LIMITS.attributes) {
      throw invalidRequest(`A thing group may have at most ${THING_GROUP_LIMITS.attributes} attributes`);
    }
  }

  /** UpdateThingGroup: description and attributes; returns the new version. */
  update(thingGroupName: string, update: ThingGroupUpdate): ThingGroupRecord {
    const record = this.records.require(thingGroupName);
    if (update.expectedVersion !== undefined && update.expectedVersion !== record.version) {
      throw versionConflict(`Thing group ${thingGroupName}`, record.version, update.expectedVersion);
    }
    const attributes = applyAttributePayload(record.attributes, update.attributePayload);
    this.checkAttributeCount(attributes);
    record.attributes = attributes;
    if (update.description !== undefined) record.description = update.description;
    record.version += 1;
    this.context.changed();
    return record;
  }

  /** DeleteThingGroup: succeeds for a missing group; refused while it has child groups. */
  delete(thingGroupName: string, expectedVersion?: number): void {
    const record = this.records.get(thingGroupName);
    if (!record) return;
    if (expectedVersion !== undefined && expectedVersion !== record.version) {
      throw versionConflict(`Thing group ${thingGroupName}`, record.version, expectedVersion);
    }
    if (this.children(thingGroupName).length > 0) {
      throw invalidRequest(
        `Cannot delete thing group : ${thingGroupName} when there are still child groups attached to it`,
      );
    }
    for (const thingName of this.members.lefts(thingGroupName))
      this.members.delete(thingName, thingGroupName);
    this.records.delete(thingGroupName);
    this.tags.forget(record.thingGroupArn);
    this.context.changed();
  }

  /** ListThingGroups: root groups (or a parent's children), with descendants unless recursive is false. */
  list(request: ListThingGroupsFilter & ListRequest): Page<ThingGroupRecord> {
    const recursive = request.recursive ?? true;
    let groups: ThingGroupRecord[];
    if (request.parentGroup !== undefined) {
      this.records.require(request.parentGroup);
      groups = recursive ? this.descendants(request.parentGroup) : this.children(request.parentGroup);
    } else {
      groups = [...this.records.values()].filter((group) => recursive || group.parentGroupName === undefined);
    }
    const prefix = request.namePrefixFilter;
    if (prefix !== undefined) groups = groups.filter((group) => group.thingGroupName.startsWith(prefix));
    return paginate(groups, pageOptions(request));
  }

  private requireThing(thingName: string): void {
    if (!this.thingExists(thingName)) {
      throw notFound(`Thing ${thingName} cannot be found: check the name or create it (CreateThing)`);
    }
  }

  /**
   * Why `thingGroupName` may not take the thing whose groups are `current` (at most 10 groups
   * per thing, one group per hierarchy), or undefined when it may.
   */
  private admissionError(thingName: string, thingGroupName: string, current: string[]): Error | undefined {
    if (current.length >= THING_GROUP_LIMITS.groupsPerThing) {
      return invalidRequest(
        `Thing ${thingName} is already in ${THING_GROUP_LIMITS.groupsPerThing} thing groups, the most a thing can be added to`,
      );
    }
    const root = this.rootOf(thingGroupName);
    const sameHierarchy = current.find((group) => this.rootOf(group) === root);
    if (sameHierarchy !== undefined) {
      return invalidRequest(
        `Thing ${thingName} is already in thing group ${sameHierarchy} of the same hierarchy (root ${root}): a thing can be in only one group of a hierarchy`,
      );
    }
    return undefined;
  }

  /** AddThingToThingGroup: at most 10 groups per thing, and one group per hierarchy. */
  addThing(thingGroupName: string, thingName: string): void {
    this.records.require(thingGroupName);
    this.requireThing(thingName);
    if (this.members.hasPair(thingName, thingGroupName)) return;
    const refusal = this.admissionError(thingName, thingGroupName, this.members.rights(thingName));
    if (refusal) throw refusal;
    this.members.add(thingName, thingGroupName);
    this.context.changed();
  }

  /**
   * UpdateThingGroupsForThing: removes, then adds, all or nothing. The same checks as
   * RemoveThingFromThingGroup and AddThingToThingGroup, judged against the groups the thing has
   * once the removals are done (so a thing can move between groups of one hierarchy, or swap
   * one group for another at the limit of 10).
   */
  updateGroupsOfThing(thingName: string, toAdd: string[], toRemove: string[]): void {
    this.requireThing(thingName);
    for (const group of [...toRemove, ...toAdd]) this.records.require(group);
    const removing = new Set(toRemove);
    const groups = this.members.rights(thingName).filter((group) => !removing.has(group));
    const added: string[] = [];
    for (const group of toAdd) {
      if (groups.includes(group)) continue;
      const refusal = this.admissionError(thingName, group, groups);
      if (refusal) throw refusal;
      groups.push(group);
      added.push(group);
    }
    for (const group of removing) this.members.delete(thingName, group);
    for (const group of added) this.members.add(thingName, group);
    this.context.changed();
  }

  /** RemoveThingFromThingGroup: succeeds when the thing is not in the group. */
  removeThing(thingGroupName: string, thingName: string): void {
    this.records.require(thingGroupName);
    this.requireThing(thingName);
    if (!this.members.hasPair(thingName, thingGroupName)) return;
    this.members.delete(thingName, thingGroupName);
    this.context.changed();
  }

  /** ListThingsInThingGroup: the group's things, with `recursive` its descendants' too. */
  listThings(thingGroupName: string, request: ListRequest & { recursive?: boolean }): Page<string> {
    this.records.require(thingGroupName);
    const groups = [thingGroupName];
    if (request.recursive) groups.push(...this.descendants(thingGroupName).map((g) => g.thingGroupName));
    const things = new Set(groups.flatMap((group) => this.members.lefts(group)));
    return paginateList([...things], pageOptions(request));
  }

  /** ListThingGroupsForThing: the groups the thing was added to. */
  listGroupsOfThing(thingName: string, request: ListRequest): Page<ThingGroupRecord> {
    this.requireThing(thingName);
    const groups = this.members.rights(thingName).flatMap((name) => this.records.get(name) ?? []);
    return paginateList(groups, pageOptions(request));
  }

  /** Drops a deleted thing's memberships. */
  forgetThing(thingName: string): void {
    for (const group of this.members.rights(thingName)) this.members.delete(thingName, group);
  }

  load(records: ThingGroupRecord[], members: Array<[string, string]>): void {
    for (const record of records) this.records.set(record.thingGroupName, record);
    for (const [thingName, group] of members) this.members.add(thingName, group);
  }
}
