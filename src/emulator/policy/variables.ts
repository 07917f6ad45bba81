import { ANY_ONE, ANY_RUN, compileWildcards, literalTokens, type PatternToken } from './wildcard.js';

/**
 * Who is asking: the facts AWS IoT resolves policy variables and condition keys from.
 * Missing facts leave their variables unresolved, and a statement using one does not apply.
 */
export interface PolicyContext {
  clientId?: string;
  /** Thing attached to the certificate whose name equals the client ID, if any. */
  thingName?: string;
  thingTypeName?: string;
  thingAttributes?: Record<string, string>;
  /** True when the certificate is attached to the thing named by the client ID. */
  isAttached?: boolean;
  certificateId?: string;
  /** Subject fields by AWS's names: CommonName, Country, Organization, OrganizationalUnit, ... */
  subject?: Record<string, string>;
  issuer?: Record<string, string>;
  sourceIp?: string;
  region?: string;
  accountId?: string;
  /** Further keys by lower-case name (IAM's `aws:username`, `aws:PrincipalArn`, ...). */
  keys?: Readonly<Record<string, string>>;
}

/** Looks a condition key or variable name up in the context (`iot:ClientId`, `aws:SourceIp`, ...). */
export function resolveKey(name: string, context: PolicyContext): string | undefined {
  const key = name.trim();
  const lower = key.toLowerCase();
  if (lower === 'iot:clientid') return context.clientId;
  if (lower === 'aws:sourceip') return context.sourceIp;
  if (lower === 'iot:connection.thing.thingname') return context.thingName;
  if (lower === 'iot:connection.thing.thingtypename') return context.thingTypeName;
  if (lower === 'iot:connection.thing.isattached') {
    return context.isAttached === undefined ? 'false' : String(context.isAttached);
  }
  if (lower === 'iot:certificate.id') return context.certificateId;
  const attribute = /^iot:Connection\.Thing\.Attributes\[(.+)\]$/i.exec(key);
  if (attribute?.[1] !== undefined) return context.thingAttributes?.[attribute[1]];
  const certField = /^iot:Certificate\.(Subject|Issuer)\.(.+)$/i.exec(key);
  if (certField?.[1] !== undefined && certField[2] !== undefined) {
    const fields = certField[1].toLowerCase() === 'subject' ? context.subject : context.issuer;
    const wanted = certField[2].toLowerCase();
    for (const [field, value] of Object.entries(fields ?? {})) {
      if (field.toLowerCase() === wanted) return value;
    }
  }
  return context.keys?.[lower];
}

const variablePattern = /\$\{([^}]+)\}|\$\((\*|\?|\$)\)/g;

/**
 * Substitutes `${...}` variables (as literal text) and `$(*)`, `$(?)`, `$($)` (literal `*`, `?`,
 * `$`) in a Resource or Condition value, keeping `*`/`?` in the policy text as wildcards.
 * Returns undefined when a variable cannot be resolved.
 */
export function compileWithVariables(template: string, context: PolicyContext): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  let last = 0;
  for (const match of template.matchAll(variablePattern)) {
    tokens.push(...compileWildcards(template.slice(last, match.index)));
    if (match[2] !== undefined) {
      tokens.push(match[2]);
    } else {
      const value = resolveKey(match[1] ?? '', context);
      if (value === undefined) return undefined;
      tokens.push(...literalTokens(value));
    }
    last = (match.index ?? 0) + match[0].length;
  }
  tokens.push(...compileWildcards(template.slice(last)));
  return tokens;
}

/** The same substitution, for operators that compare literally (StringEquals, Bool, ...). */
export function substituteLiteral(template: string, context: PolicyContext): string | undefined {
  const tokens = compileWithVariables(template, context);
  if (tokens === undefined) return undefined;
  return tokens.map((token) => (token === ANY_RUN ? '*' : token === ANY_ONE ? '?' : token)).join('');
}
