/** Creating, reading, changing and deleting connectorGroups (docs/API.md, "Routes"). */
import { groupShape } from '../directory/documents.js';
import { createGroupSchema, updateGroupSchema } from '../directory/wire.js';
import { collectionResponse, countResponse, entityQuery } from '../graph/collection.js';
import type { BodySchema, HandlerCall } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { COUNT_OPTIONS, LIST_OPTIONS } from '../graph/openapi.js';
import { PROFILE_FRAGMENT, groupEntity, groupNavigation, orMinimal, presentGroup } from './responses.js';
import { endpoint, type Services } from './services.js';

const group = { kind: 'entity', type: 'connectorGroup' } as const;

const createBody = { schema: createGroupSchema, type: 'connectorGroup' } as const;

/** The create both paths to it run (one handler, so they cannot drift): its body, the key its retries share, 201. */
const createGroup = {
  methods: ['POST' as const],
  access: 'write' as const,
  body: createBody,
  create: true as const,
  handler:
    ({ directory }: Services) =>
    async ({ ctx, scope, body, createKey }: HandlerCall<never, BodySchema<typeof createGroupSchema>, undefined, true>) =>
      groupEntity(ctx, await directory.createGroup(scope, body, createKey), { status: 201 }),
};

export const connectorGroupsCreate = endpoint({
  name: 'connectorGroups-create',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups',
  params: { profileId: 'profile' },
  doc: { summary: 'Create a connectorGroup', status: 201, response: group },
  ...createGroup,
});

/**
 * The older `POST /connectorGroups`, the same create in the applicationProxy profile (docs/API.md,
 * "Where this service deliberately differs from Microsoft Graph's published metadata", row 3).
 */
export const connectorGroupsCreateLegacy = endpoint({
  name: 'connectorGroups-create-legacy',
  route: 'connectorGroups',
  params: {},
  doc: { summary: 'Create a connectorGroup (legacy path, profile applicationProxy)', status: 201, response: group },
  ...createGroup,
});

/** The tenant's connectorGroups, the Default group included. */
export const connectorGroupsList = endpoint({
  name: 'connectorGroups-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile' },
  doc: { summary: 'List connectorGroups', status: 200, response: { kind: 'collection', type: 'connectorGroup' }, query: [...LIST_OPTIONS] },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, scope }) =>
      collectionResponse(
        req,
        ctx,
        scope.tenantId,
        pagingKey,
        {
          shape: groupShape,
          fragment: `${PROFILE_FRAGMENT}/connectorGroups`,
          page: (filter, page) => directory.listGroups(scope, filter, page),
          count: (filter) => directory.countGroups(scope, filter),
          navigation: groupNavigation(ctx, directory, scope),
        },
        presentGroup(ctx),
      ),
});

/** `connectorGroups/$count`; overlaps `connectorGroups-get`, whose name sorts after it. */
export const connectorGroupsCount = endpoint({
  name: 'connectorGroups-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/$count',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile' },
  doc: { summary: 'Count connectorGroups', status: 200, response: { kind: 'count' }, query: [...COUNT_OPTIONS] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, scope }) =>
      countResponse(req, ctx, { shape: groupShape, count: (filter) => directory.countGroups(scope, filter) }),
});

/** A group; `$select` and `$expand=members` apply. */
export const connectorGroupsGet = endpoint({
  name: 'connectorGroups-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Get a connectorGroup', status: 200, response: group, query: ['$select', '$expand'] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      const navigation = groupNavigation(ctx, directory, scope);
      const { select, expand } = entityQuery(req, ctx, groupShape, navigation);
      return groupEntity(ctx, await directory.group(scope, params.id), { select, expand, navigation });
    },
});

/** Rename a group or change its region (the region only while it has no connectors or applications). */
export const connectorGroupsUpdate = endpoint({
  name: 'connectorGroups-update',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['PATCH'],
  access: 'write',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Update a connectorGroup', status: 200, minimal: true, response: group },
  body: { schema: updateGroupSchema, type: 'connectorGroup' },
  precondition: true,
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body, ifMatch }) => {
      const updated = await directory.updateGroup(scope, params.id, body, ifMatch);
      return orMinimal(ctx, () => groupEntity(ctx, updated));
    },
});

/** Delete an empty group; never the Default group. */
export const connectorGroupsDelete = endpoint({
  name: 'connectorGroups-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Delete an empty connectorGroup', status: 204, response: { kind: 'none' } },
  precondition: true,
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, ifMatch }) => {
      await directory.deleteGroup(scope, params.id, ifMatch);
      return noContent(ctx);
    },
});
