import { invalidRequest } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  next?: string;
}

/**
 * One page of `items` ordered by `sequence`. The token holds the sequence of the last item
 * returned, so deleting or adding items between calls neither repeats nor skips survivors.
 */
export function paginate<T extends { sequence: number }>(
  items: Iterable<T>,
  options: { pageSize?: number; token?: string; ascending?: boolean; defaultPageSize?: number },
): Page<T> {
  const pageSize = options.pageSize ?? options.defaultPageSize ?? 250;
  const ascending = options.ascending ?? true;
  let after: number | undefined;
  if (options.token !== undefined && options.token !== '') {
    const decoded = Buffer.from(options.token, 'base64url').toString('utf8');
    if (!/^\d+$/.test(decoded))
      throw invalidRequest(
        `The pagination token "${options.token}" is not valid: pass the token a previous page returned`,
      );
    after = Number(decoded);
  }
  const sorted = [...items]
    .filter((item) => after === undefined || (ascending ? item.sequence > after : item.sequence < after))
    .sort((a, b) => (ascending ? a.sequence - b.sequence : b.sequence - a.sequence));
  const page = sorted.slice(0, pageSize);
  const last = page[page.length - 1];
  return sorted.length > pageSize && last
    ? { items: page, next: Buffer.from(String(last.sequence)).toString('base64url') }
    : { items: page };
}

/** One page of a small list by position (attachments): the token is the next index. */
export function paginateList<T>(items: T[], options: { pageSize?: number; token?: string }): Page<T> {
  const pageSize = options.pageSize ?? 250;
  let start = 0;
  if (options.token !== undefined && options.token !== '') {
    const decoded = Buffer.from(options.token, 'base64url').toString('utf8');
    if (!/^\d+$/.test(decoded))
      throw invalidRequest(
        `The pagination token "${options.token}" is not valid: pass the token a previous page returned`,
      );
    start = Number(decoded);
  }
  const page = items.slice(start, start + pageSize);
  const nextIndex = start + page.length;
  return nextIndex < items.length
    ? { items: page, next: Buffer.from(String(nextIndex)).toString('base64url') }
    : { items: page };
}
