/**
 * Translates the Java regular expressions of AWS's service model to JavaScript. The service
 * (Java) matches a value against the whole pattern (Matcher.matches), so the result is anchored;
 * it uses the `u` flag so `\p{L}`-style Unicode classes mean what they mean in Java.
 */

export class UnsupportedPatternError extends Error {}

/** Java's POSIX and `java.lang.Character` classes as JavaScript class contents (US-ASCII, Java's default). */
const NAMED_CLASSES: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: '\\p{Lowercase}',
  javaUpperCase: '\\p{Uppercase}',
  javaWhitespace: '\\t-\\r\\x1C-\\x1F\\p{Zs}\\p{Zl}\\p{Zp}',
};

/** Java's horizontal whitespace `\h`. */
const HORIZONTAL_SPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';

/** Java's vertical whitespace `\v` (JavaScript's `\v` is only the vertical tab). */
const VERTICAL_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';

/** Characters JavaScript's `u` mode lets a backslash escape (outside a class; `-` too inside one). */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

function unicodeProperty(name: string): string {
  if (NAMED_CLASSES[name] !== undefined) return NAMED_CLASSES[name];
  if (name.startsWith('Is')) {
    const rest = name.slice(2);
    if (/^(Alphabetic|Letter|Lowercase|Uppercase|White_Space|Digit|Punctuation)$/.test(rest)) {
      return rest === 'Letter' ? '\\p{L}' : `\\p{${rest === 'Digit' ? 'Nd' : rest}}`;
    }
    return `\\p{Script=${rest}}`;
  }
  if (name.startsWith('In')) throw new UnsupportedPatternError(`Unicode block \\p{${name}}`);
  // General categories (L, Lu, N, Z, C, ...) and `Script=`-style names read alike in both.
  return `\\p{${name.replace(/^general_category=|^gc=/i, 'General_Category=')}}`;
}

interface Translation {
  source: string;
  /** Set once the previous token was a quantifier (a following `+` makes it possessive in Java). */
  afterQuantifier: boolean;
}

/** A `{n}`, `{n,}` or `{n,m}` quantifier at `index`, or undefined for a literal brace. */
function quantifierAt(pattern: string, index: number): string | undefined {
  return /^\{\d+(,\d*)?\}/.exec(pattern.slice(index))?.[0];
}

/** Translates one backslash escape at `index` (pointing at the backslash); returns [text, next index]. */
function escapeAt(pattern: string, index: number, inClass: boolean): [string, number] {
  const next = pattern[index + 1];
  if (next === undefined) throw new UnsupportedPatternError('a trailing backslash');
  if (next === 'p' || next === 'P') {
    const braced = /^\{([^}]+)\}/.exec(pattern.slice(index + 2));
    const name = braced ? braced[1]! : pattern[index + 2];
    if (!name) throw new UnsupportedPatternError(`\\${next} without a class name`);
    const end = index + 2 + (braced ? braced[0].length : 1);
    const body = unicodeProperty(name);
    if (next === 'P') {
      if (inClass) throw new UnsupportedPatternError(`\\P{${name}} inside a character class`);
      return [`[^${body}]`, end];
    }
    return [inClass ? body : `[${body}]`, end];
  }
  if (next === 'Q') {
    const close = pattern.indexOf('\\E', index + 2);
    const literal = pattern.slice(index + 2, close === -1 ? undefined : close);
    return [literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), close === -1 ? pattern.length : close + 2];
  }
  if (next === 'h') return [inClass ? HORIZONTAL_SPACE : `[${HORIZONTAL_SPACE}]`, index + 2];
  if (next === 'v') return [inClass ? VERTICAL_SPACE : `[${VERTICAL_SPACE}]`, index + 2];
  if (next === 'A') return ['^', index + 2];
  if (next === 'z' || next === 'Z') return ['$', index + 2];
  if (next === 'e') return ['\\x1B', index + 2];
  if (next === 'x' && pattern[index + 2] === '{') {
    const close = pattern.indexOf('}', index + 3);
    return [`\\u{${pattern.slice(index + 3, close)}}`, close + 1];
  }
  if (next === '0') {
    const octal = /^[0-7]{1,3}/.exec(pattern.slice(index + 2))?.[0] ?? '0';
    return [`\\u{${Number.parseInt(octal, 8).toString(16)}}`, index + 2 + octal.length];
  }
  if (/[A-Za-z0-9]/.test(next)) {
    if (!/[dDwWsSbBntrfcxu1-9]/.test(next)) throw new UnsupportedPatternError(`the escape \\${next}`);
    return [`\\${next}`, index + 2];
  }
  if (SYNTAX.has(next) || (inClass && next === '-')) return [`\\${next}`, index + 2];
  // Java escapes any punctuation; JavaScript's `u` mode only syntax characters.
  return [next, index + 2];
}

function translate(pattern: string): string {
  const out: Translation = { source: '', afterQuantifier: false };
  let inClass = false;
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (char === '\\') {
      const [text, next] = escapeAt(pattern, index, inClass);
      out.source += text;
      out.afterQuantifier = false;
      index = next;
      continue;
    }
    if (inClass) {
      if (char === '[') throw new UnsupportedPatternError('a nested character class');
      if (char === '&' && pattern[index + 1] === '&')
        throw new UnsupportedPatternError('character class intersection');
      if (char === ']') inClass = false;
      out.source += char;
      index += 1;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out.source += char;
      // A `]` right after `[` or `[^` is a literal in Java.
      const negated = pattern[index + 1] === '^';
      if (negated) out.source += '^';
      index += negated ? 2 : 1;
      if (pattern[index] === ']') {
        out.source += '\\]';
        index += 1;
      }
      out.afterQuantifier = false;
      continue;
    }
    if (char === '+' && out.afterQuantifier) {
      // Possessive quantifier: JavaScript has none; the greedy one accepts a superset.
      out.afterQuantifier = false;
      index += 1;
      continue;
    }
    if (char === '{') {
      const quantifier = quantifierAt(pattern, index);
      out.source += quantifier ?? '\\{';
      out.afterQuantifier = quantifier !== undefined;
      index += quantifier?.length ?? 1;
      continue;
    }
    if (char === '}') {
      out.source += '\\}';
      out.afterQuantifier = false;
      index += 1;
      continue;
    }
    out.source += char;
    out.afterQuantifier = char === '*' || char === '+' || char === '?';
    index += 1;
  }
  if (inClass) throw new UnsupportedPatternError('an unclosed character class');
  return out.source;
}

/** Compiles a model pattern into an anchored JavaScript RegExp (`u` flag). */
export function compileJavaPattern(pattern: string): RegExp {
  let source: string;
  try {
    source = translate(pattern);
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (error) {
    const reason = error instanceof UnsupportedPatternError ? `unsupported: ${error.message}` : String(error);
    throw new UnsupportedPatternError(`the model pattern ${pattern} cannot be translated (${reason})`);
  }
}
