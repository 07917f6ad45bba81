import { escapeMarkup as e } from './escape.js';
import { formatMs } from './format.js';
import type { EntryView } from './model.js';

/** Building blocks of the HTML report's sections: tables, chart placeholders, pattern cells. */

/** A table whose first column heads each row; columns in `textColumns` are prose, the rest figures. */
export function table(
  headers: string[],
  rows: string[][],
  caption?: string,
  textColumns: number[] = [],
): string {
  const head = headers.map((header) => `<th scope="col">${header}</th>`).join('');
  const cellOf = (cell: string, index: number) => {
    if (index === 0) return `<th scope="row">${cell}</th>`;
    return textColumns.includes(index) ? `<td class="text">${cell}</td>` : `<td class="num">${cell}</td>`;
  };
  const body = rows.map((cells) => `<tr>${cells.map(cellOf).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table>${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function chart(id: string, caption: string): string {
  return `<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${e(caption)}"></canvas></div><figcaption>${e(caption)}</figcaption></figure>`;
}

export function patternCell(entry: EntryView): string {
  return `<span class="pattern">${e(entry.label)}</span><br><span class="muted">${e(entry.title)}</span>`;
}

export function best<T>(items: T[], score: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>(
    (winner, item) => (winner === undefined || score(item) < score(winner) ? item : winner),
    undefined,
  );
}

export function latencyOrDash(entry: EntryView, value: number): string {
  return entry.timeToConnected.count === 0 ? '–' : formatMs(value);
}
