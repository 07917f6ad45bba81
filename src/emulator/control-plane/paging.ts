import { type OperationInput, queryBoolean, queryInteger, queryString } from './input.js';

/**
 * The paging a list call reads from its query, in the two spellings AWS IoT uses (botocore
 * service-2.json): both take 1..250 items a page.
 */

/** `maxResults` and `nextToken`: things, thing types, thing groups, provisioning templates. */
export function tokenPaging(input: OperationInput): { maxResults?: number; nextToken?: string } {
  return {
    maxResults: queryInteger(input.query, 'maxResults', 1, 250),
    nextToken: queryString(input.query, 'nextToken'),
  };
}

/** `pageSize` and `marker`: certificates, CA certificates, policies and their targets, role aliases. */
export function markerPaging(input: OperationInput): { pageSize?: number; marker?: string } {
  return {
    pageSize: queryInteger(input.query, 'pageSize', 1, 250),
    marker: queryString(input.query, 'marker'),
  };
}

/** markerPaging and `isAscendingOrder`, for the lists AWS can sort either way. */
export function orderedMarkerPaging(input: OperationInput): ReturnType<typeof markerPaging> & {
  ascendingOrder?: boolean;
} {
  return { ...markerPaging(input), ascendingOrder: queryBoolean(input.query, 'isAscendingOrder') };
}
