import type { HttpResponseInit } from '@azure/functions';
import { type FunctionRequest, pathSegments } from '../host/index.js';
import type { ListQuery } from '../directory/directory.js';
import type { Condition, EntityShape, Page, PageRequest } from '../lib/query.js';
import { badRequest } from './errors.js';
import { json, text, type RequestContext } from './http.js';
import { contextUrl, pick } from './odata.js';
import { makeSkipToken, readSkipToken } from './paging.js';
import { MAX_PAGE_SIZE, parseCollectionQuery, type CollectionQuery, type Expansion } from './query/index.js';

/** A navigation property `$expand` may name: its target's shape, and what loads it for a page of items. */
export interface Navigation<T> {
  shape: EntityShape;
  /** The related entities of each item, by the item's id, as the caller sees them. */
  load(items: T[]): Promise<Map<string, object[]>>;
  /** The navigation's own collection URL, for `<property>@odata.nextLink` when an expansion is cut short. */
  url(item: T): string;
}

export interface CollectionSource<T> {
  shape: EntityShape;
  /** `@odata.context` fragment, e.g. `onPremisesPublishingProfiles('applicationProxy')/connectors`. */
  fragment: string;
  page(query: ListQuery, page: PageRequest): Promise<Page<T>>;
  count(query: ListQuery): Promise<number>;
  /** The navigation properties `$expand` may name. */
  navigation?: Record<string, Navigation<T>>;
  /** A `$ref` collection: each item is a reference to this URL, and `$select` and `$expand` do not apply. */
  reference?: (item: T) => string;
  /** Options the resource's metadata does not allow here (a 400 naming the option when given). */
  refused?: readonly ('$count' | '$skip' | '$search')[];
}

/** At most this many related entities are expanded per item; the rest are linked, as a nextLink with `$skip`. */
const MAX_EXPANDED = 100;

const REFERENCES_FRAGMENT = 'Collection($ref)';

/** What a collection's answer reads of its request: the URL and the query. */
type QueryRequest = Pick<FunctionRequest, 'url' | 'query'>;

const conjunction = (a?: Condition, b?: Condition): Condition | undefined => (a && b ? { kind: 'and', operands: [a, b] } : (a ?? b));

/** `$search` narrows like `$filter`: both must hold. */
const listQuery = (q: CollectionQuery): ListQuery => ({ filter: conjunction(q.filter, q.search), orderBy: q.orderBy });

const navigationShapes = (navigation: Record<string, { shape: EntityShape }> = {}) =>
  Object.fromEntries(Object.entries(navigation).map(([name, n]) => [name, n.shape]));

/** A collection's path as routing sees it (decoded segments, case-folded), so one collection has one path. */
export const collectionPath = (url: string) => pathSegments(new URL(url).pathname).join('/').toLowerCase();

/** The request's own query string without any skip token, to carry into the next link. */
function nextLink(ctx: RequestContext, req: QueryRequest, token: string): string {
  const url = new URL(req.url);
  const kept = [...url.searchParams].filter(([k]) => !/^\$?skiptoken$/i.test(k));
  const search = new URLSearchParams([...kept, ['$skiptoken', token]]).toString().replace(/%24/g, '$').replace(/%2C/gi, ',');
  return `${ctx.origin}${url.pathname}?${search}`;
}

/**
 * `$skip` over continuation tokens: pages of up to 999 items are read and dropped until `skip` items have
 * passed, and the continuation reached is where the first page starts. Costs ceil(skip / 999) extra
 * queries and the request units of reading the skipped items; later pages start from their skip token.
 */
async function skipPast<T>(source: CollectionSource<T>, query: ListQuery, skip: number): Promise<string | null> {
  let continuation: string | undefined;
  for (let remaining = skip; remaining > 0;) {
    const page = await source.page(query, { pageSize: Math.min(remaining, MAX_PAGE_SIZE), continuation });
    remaining -= page.items.length;
    continuation = page.continuation;
    // null: the collection ended within the skipped items.
    if (!continuation) return null;
  }
  return continuation ?? null;
}

/** The expanded navigation properties of each item, by the item's id. */
export async function expandItems<T extends { id: string }>(
  items: T[],
  expand: Expansion[],
  navigation: Record<string, Navigation<T>> = {},
): Promise<Map<string, Record<string, unknown>>> {
  const byItem = items.map((item): { item: T; props: Record<string, unknown> } => ({ item, props: {} }));
  const out = new Map(byItem.map(({ item, props }) => [item.id, props]));
  if (!items.length) return out;
  const loaded = await Promise.all(
    expand.map(async (e) => {
      // parseExpand admits only the properties of this navigation table.
      const nav = navigation[e.property];
      if (!nav) throw new Error(`expandItems: no navigation property '${e.property}'`);
      return { e, nav, related: await nav.load(items) };
    }),
  );
  for (const { e, nav, related: byId } of loaded) {
    for (const { item, props } of byItem) {
      const related = byId.get(item.id) ?? [];
      props[e.property] = related.slice(0, MAX_EXPANDED).map((r) => pick(r, e.select));
      if (related.length > MAX_EXPANDED) {
        const select = e.select ? `&$select=${e.select.join(',')}` : '';
        props[`${e.property}@odata.nextLink`] = `${nav.url(item)}?$skip=${MAX_EXPANDED}${select}`;
      }
    }
  }
  return out;
}

