import { MultiIndex } from './multi-index.js';
import { type ListRequest, type Page, pageOptions, paginateList } from './pagination.js';

/**
 * A many-to-many attachment kept in both directions: thing → principals and principal → things,
 * or policy → targets and target → policies. Saved as [left, right] pairs.
 */
export class Relation {
  private readonly rightsOf = new MultiIndex<string, string>();
  private readonly leftsOf = new MultiIndex<string, string>();

  add(left: string, right: string): void {
    this.rightsOf.add(left, right);
    this.leftsOf.add(right, left);
  }

  delete(left: string, right: string): void {
    this.rightsOf.delete(left, right);
    this.leftsOf.delete(right, left);
  }

  /** Detaches everything from `right`. */
  deleteRight(right: string): void {
    for (const left of this.leftsOf.deleteKey(right)) this.rightsOf.delete(left, right);
  }

  hasLeft(left: string): boolean {
    return this.rightsOf.has(left);
  }

  hasRight(right: string): boolean {
    return this.leftsOf.has(right);
  }

  hasPair(left: string, right: string): boolean {
    return this.rightsOf.hasValue(left, right);
  }

  countLefts(right: string): number {
    return this.leftsOf.count(right);
  }

  rights(left: string): string[] {
    return this.rightsOf.values(left);
  }

  lefts(right: string): string[] {
    return this.leftsOf.values(right);
  }

  pageOfRights(left: string, request: ListRequest): Page<string> {
    return paginateList(this.rights(left), pageOptions(request));
  }

  pageOfLefts(right: string, request: ListRequest): Page<string> {
    return paginateList(this.lefts(right), pageOptions(request));
  }

  /** Every [left, right] pair. */
  pairs(): IterableIterator<[string, string]> {
    return this.rightsOf.pairs();
  }
}
