/** What a request's query options parse into (index.ts, `parseCollectionQuery`). */
import type { Condition, EntityShape, Ordering } from '../../lib/query.js';

/** One `$expand` item: a navigation property, with the properties its nested `$select` keeps. */
export interface Expansion {
  property: string;
  select?: string[];
}

export interface CollectionQuery {
  /** Validated property names, in request order, without duplicates (`id` is always allowed). */
  select?: string[];
  filter?: Condition;
  /** `$search`, as a condition over the entity's string properties (ANDed with `filter` by the caller). */
  search?: Condition;
  orderBy: Ordering[];
  /** `$top` (1–999), else 100. */
  pageSize: number;
  /** `$skip` (0 when absent): items passed over before the first page. */
  skip: number;
  expand: Expansion[];
  /** `$count=true`. */
  count: boolean;
  /** The raw `$skiptoken`, opaque here. */
  skipToken?: string;
  /**
   * Canonical text of every option except `$skiptoken` (made from the compiled form), to bind a skip token
   * to its query: equal for the same options whatever the `$` form, order, case or encoding, else different.
   */
  canonical: string;
}

export interface QueryOptions {
  version: 'beta' | 'v1.0';
  /** The navigation properties `$expand` may name, each with its target's shape (for the nested `$select`). */
  navigation?: Record<string, EntityShape>;
}
