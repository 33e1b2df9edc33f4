/**
 * The assignment of applications to connectorGroups, from the application (its connectorGroup, Default when
 * unassigned) and from the group (its applications) (docs/API.md, "Membership and assignment").
 */
import { groupShape } from '../directory/documents.js';
import { referenceSchema } from '../directory/wire.js';
import { collectionResponse, countResponse, entityQuery } from '../graph/collection.js';
import { badRequest } from '../graph/errors.js';
import { json, noContent } from '../graph/http.js';
import { contextUrl, entityBody, parseReference } from '../graph/odata.js';
import { APPLICATION_SHAPE, PROFILE_FRAGMENT, applicationView, groupEntity, groupNavigation, groupUrl } from './responses.js';
import { endpoint } from './services.js';

/** The application's connectorGroup; `$select` and `$expand=members` apply. */
export const applicationsConnectorGroupGet = endpoint({
  name: 'applications-connectorGroup-get',
  route: 'applications/{applicationId}/connectorGroup',
  methods: ['GET'],
  access: 'read',
  params: { applicationId: 'application' },
  doc: {
    summary: "An application's connectorGroup (Default when unassigned)",
    status: 200,
    response: { kind: 'entity', type: 'connectorGroup' },
    query: ['$select', '$expand'],
  },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      const navigation = groupNavigation(ctx, directory, scope);
      const { select, expand } = entityQuery(req, ctx, groupShape, navigation);
      const path = `applications('${params.applicationId}')/connectorGroup`;
      return groupEntity(ctx, await directory.groupOfApplication(scope, params.applicationId), { select, expand, navigation, path });
    },
});

export const applicationsConnectorGroupRefGet = endpoint({
  name: 'applications-connectorGroup-ref-get',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['GET'],
  access: 'read',
  params: { applicationId: 'application' },
  doc: {
    summary: "A reference to an application's connectorGroup (Default when unassigned)",
    status: 200,
    response: { kind: 'reference' },
  },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope }) => {
      const groupId = await directory.groupIdOfApplication(scope, params.applicationId);
      return json(ctx, 200, { '@odata.context': contextUrl(ctx, '$ref'), '@odata.id': groupUrl(ctx, groupId) });
    },
});

/** Assign the application, replacing its current assignment. */
export const applicationsConnectorGroupRefPut = endpoint({
  name: 'applications-connectorGroup-ref-put',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['PUT'],
  access: 'write',
  params: { applicationId: 'application' },
  doc: { summary: 'Assign an application to a connectorGroup', status: 204, response: { kind: 'none' } },
  body: { schema: referenceSchema, type: 'connectorGroup' },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body }) => {
      await directory.assignApplication(scope, params.applicationId, parseReference(body['@odata.id'], 'connectorGroups'));
      return noContent(ctx);
    },
});

/** Return the application to the Default group (400 when it is already there). */
export const applicationsConnectorGroupRefDelete = endpoint({
  name: 'applications-connectorGroup-ref-delete',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['DELETE'],
  access: 'write',
  params: { applicationId: 'application' },
  doc: { summary: 'Return an application to the Default group', status: 204, response: { kind: 'none' } },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope }) => {
      await directory.unassignApplication(scope, params.applicationId);
      return noContent(ctx);
    },
});

/** The applications assigned to a group, as what the service knows of them: `id` and `@odata.type`. */
export const connectorGroupsApplicationsList = endpoint({
  name: 'connectorGroups-applications-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: {
    summary: 'List the applications assigned to a group',
    status: 200,
    response: { kind: 'collection', type: 'application' },
    query: ['$select', '$top', '$skip', '$count', '$skiptoken'],
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
          shape: APPLICATION_SHAPE,
          fragment: `${PROFILE_FRAGMENT}/connectorGroups('${params.id}')/applications`,
          page: async (query, page) => {
            if (query.filter || query.orderBy?.length) throw badRequest('$filter and $orderby are not supported on applications.');
            const found = await directory.listApplications(scope, params.id, page);
            return { items: found.items.map((a) => ({ id: a.applicationId })), continuation: found.continuation };
          },
          count: () => directory.countApplications(scope, params.id),
        },
        applicationView,
      ),
});

/** `…/applications/$count`; overlaps `connectorGroups-applications-get`, whose name sorts after it. */
export const connectorGroupsApplicationsCount = endpoint({
  name: 'connectorGroups-applications-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications/$count',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Count the applications assigned to a group', status: 200, response: { kind: 'count' } },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) =>
      countResponse(req, ctx, {
        shape: APPLICATION_SHAPE,
        count: (query) => {
          if (query.filter) throw badRequest('$filter is not supported on applications.');
          return directory.countApplications(scope, params.id);
        },
      }),
});

/** One application assigned to this group; 404 when it is assigned elsewhere or not at all. */
export const connectorGroupsApplicationsGet = endpoint({
  name: 'connectorGroups-applications-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications/{applicationId}',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup', applicationId: 'application' },
  doc: {
    summary: 'An application assigned to this group',
    status: 200,
    response: { kind: 'entity', type: 'application' },
    query: ['$select'],
  },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      const { select } = entityQuery(req, ctx, APPLICATION_SHAPE);
      const edge = await directory.applicationOfGroup(scope, params.id, params.applicationId);
      const fragment = `${PROFILE_FRAGMENT}/connectorGroups('${params.id}')/applications/$entity`;
      return json(ctx, 200, entityBody(ctx, fragment, applicationView({ id: edge.applicationId }), { select }));
    },
});
