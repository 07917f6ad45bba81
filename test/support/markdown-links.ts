import { dirname, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

/** The lines of a markdown text outside fenced code blocks. */
function linesOutsideFences(text: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      continue;
    }
    if (fence === null) lines.push(line);
  }
  return lines;
}

/** Link targets of a markdown text, inline links first, then reference definitions. */
export function markdownLinks(text: string): string[] {
  const prose = linesOutsideFences(text).map((line) => line.replace(/(`+)[^`]*?\1/g, ''));
  const inline = prose.flatMap((line) =>
    [...line.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
      (match) => match[1] as string,
    ),
  );
  const references = prose.flatMap((line) => {
    const target = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line)?.[1];
    return target ? [target] : [];
  });
  return [...inline, ...references];
}

/** The anchors GitHub gives the headings of a markdown text, in order. */
export function headingAnchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of linesOutsideFences(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) anchors.add(slugger.slug(heading.replace(/`/g, '')));
  }
  return anchors;
}

export interface FileAccess {
  exists(path: string): boolean;
  read(path: string): string;
}

/**
 * The broken relative links of one markdown file: a target file that does not exist, or an
 * anchor (`page.md#heading`, `#heading`) that no heading of the target makes. Absolute URLs
 * (`https:`, `mailto:`) are not checked.
 */
export function checkMarkdownLinks(file: string, files: FileAccess): string[] {
  const text = files.read(file);
  const broken: string[] = [];
  for (const link of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
    const [pathPart = '', anchor] = link.split('#', 2);
    const target = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (!files.exists(target)) {
      broken.push(`${link}: no such file`);
      continue;
    }
    if (anchor && target.endsWith('.md') && !headingAnchors(files.read(target)).has(anchor)) {
      broken.push(`${link}: no heading "${anchor}" in ${pathPart || 'this file'}`);
    }
  }
  return broken;
}
