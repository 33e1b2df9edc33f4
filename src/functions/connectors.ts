/** Creating, reading, changing and deleting connectors (docs/API.md, "Routes"). */
import { connectorShape } from '../directory/documents.js';
import { connectorView } from '../directory/views.js';
import { createConnectorSchema, updateConnectorSchema } from '../directory/wire.js';
import { collectionResponse, countResponse, entityQuery } from '../graph/collection.js';
import { noContent } from '../graph/http.js';
import { COUNT_OPTIONS, LIST_OPTIONS } from '../graph/openapi.js';
import { PROFILE_FRAGMENT, connectorEntity, connectorNavigation, orMinimal } from './responses.js';
import { endpoint } from './services.js';

const connector = { kind: 'entity', type: 'connector' } as const;

/** A new connector joins the tenant's Default group (docs/API.md, "Membership and assignment"). */
export const connectorsCreate = endpoint({
  name: 'connectors-create',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors',
  methods: ['POST'],
  access: 'write',
  params: { profileId: 'profile' },
  doc: { summary: 'Create a connector; it joins the Default group', status: 201, response: connector },
  body: { schema: createConnectorSchema, type: 'connector' },
  create: true,
  handler:
    ({ directory }) =>
    async ({ ctx, scope, body, createKey }) =>
      connectorEntity(ctx, await directory.createConnector(scope, body, createKey), { status: 201 }),
});

export const connectorsList = endpoint({
  name: 'connectors-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile' },
  doc: { summary: 'List connectors', status: 200, response: { kind: 'collection', type: 'connector' }, query: [...LIST_OPTIONS] },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, scope }) =>
      collectionResponse(
        req,
        ctx,
        scope.tenantId,
        pagingKey,
        {
          shape: connectorShape,
          fragment: `${PROFILE_FRAGMENT}/connectors`,
          page: (filter, page) => directory.listConnectors(scope, filter, page),
          count: (filter) => directory.countConnectors(scope, filter),
          navigation: connectorNavigation(ctx, directory, scope),
        },
        connectorView,
      ),
});

/** `connectors/$count`; overlaps `connectors-get`, whose name sorts after it. */
export const connectorsCount = endpoint({
  name: 'connectors-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/$count',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile' },
  doc: { summary: 'Count connectors', status: 200, response: { kind: 'count' }, query: [...COUNT_OPTIONS] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, scope }) =>
      countResponse(req, ctx, { shape: connectorShape, count: (filter) => directory.countConnectors(scope, filter) }),
});

/** A connector; `$select` and `$expand=memberOf` apply. */
export const connectorsGet = endpoint({
  name: 'connectors-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile', id: 'connector' },
  doc: { summary: 'Get a connector', status: 200, response: connector, query: ['$select', '$expand'] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      const navigation = connectorNavigation(ctx, directory, scope);
      const { select, expand } = entityQuery(req, ctx, connectorShape, navigation);
      return connectorEntity(ctx, await directory.connector(scope, params.id), { select, expand, navigation });
    },
});

/** A connector's status, version, externalIp or machineName. */
export const connectorsUpdate = endpoint({
  name: 'connectors-update',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['PATCH'],
  access: 'write',
  params: { profileId: 'profile', id: 'connector' },
  doc: { summary: 'Update a connector', status: 200, minimal: true, response: connector },
  body: { schema: updateConnectorSchema, type: 'connector' },
  precondition: true,
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body, ifMatch }) => {
      const updated = await directory.updateConnector(scope, params.id, body, ifMatch);
      return orMinimal(ctx, () => connectorEntity(ctx, updated));
    },
});

/** The connector leaves its group in the same transaction. */
export const connectorsDelete = endpoint({
  name: 'connectors-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connector' },
  doc: { summary: 'Delete a connector', status: 204, response: { kind: 'none' } },
  precondition: true,
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, ifMatch }) => {
      await directory.deleteConnector(scope, params.id, ifMatch);
      return noContent(ctx);
    },
});
