/**
 * OData query options of a collection request, parsed into a store-neutral description: the selected
 * properties, a typed condition (`Condition`) and an ordering over the entity's own properties. The store
 * compiles the condition to parameterized SQL; no request text ever becomes query text.
 *
 * Supported: `$select`, `$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$skiptoken`, `$search` and `$expand`
 * (of the navigation properties the caller names, with a nested `$select`). Every other system query option
 * is a 400 naming it, never silently ignored.
 *
 * Option names:
 * - Case-insensitive (`$Filter` = `$filter`), as OData 4.01 asks.
 * - beta: the `$` is optional. A bare name that is an OData system query option is that option (`top=5`
 *   is `$top=5`, `expand=x` is a 400 for `$expand`). Other bare names are custom query options and ignored.
 * - v1.0: only `$`-names are options. A bare name (`filter=...`) is a custom query option and is ignored.
 * - An option given twice (`$top` and `top`, or `$top` twice): 400.
 *
 * `$filter` grammar (hand-written: `@odata/parser` 0.2.14 has no `in` operator):
 *   or    := and ('or' and)*
 *   and   := unary ('and' unary)*
 *   unary := 'not' unary | cmp
 *   cmp   := primary [ ('eq' | 'ne') primary | 'in' '(' literal (',' literal)* ')' ]
 *   primary := '(' or ')' | startswith '(' property ',' string ')' | property | literal
 * Keywords and function names are case-insensitive; property names are exact. Literals: `'text'` (quote
 * doubled inside), `true`, `false`, `null`, and GUIDs (bare or quoted) for guid properties. Enum values are
 * quoted strings and must be members of the property's enum. Each literal is checked against its
 * property's type here, so the condition holds only values of the right type.
 */
import type { EntityShape, Ordering, Condition } from '../directory/directory.js';
import { badRequest } from './errors.js';
import { parseExpand } from './query/expand.js';
import { parseFilter } from './query/filter-check.js';
import { DEFAULT_PAGE_SIZE, collectOptions, parseCount, parseSkip, parseTop } from './query/options.js';
import { parseSearch } from './query/search.js';
import { parseOrderBy, parseSelect } from './query/select.js';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SKIP } from './query/options.js';
export type { EntityShape };

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

export function parseCollectionQuery(query: URLSearchParams, shape: EntityShape, options: QueryOptions): CollectionQuery {
  const raw = collectOptions(query, options.version);
  const select = raw.has('select') ? parseSelect(raw.get('select')!, shape) : undefined;
  const filter = raw.has('filter') ? parseFilter(raw.get('filter')!, shape) : undefined;
  const search = raw.has('search') ? parseSearch(raw.get('search')!, shape) : undefined;
  const orderBy = raw.has('orderby') ? parseOrderBy(raw.get('orderby')!, shape) : [];
  const pageSize = raw.has('top') ? parseTop(raw.get('top')!) : DEFAULT_PAGE_SIZE;
  const skip = raw.has('skip') ? parseSkip(raw.get('skip')!) : 0;
  const count = raw.has('count') ? parseCount(raw.get('count')!) : false;
  const expand = raw.has('expand') ? parseExpand(raw.get('expand')!, options.navigation ?? {}, options.version) : [];
  const skipToken = raw.get('skiptoken');
  if (skipToken === '') throw badRequest('The $skiptoken is empty.');
  const canonical = JSON.stringify({
    select: select ?? null,
    filter: filter ?? null,
    search: search ?? null,
    orderby: orderBy.map((o) => [o.property, o.descending ? 'desc' : 'asc']),
    top: pageSize,
    skip,
    count,
    expand: expand.map((e) => [e.property, e.select ?? null]),
  });
  return {
    ...(select ? { select } : {}),
    ...(filter ? { filter } : {}),
    ...(search ? { search } : {}),
    orderBy,
    pageSize,
    skip,
    count,
    expand,
    ...(skipToken !== undefined ? { skipToken } : {}),
    canonical,
  };
}
