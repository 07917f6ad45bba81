import { compileJavaPattern } from './java-regex.js';
import { type ServiceModel, type Shape, shapeNamed } from './service-model.js';

/**
 * Checks one value against a shape; pushes AWS-style messages ("Value 'x' at 'path' failed to
 * satisfy constraint: ...") to `errors`. `value` is never undefined or null here.
 */
export type ValueCheck = (value: unknown, path: string, errors: string[]) => void;

/** Java's toString of a request value, as AWS's messages show it: `[a, b]`, `{key=value}`. */
function javaText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(javaText).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${javaText(item)}`)
      .join(', ')}}`;
  return String(value);
}

/** How a rejected value is shown in the message: quoted, or bare null; long values cut. */
export function shownValue(value: unknown, sensitive = false): string {
  if (value === null || value === undefined) return 'null';
  if (sensitive) return "'*** Sensitive Data Redacted ***'";
  const text = javaText(value);
  return `'${text.length > 256 ? `${text.slice(0, 256)}...` : text}'`;
}

export const failed = (value: unknown, path: string, rule: string, sensitive = false): string =>
  `Value ${shownValue(value, sensitive)} at '${path}' failed to satisfy constraint: ${rule}`;

/** Java's member paths in validation messages start lower-case (`Key` → `key`). */
export const memberPath = (parent: string, member: string): string => {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === '' ? name : `${parent}.${name}`;
};

const TYPE_RULES: Record<string, string> = {
  string: 'Member must be a string',
  integer: 'Member must be an integer',
  long: 'Member must be an integer',
  float: 'Member must be a number',
  double: 'Member must be a number',
  boolean: 'Member must be true or false',
  timestamp: 'Member must be a timestamp (epoch seconds or ISO 8601)',
  blob: 'Member must be a base64 string',
  list: 'Member must be a list',
  map: 'Member must be a JSON object',
  structure: 'Member must be a JSON object',
};

/**
 * Whether a JSON value is of the shape's type. Timestamps may be epoch seconds or ISO 8601
 * text, as requests send them.
 */
