/**
 * Reading membership from either side: a group's members, a connector's memberOf (always one group), each
 * as a collection, its `$count` and its `$ref` form (docs/API.md, "Routes"). Moving and removing are in
 * move-connector.ts and remove-member.ts.
 */
import { connectorShape, groupShape } from '../directory/documents.js';
import { connectorView } from '../directory/views.js';
import { collectionResponse, countResponse } from '../graph/collection.js';
import { COUNT_OPTIONS, LIST_OPTIONS, REF_OPTIONS } from '../graph/openapi.js';
import { connectorNavigation, connectorUrl, groupNavigation, groupUrl, memberOfSource, membersSource, presentGroup } from './responses.js';
import { endpoint } from './services.js';

export const connectorGroupsMembersList = endpoint({
  name: 'connectorGroups-members-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: {
    summary: 'List the connectors of a group',
    status: 200,
    response: { kind: 'collection', type: 'connector' },
    query: [...LIST_OPTIONS],
  },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, params, scope }) =>
      collectionResponse(
        req,
        ctx,
        scope.tenantId,
        pagingKey,
        {
          ...membersSource(directory, scope, params.id),
          navigation: connectorNavigation(ctx, directory, scope),
        },
        connectorView,
      ),
});

export const connectorGroupsMembersCount = endpoint({
  name: 'connectorGroups-members-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$count',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Count the connectors of a group', status: 200, response: { kind: 'count' }, query: [...COUNT_OPTIONS] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) =>
      countResponse(req, ctx, { shape: connectorShape, count: (filter) => directory.countMembers(scope, params.id, filter) }),
});

/** The members as references (`{"@odata.id": url}`), paged, filtered and counted like the members. */
export const connectorGroupsMembersRefList = endpoint({
  name: 'connectorGroups-members-ref-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'The connectors of a group, as references', status: 200, response: { kind: 'references' }, query: [...REF_OPTIONS] },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, params, scope }) =>
      collectionResponse(req, ctx, scope.tenantId, pagingKey, {
        ...membersSource(directory, scope, params.id),
        reference: (member) => connectorUrl(ctx, member.id),
      }),
});

/** The groups a connector is in: always exactly one, served as any collection is. */
export const connectorsMemberOfList = endpoint({
  name: 'connectors-memberOf-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connector' },
  doc: {
    summary: 'The group of a connector, as a one-item collection',
    status: 200,
    response: { kind: 'collection', type: 'connectorGroup' },
    query: [...LIST_OPTIONS],
  },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, params, scope }) =>
      collectionResponse(
        req,
        ctx,
        scope.tenantId,
        pagingKey,
        {
          ...memberOfSource(directory, scope, params.id),
          navigation: groupNavigation(ctx, directory, scope),
        },
        presentGroup(ctx),
      ),
});

/** 1 (a connector is in one group), or 0 when `$filter` excludes it. */
export const connectorsMemberOfCount = endpoint({
  name: 'connectors-memberOf-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$count',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connector' },
  doc: { summary: 'The number of groups of a connector: 1', status: 200, response: { kind: 'count' }, query: [...COUNT_OPTIONS] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) =>
      countResponse(req, ctx, { shape: groupShape, count: (query) => directory.countMemberOf(scope, params.id, query) }),
});

/** The connector's group as a one-item collection of references. */
export const connectorsMemberOfRefList = endpoint({
  name: 'connectors-memberOf-ref-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connector' },
  doc: {
    summary: 'The group of a connector, as a one-item collection of references',
    status: 200,
    response: { kind: 'references' },
    query: [...REF_OPTIONS],
  },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, params, scope }) =>
      collectionResponse(req, ctx, scope.tenantId, pagingKey, {
        ...memberOfSource(directory, scope, params.id),
        reference: (g) => groupUrl(ctx, g.id),
      }),
});
