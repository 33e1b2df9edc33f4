/**
 * OData query options of a collection request, parsed into a store-neutral description: the selected
 * properties, a typed condition (`Condition`) and an ordering over the entity's own properties. The store
 * compiles the condition to parameterized SQL; no request text ever becomes query text.
 *
 * Supported: `$select`, `$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$skiptoken`, `$search` and `$expand`
 * (of the navigation properties the caller names, with a nested `$select`). Every other system query option
 * is a 400 naming it, never silently ignored. Which parameters are options: `collectOptions` (options.ts);
 * the `$filter` grammar: `parseFilter` (filter.ts). Each option's limits are checked where it is parsed.
 */
import type { EntityShape } from '../../lib/query.js';
import { badRequest } from '../errors.js';
import { parseExpand } from './expand.js';
import { parseFilter } from './filter.js';
import { DEFAULT_PAGE_SIZE, collectOptions, parseCount, parseSkip, parseTop } from './options.js';
import { parseSearch } from './search.js';
import { parseOrderBy, parseSelect } from './select.js';
import type { CollectionQuery, QueryOptions } from './types.js';

export { MAX_PAGE_SIZE } from './options.js';
export type { CollectionQuery, Expansion, QueryOptions } from './types.js';

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
