import { invalidRequest, type RoleAliasRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import { epochSeconds, optionalString, requiredString } from '../input.js';
import { orderedMarkerPaging } from '../paging.js';
import { tagList } from './tags.js';

/** botocore service-2.json: RoleAlias, RoleArn, CredentialDurationSeconds. */
const ROLE_ALIAS = { min: 1, max: 128, pattern: /^[\w=,@-]+$/ };
const ROLE_ARN = { min: 20, max: 2048 };
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;

function credentialDuration(body: Record<string, unknown>): number | undefined {
  const value = body.credentialDurationSeconds;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidRequest('credentialDurationSeconds must be an integer number of seconds');
  }
  if (value < MIN_DURATION || value > MAX_DURATION) {
    throw invalidRequest(
      `1 validation error detected: Value '${value}' at 'credentialDurationSeconds' failed to satisfy constraint: Member must have value ${value < MIN_DURATION ? `greater than or equal to ${MIN_DURATION}` : `less than or equal to ${MAX_DURATION}`}`,
    );
  }
  return value;
}

const nameAndArn = (record: RoleAliasRecord) => ({
  roleAlias: record.roleAlias,
  roleAliasArn: record.roleAliasArn,
});

/** CreateRoleAlias, DescribeRoleAlias, ListRoleAliases, UpdateRoleAlias, DeleteRoleAlias. */
export const roleAliasOperations: OperationHandlers = {
  CreateRoleAlias(input, { registry }) {
    const roleAlias = requiredString(input.labels, 'roleAlias', ROLE_ALIAS);
    const roleArn = requiredString(input.body, 'roleArn', ROLE_ARN);
    const duration = credentialDuration(input.body);
    const tags = tagList(input.body.tags);
    const record = registry.roleAliases.create(roleAlias, roleArn, duration);
    if (Object.keys(tags).length > 0) registry.tagResource(record.roleAliasArn, tags);
    return nameAndArn(record);
  },

  DescribeRoleAlias(input, { registry }) {
    const record = registry.roleAliases.records.require(
      requiredString(input.labels, 'roleAlias', ROLE_ALIAS),
    );
    return {
      roleAliasDescription: {
        ...nameAndArn(record),
        roleArn: record.roleArn,
        owner: registry.accountId,
        credentialDurationSeconds: record.credentialDurationSeconds,
        creationDate: epochSeconds(record.creationDate),
        lastModifiedDate: epochSeconds(record.lastModifiedDate),
      },
    };
  },

  ListRoleAliases(input, { registry }) {
    const page = registry.roleAliases.list(orderedMarkerPaging(input));
    return { roleAliases: page.items.map((record) => record.roleAlias), nextMarker: page.next };
  },

  UpdateRoleAlias(input, { registry }) {
    const roleAlias = requiredString(input.labels, 'roleAlias', ROLE_ALIAS);
    const record = registry.roleAliases.update(roleAlias, {
      roleArn: optionalString(input.body, 'roleArn', ROLE_ARN),
      credentialDurationSeconds: credentialDuration(input.body),
    });
    return nameAndArn(record);
  },

  DeleteRoleAlias(input, { registry }) {
    registry.roleAliases.delete(requiredString(input.labels, 'roleAlias', ROLE_ALIAS));
    return undefined;
  },
};
