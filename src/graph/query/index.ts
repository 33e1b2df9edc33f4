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
  /** The option parsed when the query gives it, else what its absence means. */
  const given = <T, A>(name: Parameters<typeof raw.get>[0], parse: (text: string) => T, absent: A): T | A => {
    const text = raw.get(name);
    return text === undefined ? absent : parse(text);
  };
  const select = given('select', (text) => parseSelect(text, shape), undefined);
  const filter = given('filter', (text) => parseFilter(text, shape), undefined);
  const search = given('search', (text) => parseSearch(text, shape), undefined);
  const orderBy = given('orderby', (text) => parseOrderBy(text, shape), []);
  const pageSize = given('top', parseTop, DEFAULT_PAGE_SIZE);
  const skip = given('skip', parseSkip, 0);
  const count = given('count', parseCount, false);
  const expand = given('expand', (text) => parseExpand(text, options.navigation ?? {}, options.version), []);
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
