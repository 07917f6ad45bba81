import { isIPv4 } from 'node:net';
import type { ConditionBlock } from './policy-document.js';
import { compileWithVariables, type PolicyContext, resolveKey, substituteLiteral } from './variables.js';
import { tokensMatch } from './wildcard.js';

type ValueTest = (actual: string, expected: string, context: PolicyContext) => boolean | undefined;

const equals: ValueTest = (actual, expected, context) => {
  const want = substituteLiteral(expected, context);
  return want === undefined ? undefined : actual === want;
};
const equalsIgnoreCase: ValueTest = (actual, expected, context) => {
  const want = substituteLiteral(expected, context);
  return want === undefined ? undefined : actual.toLowerCase() === want.toLowerCase();
};
const like: ValueTest = (actual, expected, context) => {
  const pattern = compileWithVariables(expected, context);
  return pattern === undefined ? undefined : tokensMatch(pattern, actual);
};
const bool: ValueTest = (actual, expected) => actual.toLowerCase() === expected.toLowerCase();
const numeric =
  (compare: (a: number, b: number) => boolean): ValueTest =>
  (actual, expected) => {
    const a = Number(actual);
    const b = Number(expected);
    return Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
  };

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}
const ipInCidr: ValueTest = (actual, expected) => {
  const [network = '', bitsText = '32'] = expected.split('/');
  if (!isIPv4(actual) || !isIPv4(network)) return false;
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  return Math.floor(ipv4ToNumber(actual) / size) === Math.floor(ipv4ToNumber(network) / size);
};

/** Operator name → (test, negated). Unknown operators make the statement not apply. */
const operators: Record<string, { test: ValueTest; negated: boolean }> = {
  stringequals: { test: equals, negated: false },
  stringnotequals: { test: equals, negated: true },
  stringequalsignorecase: { test: equalsIgnoreCase, negated: false },
  stringnotequalsignorecase: { test: equalsIgnoreCase, negated: true },
  stringlike: { test: like, negated: false },
  stringnotlike: { test: like, negated: true },
  arnequals: { test: equals, negated: false },
  arnnotequals: { test: equals, negated: true },
  arnlike: { test: like, negated: false },
  arnnotlike: { test: like, negated: true },
  bool: { test: bool, negated: false },
  numericequals: { test: numeric((a, b) => a === b), negated: false },
  numericnotequals: { test: numeric((a, b) => a === b), negated: true },
  numericlessthan: { test: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { test: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { test: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { test: numeric((a, b) => a >= b), negated: false },
  ipaddress: { test: ipInCidr, negated: false },
  notipaddress: { test: ipInCidr, negated: true },
};

export const supportedConditionOperators = [...Object.keys(operators), 'null'];

function expectedValues(raw: string | string[] | boolean | number): string[] {
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

/**
 * True when every operator/key pair in the block holds (AND), each satisfied by any of its
 * values (OR). Supports the `...IfExists` suffix and `Null`; a missing key fails a positive
 * operator and satisfies a negated one, as in IAM.
 */
export function conditionsHold(block: ConditionBlock | undefined, context: PolicyContext): boolean {
  if (block === undefined) return true;
  for (const [operatorName, keys] of Object.entries(block)) {
    const bare = operatorName.replace(/^(ForAnyValue|ForAllValues):/i, '');
    const ifExists = /IfExists$/i.test(bare);
    const name = bare.replace(/IfExists$/i, '').toLowerCase();
    for (const [key, raw] of Object.entries(keys)) {
      const actual = resolveKey(key, context);
      const wanted = expectedValues(raw);
      if (name === 'null') {
        const isNull = actual === undefined;
        if (!wanted.some((value) => (value.toLowerCase() === 'true') === isNull)) return false;
        continue;
      }
      const operator = operators[name];
      if (operator === undefined) return false;
      if (actual === undefined) {
        if (ifExists || operator.negated) continue;
        return false;
      }
      const anyMatch = wanted.some((value) => operator.test(actual, value, context) === true);
      if (operator.negated ? anyMatch : !anyMatch) return false;
    }
  }
  return true;
}