export function hasShapeType(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case 'string':
    case 'blob':
      return typeof value === 'string';
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
    case 'list':
      return Array.isArray(value);
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** min/max: length for strings, lists and maps, value for numbers (botocore's rules). */
function rangeRules(shape: Shape, value: unknown): string[] {
  const rules: string[] = [];
  const numeric = typeof value === 'number';
  const size = numeric
    ? value
    : typeof value === 'string' || Array.isArray(value)
      ? value.length
      : Object.keys(value as object).length;
  const what = numeric ? 'value' : 'length';
  if (shape.min !== undefined && size < shape.min)
    rules.push(`Member must have ${what} greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && size > shape.max)
    rules.push(`Member must have ${what} less than or equal to ${shape.max}`);
  return rules;
}

/**
 * Compiles shapes to checks, each shape once (recursive shapes included); patterns are
 * translated and compiled here, so a pattern JavaScript cannot express fails at startup.
 */
export class ConstraintCompiler {
  private readonly checks = new Map<string, ValueCheck>();

  constructor(private readonly model: ServiceModel) {}

  check(shapeName: string): ValueCheck {
    const known = this.checks.get(shapeName);
    if (known) return known;
    let compiled: ValueCheck | undefined;
    // Registered before compiling so recursive shapes refer to themselves lazily.
    this.checks.set(shapeName, (value, path, errors) => compiled!(value, path, errors));
    compiled = this.compile(shapeNamed(this.model, shapeName));
    this.checks.set(shapeName, compiled);
    return compiled;
  }

  private compile(shape: Shape): ValueCheck {
    const own = this.ownRules(shape);
    const nested = this.nested(shape);
    const sensitive = shape.sensitive === true;
    return (value, path, errors) => {
      if (!hasShapeType(shape, value)) {
        errors.push(failed(value, path, TYPE_RULES[shape.type] ?? `Member must be a ${shape.type}`));
        return;
      }
      for (const rule of own(value)) errors.push(failed(value, path, rule, sensitive));
      nested?.(value, path, errors);
    };
  }

  /** Rules on the value itself: min/max, pattern, enum. */
  private ownRules(shape: Shape): (value: unknown) => string[] {
    const pattern = shape.pattern === undefined ? undefined : compileJavaPattern(shape.pattern);
    const values = shape.enum;
    return (value) => {
      const rules = rangeRules(shape, value);
      if (pattern && typeof value === 'string' && !pattern.test(value))
        rules.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (values && typeof value === 'string' && !values.includes(value))
        rules.push(`Member must satisfy enum value set: [${values.join(', ')}]`);
      return rules;
    };
  }

  private nested(shape: Shape): ValueCheck | undefined {
    if (shape.type === 'structure') return this.structure(shape);
    if (shape.type === 'list' && shape.member) {
      const member = this.check(shape.member.shape);
      return (value, path, errors) => {
        (value as unknown[]).forEach((item, index) => {
          const itemPath = `${path}.${index + 1}.member`;
          if (item === null || item === undefined)
            errors.push(failed(null, itemPath, 'Member must not be null'));
          else member(item, itemPath, errors);
        });
      };
    }
    if (shape.type === 'map' && shape.key && shape.value) return this.map(shape.key.shape, shape.value.shape);
    return undefined;
  }

  /** Structure members by JSON name; unknown members are ignored, as AWS does. */
  private structure(shape: Shape): ValueCheck {
    const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
      name,
      jsonName: ref.locationName ?? name,
      check: this.check(ref.shape),
      required: shape.required?.includes(name) ?? false,
    }));
    return (value, path, errors) => {
      const object = value as Record<string, unknown>;
      for (const member of members) {
        const memberValue = object[member.jsonName];
        const at = memberPath(path, member.name);
        if (memberValue === undefined || memberValue === null) {
          if (member.required) errors.push(failed(null, at, 'Member must not be null'));
        } else member.check(memberValue, at, errors);
      }
    };
  }

  /**
   * Map entries: one error for the keys and one for the values, each listing the whole
   * constraint set of the key or value shape (AWS's wording, e.g. "Map keys must satisfy
   * constraint: [Member must have length less than or equal to 128, ...]").
   */
  private map(keyShape: string, valueShape: string): ValueCheck {
    const key = this.check(keyShape);
    const entry = this.check(valueShape);
    const keyRules = constraintList(shapeNamed(this.model, keyShape));
    const valueRules = constraintList(shapeNamed(this.model, valueShape));
    return (value, path, errors) => {
      const keyErrors: string[] = [];
      const valueErrors: string[] = [];
      for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
        key(name, path, keyErrors);
        if (item === null || item === undefined) valueErrors.push('null');
        else entry(item, path, valueErrors);
      }
      if (keyErrors.length > 0)
        errors.push(failed(value, path, `Map keys must satisfy constraint: [${keyRules}]`));
      if (valueErrors.length > 0)
        errors.push(failed(value, path, `Map value must satisfy constraint: [${valueRules}]`));
    };
  }
}

/** A shape's whole constraint set in AWS's order (max, min, pattern, enum). */
function constraintList(shape: Shape): string {
  const rules: string[] = [];
  const what = shape.type === 'string' || shape.type === 'list' || shape.type === 'map' ? 'length' : 'value';
  if (shape.max !== undefined) rules.push(`Member must have ${what} less than or equal to ${shape.max}`);
  if (shape.min !== undefined) rules.push(`Member must have ${what} greater than or equal to ${shape.min}`);
  if (shape.pattern !== undefined)
    rules.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum !== undefined) rules.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  if (rules.length === 0) rules.push(`Member must be a ${shape.type}`);
  return rules.join(', ');
}
