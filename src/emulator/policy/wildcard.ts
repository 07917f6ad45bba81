/** A compiled policy pattern: literal characters plus the two IAM wildcards. */
export type PatternToken = string | typeof ANY_RUN | typeof ANY_ONE;
export const ANY_RUN: unique symbol = Symbol('*');
export const ANY_ONE: unique symbol = Symbol('?');

/** Compiles pattern text with no variables: `*` and `?` are wildcards, everything else literal. */
export function compileWildcards(text: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  for (const char of text) {
    if (char === '*') tokens.push(ANY_RUN);
    else if (char === '?') tokens.push(ANY_ONE);
    else tokens.push(char);
  }
  return tokens;
}

/** Literal text as tokens (substituted variable values never act as wildcards). */
export function literalTokens(text: string): PatternToken[] {
  return [...text];
}

/**
 * IAM-style matching as AWS IoT policies use it: `*` is any run of characters (slashes
 * included), `?` exactly one character; MQTT's `+` and `#` are plain characters.
 */
export function tokensMatch(pattern: PatternToken[], value: string, ignoreCase = false): boolean {
  const chars = [...(ignoreCase ? value.toLowerCase() : value)];
  const same = (token: string, char: string): boolean =>
    ignoreCase ? token.toLowerCase() === char : token === char;
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < chars.length) {
    const token = pattern[p];
    const char = chars[v] as string;
    if (token === ANY_ONE || (typeof token === 'string' && same(token, char))) {
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
