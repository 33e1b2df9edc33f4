import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { MAX_ORDER_BY, type ListQuery, type Page, type PageRequest } from '../directory/directory.js';
import { badRequest } from './errors.js';
import { json, text, type RequestContext } from './http.js';
import { contextUrl, pick } from './odata.js';
import { makeSkipToken, readSkipToken } from './paging.js';
import { pathSegments } from './routing.js';
import { parseCollectionQuery, type CollectionQuery, type EntityShape } from './query.js';

export interface CollectionSource<T> {
  shape: EntityShape;
  /** `@odata.context` fragment, e.g. `onPremisesPublishingProfiles('applicationProxy')/connectors`. */
  fragment: string;
  page(query: ListQuery, page: PageRequest): Promise<Page<T>>;
  count(query: ListQuery): Promise<number>;
}

/** A collection's path as routing sees it (decoded segments, case-folded), so one collection has one path. */
export const collectionPath = (url: string) => pathSegments(new URL(url).pathname).join('/').toLowerCase();

const listQuery = (q: CollectionQuery): ListQuery => ({ filter: q.filter, orderBy: q.orderBy });

/** The request's own query string without any skip token, to carry into the next link. */
function nextLink(ctx: RequestContext, req: HttpRequest, token: string): string {
  const url = new URL(req.url);
  const kept = [...url.searchParams].filter(([k]) => !/^\$?skiptoken$/i.test(k));
  const search = new URLSearchParams([...kept, ['$skiptoken', token]]).toString().replace(/%24/g, '$').replace(/%2C/gi, ',');
  return `${ctx.origin}${url.pathname}?${search}`;
}

/**
 * A Graph collection response: query options parsed for the directory, one page, an absolute
 * `@odata.nextLink` whose `$skiptoken` is bound to this tenant, this collection and this query, `@odata.count` on the first
 * page when asked.
 */
export async function collectionResponse<T extends { id: string }>(
  req: HttpRequest,
  ctx: RequestContext,
  tenantId: string,
  pagingKey: Uint8Array,
  source: CollectionSource<T>,
  present: (item: T) => object = (item) => item,
): Promise<HttpResponseInit> {
  const q = parseCollectionQuery(req.query, source.shape, { version: ctx.version });
  if (q.orderBy.length > MAX_ORDER_BY) throw badRequest(`$orderby supports at most ${MAX_ORDER_BY} properties.`);
  const binding = { tenantId, path: collectionPath(req.url), query: q.canonical };
  const continuation = q.skipToken === undefined ? undefined : readSkipToken(q.skipToken, binding, pagingKey);
  const query = listQuery(q);
  const [page, count] = await Promise.all([
    source.page(query, { pageSize: q.pageSize, continuation }),
    q.count && continuation === undefined ? source.count(query) : Promise.resolve(undefined),
  ]);
  return json(ctx, 200, {
    '@odata.context': contextUrl(ctx, source.fragment, q.select),
    ...(count !== undefined ? { '@odata.count': count } : {}),
    ...(page.continuation ? { '@odata.nextLink': nextLink(ctx, req, makeSkipToken(page.continuation, binding, pagingKey)) } : {}),
    value: page.items.map((item) => pick(present(item), q.select)),
  });
}

/** A `$count` segment: the number as text/plain; `$filter` narrows it, other options do not apply. */
export async function countResponse(req: HttpRequest, ctx: RequestContext, source: Pick<CollectionSource<unknown>, 'shape' | 'count'>) {
  const q = parseCollectionQuery(req.query, source.shape, { version: ctx.version });
  if (q.select || q.orderBy.length || q.skipToken !== undefined || q.count) {
    throw badRequest('Only $filter can be combined with the $count segment.');
  }
  return text(ctx, 200, String(await source.count(listQuery(q))));
}

/** `$select` on a single entity; every other query option is refused. */
export function entitySelect(req: HttpRequest, ctx: RequestContext, shape: EntityShape): string[] | undefined {
  const q = parseCollectionQuery(req.query, shape, { version: ctx.version });
  const top = [...req.query.keys()].some((k) => k.toLowerCase() === '$top' || (ctx.version === 'beta' && k.toLowerCase() === 'top'));
  const stray = q.filter ? '$filter' : q.orderBy.length ? '$orderby' : q.count ? '$count' : q.skipToken !== undefined ? '$skiptoken' : top ? '$top' : undefined;
  if (stray) throw badRequest(`Query option '${stray}' is not supported on a single entity.`);
  return q.select;
}
