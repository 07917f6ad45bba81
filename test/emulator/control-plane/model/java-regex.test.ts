import { describe, expect, it } from 'vitest';
import {
  compileJavaPattern,
  serviceModel,
  UnsupportedPatternError,
} from '../../../../src/emulator/control-plane/model/index.js';

describe('Java patterns of the service model in JavaScript', () => {
  it('anchors the whole value, as Java matches() does', () => {
    const thingName = compileJavaPattern('[a-zA-Z0-9:_-]+');
    expect(thingName.test('meter-1')).toBe(true);
    expect(thingName.test('meter 1')).toBe(false);
    expect(thingName.test('')).toBe(false);
    const alternatives = compileJavaPattern('([\\n\\t])|(\\r\\n)|(,)');
    expect(alternatives.test(',')).toBe(true);
    expect(alternatives.test(',,')).toBe(false);
  });

  it('reads Unicode classes with the u flag (TagKey)', () => {
    const tagKey = compileJavaPattern('^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
    expect(tagKey.test('Größe 10:a/b=c+d-e@f')).toBe(true);
    expect(tagKey.test('key!')).toBe(false);
    expect(tagKey.test('semi;colon')).toBe(false);
    const printable = compileJavaPattern('[^\\p{C}]*');
    expect(printable.test('a plain description')).toBe(true);
    expect(printable.test('bell\u0007')).toBe(false);
    expect(printable.test('tab\there')).toBe(false);
  });

  it('translates Java-only syntax: POSIX classes, \\Q..\\E, possessive quantifiers, escaped punctuation, \\h', () => {
    expect(compileJavaPattern('\\p{Alnum}+').test('abc123')).toBe(true);
    expect(compileJavaPattern('\\p{Alnum}+').test('ab-c')).toBe(false);
    expect(compileJavaPattern('[\\p{Upper}\\p{Digit}]{2,3}').test('A1B')).toBe(true);
    expect(compileJavaPattern('\\P{Digit}+').test('abc')).toBe(true);
    expect(compileJavaPattern('\\P{Digit}+').test('ab1')).toBe(false);
    expect(compileJavaPattern('\\Q1+1\\E').test('1+1')).toBe(true);
    expect(compileJavaPattern('\\Q1+1\\E').test('11')).toBe(false);
    expect(compileJavaPattern('a*+b').test('aaab')).toBe(true);
    expect(compileJavaPattern('\\:\\#x').test(':#x')).toBe(true);
    expect(compileJavaPattern('a\\hb').test('a b')).toBe(true);
    expect(compileJavaPattern('a\\vb').test('a\u2028b')).toBe(true);
    expect(compileJavaPattern('a\\vb').test('a b')).toBe(false);
    expect(compileJavaPattern('{a}').test('{a}')).toBe(true);
    expect(compileJavaPattern('[]a]+').test(']a')).toBe(true);
    expect(compileJavaPattern('\\Aab\\z').test('ab')).toBe(true);
  });

  it('refuses what it cannot translate instead of guessing', () => {
    expect(() => compileJavaPattern('[a-z&&[^b]]')).toThrow(UnsupportedPatternError);
    expect(() => compileJavaPattern('\\p{InGreek}')).toThrow(UnsupportedPatternError);
    expect(() => compileJavaPattern('[abc')).toThrow(UnsupportedPatternError);
    expect(() => compileJavaPattern('\\G')).toThrow(/cannot be translated/);
  });

  it('translates every pattern in the vendored model', () => {
    const patterns = new Set(
      Object.values(serviceModel().shapes)
        .map((shape) => shape.pattern)
        .filter((pattern): pattern is string => pattern !== undefined),
    );
    expect(patterns.size).toBeGreaterThan(40);
    const failures = [...patterns].filter((pattern) => {
      try {
        compileJavaPattern(pattern);
        return false;
      } catch {
        return true;
      }
    });
    expect(failures).toEqual([]);
  });
});
