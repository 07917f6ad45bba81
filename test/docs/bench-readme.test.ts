import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BENCH = resolve(import.meta.dirname, '../../bench');

describe('bench/README.md', () => {
  it('names every script in bench/ in its table', () => {
    const scripts = readdirSync(BENCH).filter((name) => /\.(ts|mjs|js)$/.test(name));
    expect(scripts.length).toBeGreaterThan(0);
    const readme = readFileSync(join(BENCH, 'README.md'), 'utf8');
    const tableRows = readme.split('\n').filter((line) => line.startsWith('| `'));
    const missing = scripts.filter((script) => !tableRows.some((row) => row.startsWith(`| \`${script}\``)));
    expect(missing).toEqual([]);
  });
});
