import { TemplateError } from './template-error.js';
import type { TemplateValue } from './template-schema.js';

export interface IntrinsicScope {
  parameters: Readonly<Record<string, string>>;
  mappings: Readonly<Record<string, Record<string, Record<string, TemplateValue>>>>;
  /** Evaluated template Conditions by name (for Fn::If and resource Condition). */
  conditions: Readonly<Record<string, boolean>>;
}

const intrinsicNames = new Set([
  'Ref',
  'Fn::Join',
  'Fn::Sub',
  'Fn::FindInMap',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Condition',
]);

function asString(value: TemplateValue, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError('InvalidTemplate', `${where} needs a string, got ${JSON.stringify(value)}`);
}

function asList(value: TemplateValue, where: string): TemplateValue[] {
  if (Array.isArray(value)) return value;
  throw new TemplateError('InvalidTemplate', `${where} needs a list, got ${JSON.stringify(value)}`);
}

function ref(name: TemplateValue, scope: IntrinsicScope): string {
  const key = asString(name, 'Ref');
  const value = scope.parameters[key];
  if (value === undefined) {
    throw new TemplateError(
      'MissingParameter',
      `the template refers to parameter "${key}" but no value was given for it; pass it in parameters or give it a Default`,
    );
  }
  return value;
}

function sub(args: TemplateValue, scope: IntrinsicScope): string {
  const [text, extra] = Array.isArray(args) ? args : [args, {}];
  const template = asString(resolveValue(text ?? '', scope), 'Fn::Sub');
  const locals: Record<string, string> = {};
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra)) {
      locals[key] = asString(resolveValue(value, scope), `Fn::Sub variable ${key}`);
    }
  }
  return template.replace(/\$\{([^}!][^}]*)\}|\$\{!([^}]*)\}/g, (_match, name, literal) => {
    if (literal !== undefined) return `\${${literal}}`;
    return locals[name] ?? ref(name, scope);
  });
}

function findInMap(args: TemplateValue, scope: IntrinsicScope): TemplateValue {
  const [mapName, topKey, secondKey] = asList(args, 'Fn::FindInMap').map((part, index) =>
    asString(resolveValue(part, scope), `Fn::FindInMap argument ${index + 1}`),
  );
  const value = scope.mappings[mapName ?? '']?.[topKey ?? '']?.[secondKey ?? ''];
  if (value === undefined) {
    throw new TemplateError(
      'InvalidParameter',
      `Fn::FindInMap found no value for ${mapName}.${topKey}.${secondKey}; add it to Mappings or pass a parameter that exists there`,
    );
  }
  return value;
}

function select(args: TemplateValue, scope: IntrinsicScope): TemplateValue {
  const [indexValue, listValue] = asList(args, 'Fn::Select');
  const index = Number(resolveValue(indexValue ?? null, scope));
  const list = asList(resolveValue(listValue ?? null, scope), 'Fn::Select');
  if (!Number.isInteger(index) || index < 0 || index >= list.length) {
    throw new TemplateError(
      'InvalidParameter',
      `Fn::Select index ${String(indexValue)} is outside the list of ${list.length} items`,
    );
  }
  return list[index] as TemplateValue;
}

function condition(value: TemplateValue, scope: IntrinsicScope): boolean {
  const resolved = resolveValue(value, scope);
  if (typeof resolved === 'boolean') return resolved;
  throw new TemplateError(
    'InvalidTemplate',
    `a condition must be true or false, got ${JSON.stringify(resolved)}`,
  );
}

function namedCondition(name: TemplateValue, scope: IntrinsicScope): boolean {
  const key = asString(name, 'Condition');
  const value = scope.conditions[key];
  if (value === undefined) {
    throw new TemplateError('InvalidTemplate', `condition "${key}" is not declared in Conditions`);
  }
  return value;
}

function applyIntrinsic(name: string, args: TemplateValue, scope: IntrinsicScope): TemplateValue {
  switch (name) {
    case 'Ref':
      return ref(args, scope);
    case 'Fn::Join': {
      const [delimiter, list] = asList(args, 'Fn::Join');
      const items = asList(resolveValue(list ?? null, scope), 'Fn::Join');
      return items
        .map((item) => asString(resolveValue(item, scope), 'Fn::Join item'))
        .join(asString(delimiter ?? '', 'Fn::Join delimiter'));
    }
    case 'Fn::Sub':
      return sub(args, scope);
    case 'Fn::FindInMap':
      return findInMap(args, scope);
    case 'Fn::Select':
      return resolveValue(select(args, scope), scope);
    case 'Fn::Split': {
      const [delimiter, text] = asList(args, 'Fn::Split');
      return asString(resolveValue(text ?? '', scope), 'Fn::Split').split(
        asString(delimiter ?? '', 'Fn::Split delimiter'),
      );
    }
    case 'Fn::If': {
      const [conditionName, whenTrue, whenFalse] = asList(args, 'Fn::If');
      return resolveValue((namedCondition(conditionName ?? '', scope) ? whenTrue : whenFalse) ?? null, scope);
    }
    case 'Fn::Equals': {
      const [left, right] = asList(args, 'Fn::Equals').map((part) => resolveValue(part, scope));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case 'Fn::And':
      return asList(args, 'Fn::And').every((part) => condition(part, scope));
    case 'Fn::Or':
      return asList(args, 'Fn::Or').some((part) => condition(part, scope));
    case 'Fn::Not':
      return !condition(asList(args, 'Fn::Not')[0] ?? null, scope);
    case 'Condition':
      return namedCondition(args, scope);
    default:
      throw new TemplateError('InvalidTemplate', `unsupported intrinsic ${name}`);
  }
}

/** Resolves every intrinsic in a template value, depth first. */
export function resolveValue(value: TemplateValue, scope: IntrinsicScope): TemplateValue {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const only = keys[0];
  if (keys.length === 1 && only !== undefined && intrinsicNames.has(only)) {
    return applyIntrinsic(only, value[only] as TemplateValue, scope);
  }
  const out: Record<string, TemplateValue> = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolveValue(item, scope);
  return out;
}
