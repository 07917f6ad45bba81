/** A compiled policy pattern: literal UTF-16 code units plus the two IAM wildcards. */
export type PatternToken = string | typeof ANY_RUN | typeof ANY_ONE;
export const ANY_RUN: unique symbol = Symbol('*');
export const ANY_ONE: unique symbol = Symbol('?');

const compiled = new Map<string, PatternToken[]>();

/** Compiles pattern text with no variables: `*` and `?` are wildcards, everything else literal. */
export function compileWildcards(text: string): PatternToken[] {
  const cached = compiled.get(text);
  if (cached) return cached;
  const tokens: PatternToken[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    tokens.push(char === '*' ? ANY_RUN : char === '?' ? ANY_ONE : char);
  }
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(text, tokens);
  return tokens;
}

/** Literal text as tokens (substituted variable values never act as wildcards). */
export function literalTokens(text: string): PatternToken[] {
  return text.split('');
}

/**
 * IAM-style matching as AWS IoT policies use it: `*` is any run of characters (slashes
 * included), `?` exactly one character; MQTT's `+` and `#` are plain characters.
 */
export function tokensMatch(pattern: readonly PatternToken[], value: string, ignoreCase = false): boolean {
  const subject = ignoreCase ? value.toLowerCase() : value;
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < subject.length) {
    const token = pattern[p];
    if (
      token === ANY_ONE ||
      (typeof token === 'string' && (ignoreCase ? token.toLowerCase() : token) === subject[v])
    ) {
      p += 1;
      v += 1;
    } else if (token === ANY_RUN) {
      starP = p;
      starV = v;
      p += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starV += 1;
      v = starV;
    } else {
      return false;
    }
  }
  while (pattern[p] === ANY_RUN) p += 1;
  return p === pattern.length;
}

export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  return tokensMatch(compileWildcards(pattern), value, ignoreCase);
}
