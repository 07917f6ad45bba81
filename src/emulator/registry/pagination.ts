import { invalidRequest } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  next?: string;
}

/**
 * A list call's paging in either spelling AWS IoT uses: `pageSize`/`marker`/`ascendingOrder`
 * (certificates, CAs, policies) or `maxResults`/`nextToken` (things, templates).
 */
export interface ListRequest {
  pageSize?: number;
  marker?: string;
  ascendingOrder?: boolean;
  maxResults?: number;
  nextToken?: string;
}

interface PageOptions {
  pageSize?: number;
  token?: string;
  ascending?: boolean;
  defaultPageSize?: number;
}

/** The paging options of a list request; `ascending` when the request does not say. */
export function pageOptions(request: ListRequest, ascending = true): PageOptions {
  return {
    pageSize: request.pageSize ?? request.maxResults,
    token: request.marker ?? request.nextToken,
    ascending: request.ascendingOrder ?? ascending,
  };
}

/** The number a token holds, or undefined for no token. */
function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined || token === '') return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^\d+$/.test(decoded))
    throw invalidRequest(
      `The pagination token "${token}" is not valid: pass the token a previous page returned`,
    );
  return Number(decoded);
}

const encodeToken = (value: number): string => Buffer.from(String(value)).toString('base64url');

/**
 * One page of `items` ordered by `sequence`. The token holds the sequence of the last item
 * returned, so deleting or adding items between calls neither repeats nor skips survivors.
 */
export function paginate<T extends { sequence: number }>(items: Iterable<T>, options: PageOptions): Page<T> {
  const pageSize = options.pageSize ?? options.defaultPageSize ?? 250;
  const ascending = options.ascending ?? true;
  const after = decodeToken(options.token);
  const sorted = [...items]
    .filter((item) => after === undefined || (ascending ? item.sequence > after : item.sequence < after))
    .sort((a, b) => (ascending ? a.sequence - b.sequence : b.sequence - a.sequence));
  const page = sorted.slice(0, pageSize);
  const last = page[page.length - 1];
  return sorted.length > pageSize && last
    ? { items: page, next: encodeToken(last.sequence) }
    : { items: page };
}

/** One page of a small list by position (attachments): the token is the next index. */
export function paginateList<T>(items: T[], options: { pageSize?: number; token?: string }): Page<T> {
  const pageSize = options.pageSize ?? 250;
  const start = decodeToken(options.token) ?? 0;
  const page = items.slice(start, start + pageSize);
  const nextIndex = start + page.length;
  return nextIndex < items.length ? { items: page, next: encodeToken(nextIndex) } : { items: page };
}