/**
 * A Graph collection response: query options parsed for the directory, one page, an absolute
 * `@odata.nextLink` whose `$skiptoken` is bound to this tenant, this collection and this query, `@odata.count`
 * on the first page when asked, expanded navigation properties, or references for a `$ref` collection.
 */
export async function collectionResponse<T extends { id: string }>(
  req: QueryRequest,
  ctx: RequestContext,
  tenantId: string,
  pagingKey: Uint8Array,
  source: CollectionSource<T>,
  present: (item: T) => object = (item) => item,
): Promise<HttpResponseInit> {
  const q = parseCollectionQuery(req.query, source.shape, { version: ctx.version, navigation: navigationShapes(source.navigation) });
  if (source.reference && (q.select || q.expand.length))
    throw badRequest('$select and $expand do not apply to a collection of references ($ref).');
  const given = { $count: q.count, $skip: q.skip > 0, $search: q.search !== undefined };
  const refused = source.refused?.find((option) => given[option]);
  if (refused) throw badRequest(`Query option '${refused}' is not supported on this resource.`);
  const binding = { tenantId, path: collectionPath(req.url), query: q.canonical };
  const query = listQuery(q);
  const firstPage = async (): Promise<Page<T>> => {
    if (q.skipToken !== undefined) {
      return source.page(query, { pageSize: q.pageSize, continuation: readSkipToken(q.skipToken, binding, pagingKey) });
    }
    const start = q.skip > 0 ? await skipPast(source, query, q.skip) : undefined;
    return start === null ? { items: [] } : source.page(query, { pageSize: q.pageSize, continuation: start });
  };
  const [page, count] = await Promise.all([
    firstPage(),
    q.count && q.skipToken === undefined ? source.count(query) : Promise.resolve(undefined),
  ]);
  const expanded = q.expand.length ? await expandItems(page.items, q.expand, source.navigation) : undefined;
  const reference = source.reference;
  return json(ctx, 200, {
    '@odata.context': reference ? contextUrl(ctx, REFERENCES_FRAGMENT) : contextUrl(ctx, source.fragment, q.select, q.expand),
    ...(count !== undefined ? { '@odata.count': count } : {}),
    ...(page.continuation ? { '@odata.nextLink': nextLink(ctx, req, makeSkipToken(page.continuation, binding, pagingKey)) } : {}),
    value: page.items.map((item) => {
      if (reference) return { '@odata.id': reference(item) };
      // Without an expansion the item is written as it is presented, not copied first.
      return expanded ? { ...pick(present(item), q.select), ...expanded.get(item.id) } : pick(present(item), q.select);
    }),
  });
}

/** A `$count` segment: the number as text/plain; `$filter` and `$search` narrow it, other options do not apply. */
export async function countResponse(req: QueryRequest, ctx: RequestContext, source: Pick<CollectionSource<unknown>, 'shape' | 'count'>) {
  const q = parseCollectionQuery(req.query, source.shape, { version: ctx.version });
  if (q.select || q.orderBy.length || q.skipToken !== undefined || q.count || q.skip || q.expand.length) {
    throw badRequest('Only $filter and $search can be combined with the $count segment.');
  }
  return text(ctx, 200, String(await source.count(listQuery(q))));
}

/** `$select` and `$expand` on a single entity; every other query option is refused. */
export function entityQuery(
  req: QueryRequest,
  ctx: RequestContext,
  shape: EntityShape,
  navigation?: Record<string, { shape: EntityShape }>,
): { select?: string[]; expand: Expansion[] } {
  // Most reads carry no query string: nothing to parse or refuse.
  if (req.query.size === 0) return { expand: [] };
  const q = parseCollectionQuery(req.query, shape, { version: ctx.version, navigation: navigationShapes(navigation) });
  const top = [...req.query.keys()].some((k) => k.toLowerCase() === '$top' || (ctx.version === 'beta' && k.toLowerCase() === 'top'));
  const given: [string, boolean][] = [
    ['$filter', q.filter !== undefined],
    ['$search', q.search !== undefined],
    ['$orderby', q.orderBy.length > 0],
    ['$count', q.count],
    ['$skiptoken', q.skipToken !== undefined],
    ['$top', top],
    ['$skip', q.skip > 0],
  ];
  const stray = given.find(([, present]) => present)?.[0];
  if (stray) throw badRequest(`Query option '${stray}' is not supported on a single entity.`);
  return { ...(q.select ? { select: q.select } : {}), expand: q.expand };
}
