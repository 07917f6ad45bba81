import { invalidRequest } from '../../registry/index.js';

/** Reads an AWS `[{Key, Value}]` tag list into a map. */
export function tagList(value: unknown, member = 'tags'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw invalidRequest(`${member} must be a list of {"Key": ..., "Value": ...}`);
  const tags: Record<string, string> = {};
  for (const entry of value) {
    const key = (entry as { Key?: unknown })?.Key;
    const tagValue = (entry as { Value?: unknown })?.Value ?? '';
    if (
      typeof key !== 'string' ||
      key.length < 1 ||
      key.length > 128 ||
      typeof tagValue !== 'string' ||
      tagValue.length > 256
    ) {
      throw invalidRequest(
        `${member} entries need a Key of 1..128 characters and a Value of at most 256 characters`,
      );
    }
    tags[key] = tagValue;
  }
  return tags;
}

export function toTagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
