import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { checkMarkdownLinks, headingAnchors, markdownLinks } from '../support/markdown-links.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const README_LIMIT_BYTES = 10_240;

/** README.md, bench/README.md and every page under docs/. */
function documentationFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), join(ROOT, 'bench', 'README.md'), ...docs];
}

describe('markdown link checking', () => {
  it('finds inline and reference links, but none inside code', () => {
    const text = [
      'See [the run page](docs/running.md#shards) and [bench][b].',
      '`[not a link](nowhere.md)`',
      '```sh',
      'echo "[also not](nowhere.md)"',
      '```',
      '[b]: bench/README.md',
      'And <https://example.com> or [web](https://example.com/x.md).',
    ].join('\n');
    expect(markdownLinks(text)).toEqual([
      'docs/running.md#shards',
      'https://example.com/x.md',
      'bench/README.md',
    ]);
  });

  it('anchors follow GitHub: backticks and punctuation dropped, duplicates numbered', () => {
    const text = '# Title\n## `provbench ci`\n## Merging shards: `provbench merge`\n## Notes\n## Notes\n';
    expect([...headingAnchors(text)]).toEqual([
      'title',
      'provbench-ci',
      'merging-shards-provbench-merge',
      'notes',
      'notes-1',
    ]);
    expect(new GithubSlugger().slug('Limits under `--quotas aws`')).toBe('limits-under---quotas-aws');
  });

  it('reports a missing file and a missing anchor, and accepts what exists', () => {
    const files: Record<string, string> = {
      '/r/README.md':
        '[ok](docs/a.md#two) [gone](docs/missing.md) [bad](docs/a.md#three) [self](#top)\n# Top\n',
      '/r/docs/a.md': '# One\n## Two\n',
    };
    const broken = checkMarkdownLinks('/r/README.md', {
      exists: (path) => path in files || path === '/r/docs',
      read: (path) => files[path] ?? '',
    });
    expect(broken).toEqual([
      'docs/missing.md: no such file',
      'docs/a.md#three: no heading "three" in docs/a.md',
    ]);
  });
});

describe('documentation', () => {
  it(`README.md is an entry page of at most ${README_LIMIT_BYTES} bytes`, () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_LIMIT_BYTES);
  });

  it('README.md gives the test command (CI and hooks look for it)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm test');
  });

  it('every relative link in README.md, bench/README.md and docs/ resolves', () => {
    const files = documentationFiles();
    expect(files.length).toBeGreaterThan(3);
    const broken = files.flatMap((file) =>
      checkMarkdownLinks(file, {
        exists: (path) => existsSync(path),
        read: (path) => readFileSync(path, 'utf8'),
      }).map((problem) => `${relative(ROOT, file)}: ${problem}`),
    );
    expect(broken).toEqual([]);
  });
});
