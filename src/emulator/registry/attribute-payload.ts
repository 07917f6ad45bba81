import { IotError } from './errors.js';

/** AWS's AttributePayload: replaces all attributes unless `merge`; an empty value removes the attribute either way. */
export interface AttributePayload {
  attributes?: Record<string, string>;
  merge?: boolean;
}

/** The attributes after applying a payload (things and thing groups alike), or `current` as is. */
export function applyAttributePayload(
  current: Record<string, string>,
  payload: AttributePayload | undefined,
): Record<string, string> {
  if (!payload?.attributes) return current;
  const next: Record<string, string> = payload.merge ? { ...current } : {};
  for (const [name, value] of Object.entries(payload.attributes)) {
    if (value === '') delete next[name];
    else next[name] = value;
  }
  return next;
}

export const sameAttributes = (a: Record<string, string>, b: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** VersionConflictException for an UpdateX or DeleteX whose expectedVersion is not the record's. */
export function versionConflict(what: string, version: number, expectedVersion: number): IotError {
  return new IotError(
    'VersionConflictException',
    `${what} is at version ${version}, not ${expectedVersion}: describe it and retry`,
  );
}
