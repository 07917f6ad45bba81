import { type IotError, invalidRequest } from '../registry/index.js';

/** What a handler gets: decoded path labels, the query, headers and the parsed JSON body. */
export interface OperationInput {
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function constraint(name: string, value: unknown, rule: string): IotError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return invalidRequest(
    `1 validation error detected: Value '${shown}' at '${name}' failed to satisfy constraint: ${rule}`,
  );
}

/**
 * A handler's own constraint on a string. The dispatcher has already checked every input
 * member against AWS's service model (model/operation-validator.ts), so names, ids, PEMs and
 * template bodies need none here.
 */
export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: readonly string[];
}

function checkString(name: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') throw invalidRequest(`${name} must be a string`);
  if (rule.min !== undefined && value.length < rule.min) {
    throw constraint(name, value, `Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw constraint(name, value.slice(0, 64), `Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw constraint(name, value, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    throw constraint(name, value, `Member must satisfy enum value set: [${rule.oneOf.join(', ')}]`);
  }
  return value;
}

export function requiredString(source: Record<string, unknown>, name: string, rule: StringRule = {}): string {
  const value = source[name];
  if (value === undefined || value === null || value === '') {
    throw invalidRequest(`${name} is required: pass a value for it`);
  }
  return checkString(name, value, rule);
}

export function optionalString(
  source: Record<string, unknown>,
  name: string,
  rule: StringRule = {},
): string | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  return checkString(name, value, rule);
}

export function optionalBoolean(source: Record<string, unknown>, name: string): boolean | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${name} must be true or false`);
  return value;
}

export function optionalObject(
  source: Record<string, unknown>,
  name: string,
): Record<string, unknown> | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidRequest(`${name} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function stringMap(value: unknown, name: string, rule: StringRule = {}): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(`${name} must be a JSON object of string values`);
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = checkString(`${name}.${key}`, entry, rule);
  return result;
}

/** Query helpers: the SDK sends booleans as "true"/"false" and numbers as decimal strings. */
export function queryBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw constraint(name, value, 'Member must be true or false');
  return value === 'true';
}

export function queryInteger(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw constraint(name, value, 'Member must be an integer');
  if (number < min) throw constraint(name, value, `Member must have value greater than or equal to ${min}`);
  if (number > max) throw constraint(name, value, `Member must have value less than or equal to ${max}`);
  return number;
}

export function queryString(query: URLSearchParams, name: string, rule: StringRule = {}): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  return checkString(name, value, rule);
}

export function requiredQueryString(query: URLSearchParams, name: string, rule: StringRule = {}): string {
  const value = query.get(name);
  if (value === null || value === '')
    throw invalidRequest(`${name} is required: pass it as a query parameter`);
  return checkString(name, value, rule);
}

export function header(input: OperationInput, name: string): string | undefined {
  const value = input.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Seconds since the epoch, as AWS's REST-JSON timestamps. */
export const epochSeconds = (milliseconds: number): number => milliseconds / 1000;
