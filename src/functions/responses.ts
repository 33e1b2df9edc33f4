import type { HttpResponseInit } from '@azure/functions';
import type { Directory, ListQuery } from '../directory/directory.js';
import type { Scope } from '../lib/deadline.js';
import type { EntityShape, PageRequest, Stored } from '../lib/query.js';
import { REGIONS, connectorShape, groupShape, type ConnectorDoc, type GroupDoc } from '../directory/documents.js';
import { connectorView, groupView } from '../directory/views.js';
import { expandItems, type Navigation } from '../graph/collection.js';
import { json, noContent, wantsMinimal, type RequestContext } from '../graph/http.js';
import { entityBody, etagOf, evolvableEnum } from '../graph/odata.js';
import type { Expansion } from '../graph/query/index.js';

const PROFILE_URL = 'onPremisesPublishingProfiles/applicationProxy';
export const PROFILE_FRAGMENT = "onPremisesPublishingProfiles('applicationProxy')";

/** The one publishing profile this service has; it is not stored, and the same for every tenant. */
export const APPLICATION_PROXY_PROFILE = {
  id: 'applicationProxy',
  isEnabled: true,
  isDefaultAccessEnabled: false,
  hybridAgentUpdaterConfiguration: null,
} as const;

/**
 * An entity's URL, key as a segment: its Location, and the `@odata.id` of `$ref` answers. OData's canonical
 * `connectorGroups('{id}')` form is accepted in `@odata.id` bodies, but only this form is routed, so a
 * client can GET every URL the service hands out.
 */
export const groupUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectorGroups/${id}`;
export const connectorUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectors/${id}`;

/**
 * Applications live elsewhere in Graph; here an application is what its assignment knows: its id. `$select`
 * can name only `id`, and `$filter`, `$orderby` and `$search` have nothing to work on.
 */
export const APPLICATION_SHAPE: EntityShape = { properties: {} };
export const applicationView = (app: { id: string }) => ({ '@odata.type': '#microsoft.graph.application', id: app.id });

/** A connectorGroup as this caller sees it: a region unknown to the contract is evolvable. */
export const presentGroup = (ctx: RequestContext) => (doc: GroupDoc) => ({
  ...groupView(doc),
  region: evolvableEnum(ctx, doc.region, REGIONS),
});

/** A group's members as a collection (the members list and its `$ref` form page and count alike). */
export const membersSource = (directory: Directory, scope: Scope, groupId: string) => ({
  shape: connectorShape,
  fragment: `${PROFILE_FRAGMENT}/connectorGroups('${groupId}')/members`,
  page: (query: ListQuery, page: PageRequest) => directory.listMembers(scope, groupId, query, page),
  count: (query: ListQuery) => directory.countMembers(scope, groupId, query),
});

/** A connector's groups (always one) as a collection, for the memberOf list and its `$ref` form. */
export const memberOfSource = (directory: Directory, scope: Scope, connectorId: string) => ({
  shape: groupShape,
  fragment: `${PROFILE_FRAGMENT}/connectors('${connectorId}')/memberOf`,
  page: (query: ListQuery, page: PageRequest) => directory.listMemberOf(scope, connectorId, query, page),
  count: (query: ListQuery) => directory.countMemberOf(scope, connectorId, query),
});

/** `$expand=members` on groups: the connectors of a page of groups, read in two queries. */
export const groupNavigation = (ctx: RequestContext, directory: Directory, scope: Scope): Record<string, Navigation<GroupDoc>> => ({
  members: {
    shape: connectorShape,
    load: async (groups) => {
      const found = await directory.membersOfGroups(
        scope,
        groups.map((g) => g.id),
      );
      return new Map([...found].map(([id, connectors]) => [id, connectors.map(connectorView)]));
    },
    url: (group) => `${groupUrl(ctx, group.id)}/members`,
  },
});

/** `$expand=memberOf` on connectors: the group of each connector of a page, read in two queries. */
export const connectorNavigation = (ctx: RequestContext, directory: Directory, scope: Scope): Record<string, Navigation<ConnectorDoc>> => ({
  memberOf: {
    shape: groupShape,
    load: async (connectors) => {
      const found = await directory.groupsOfConnectors(
        scope,
        connectors.map((c) => c.id),
      );
      return new Map([...found].map(([id, group]) => [id, [presentGroup(ctx)(group)]]));
    },
    url: (connector) => `${connectorUrl(ctx, connector.id)}/memberOf`,
  },
});

interface EntityOptions<T> {
  status?: number;
  /**
   * The context's path when the request reached the entity through a navigation property without a binding
   * (`applications('{id}')/connectorGroup`): OData's context URL then names that path, not the entity's set.
   */
  path?: string;
  select?: string[];
  expand?: Expansion[];
  navigation?: Record<string, Navigation<T>>;
}

async function entity<T extends Stored<GroupDoc> | Stored<ConnectorDoc>>(
  ctx: RequestContext,
  kind: 'connectorGroup' | 'connector',
  doc: T,
  view: { id: string },
  options: EntityOptions<T>,
): Promise<HttpResponseInit> {
  const { status = 200, select, expand = [], navigation, path = `${PROFILE_FRAGMENT}/${kind}s` } = options;
  const headers: Record<string, string> = { ETag: etagOf(doc._etag) };
  if (status === 201) headers.Location = (kind === 'connector' ? connectorUrl : groupUrl)(ctx, view.id);
  const expanded = expand.length ? (await expandItems([doc], expand, navigation)).get(doc.id) : undefined;
  // Entities live in the profile's containment: Graph's context is …#onPremisesPublishingProfiles('applicationProxy')/connectorGroups/$entity.
  // The seed pages show @odata.type on the created entity; it is harmless elsewhere.
  const body = entityBody(ctx, `${path}/$entity`, view, { etag: doc._etag, select, expand, type: kind });
  return json(ctx, status, { ...body, ...expanded }, headers);
}

/** A single connectorGroup with its ETag; 201 adds Location. */
export const groupEntity = (ctx: RequestContext, doc: Stored<GroupDoc>, options: EntityOptions<Stored<GroupDoc>> = {}) =>
  entity(ctx, 'connectorGroup', doc, presentGroup(ctx)(doc), options);

export const connectorEntity = (ctx: RequestContext, doc: Stored<ConnectorDoc>, options: EntityOptions<Stored<ConnectorDoc>> = {}) =>
  entity(ctx, 'connector', doc, connectorView(doc), options);

/** A write's answer: the entity, or 204 when the caller asked for `Prefer: return=minimal`. */
export const orMinimal = (ctx: RequestContext, full: () => Promise<HttpResponseInit>) =>
  wantsMinimal(ctx) ? Promise.resolve(noContent(ctx, { 'Preference-Applied': 'return=minimal' })) : full();
