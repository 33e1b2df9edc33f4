import {
  createConnectorSchema,
  createGroupSchema,
  groupObjectReferenceSchema,
  referenceSchema,
  updateConnectorSchema,
  updateGroupSchema,
} from '../directory/model.js';
import { openApiDocument, type DocumentedRoute, type OperationDoc } from '../graph/openapi.js';

const LIST = ['$select', '$filter', '$search', '$orderby', '$top', '$skip', '$count', '$skiptoken', '$expand'] as const;
/** `$ref` reads page, filter and count like their collection; `$select` and `$expand` do not apply. */
const REFS = ['$filter', '$search', '$orderby', '$top', '$skip', '$count', '$skiptoken'] as const;
const COUNT = ['$filter', '$search'] as const;
const group = { kind: 'entity', type: 'connectorGroup' } as const;
const connector = { kind: 'entity', type: 'connector' } as const;

/**
 * How each endpoint is described in `/openapi.json`, keyed by endpoint name (test/http/openapi.test.ts checks
 * that every endpoint has one and none is left over). Kept apart from the endpoint declarations on purpose.
 */
export const OPERATIONS: Record<string, OperationDoc> = {
  'connectorgroups-create': { summary: 'Create a connectorGroup', status: 201, response: group, request: createGroupSchema },
  'connectorgroups-create-legacy': { summary: 'Create a connectorGroup (legacy path, profile applicationProxy)', status: 201, response: group, request: createGroupSchema },
  'connectors-create': { summary: 'Create a connector; it joins the Default group', status: 201, response: connector, request: createConnectorSchema },
  'connectors-memberof-add': { summary: 'Move a connector to a connectorGroup', status: 201, minimal: true, response: group, request: referenceSchema },
  'applications-connectorgroup-members-memberof-add': {
    summary: "Move a member of the application's group to another connectorGroup",
    status: 204,
    response: { kind: 'none' },
    request: referenceSchema.or(groupObjectReferenceSchema),
  },
  'connectorgroups-list': { summary: 'List connectorGroups', status: 200, response: { kind: 'collection', type: 'connectorGroup' }, query: [...LIST] },
  'connectorgroups-count': { summary: 'Count connectorGroups', status: 200, response: { kind: 'count' }, query: [...COUNT] },
  'connectorgroups-get': { summary: 'Get a connectorGroup', status: 200, response: group, query: ['$select', '$expand'] },
  'connectorgroups-update': { summary: 'Update a connectorGroup', status: 200, minimal: true, response: group, request: updateGroupSchema },
  'connectorgroups-delete': { summary: 'Delete an empty connectorGroup', status: 204, response: { kind: 'none' } },
  'connectorgroups-members-list': { summary: 'List the connectors of a group', status: 200, response: { kind: 'collection', type: 'connector' }, query: [...LIST] },
  'connectorgroups-members-count': { summary: 'Count the connectors of a group', status: 200, response: { kind: 'count' }, query: [...COUNT] },
  'connectorgroups-members-add': { summary: 'Move a connector into this group', status: 204, response: { kind: 'none' }, request: referenceSchema },
  'connectorgroups-members-ref-list': { summary: 'The connectors of a group, as references', status: 200, response: { kind: 'references' }, query: [...REFS] },
  'connectorgroups-members-ref-delete': { summary: 'Take the connector named by @id out of this group (it returns to Default)', status: 204, response: { kind: 'none' }, query: ['@id'] },
  'connectorgroups-members-item-ref-delete': { summary: 'Take a connector out of this group (it returns to Default)', status: 204, response: { kind: 'none' } },
  'connectorgroups-applications-list': { summary: 'List the applications assigned to a group', status: 200, response: { kind: 'collection', type: 'application' }, query: ['$select', '$top', '$skip', '$count', '$skiptoken'] },
  'connectorgroups-applications-count': { summary: 'Count the applications assigned to a group', status: 200, response: { kind: 'count' } },
  'connectorgroups-applications-get': { summary: 'An application assigned to this group', status: 200, response: { kind: 'entity', type: 'application' }, query: ['$select'] },
  'connectors-list': { summary: 'List connectors', status: 200, response: { kind: 'collection', type: 'connector' }, query: [...LIST] },
  'connectors-count': { summary: 'Count connectors', status: 200, response: { kind: 'count' }, query: [...COUNT] },
  'connectors-get': { summary: 'Get a connector', status: 200, response: connector, query: ['$select', '$expand'] },
  'connectors-update': { summary: 'Update a connector', status: 200, minimal: true, response: connector, request: updateConnectorSchema },
  'connectors-delete': { summary: 'Delete a connector', status: 204, response: { kind: 'none' } },
  'connectors-memberof-list': { summary: 'The group of a connector, as a one-item collection', status: 200, response: { kind: 'collection', type: 'connectorGroup' }, query: [...LIST] },
  'connectors-memberof-count': { summary: 'The number of groups of a connector: 1', status: 200, response: { kind: 'count' }, query: [...COUNT] },
  'connectors-memberof-ref-list': { summary: 'The group of a connector, as a one-item collection of references', status: 200, response: { kind: 'references' }, query: [...REFS] },
  'connectors-memberof-ref-delete': { summary: 'Take the connector out of the group named by @id (it returns to Default)', status: 204, response: { kind: 'none' }, query: ['@id'] },
  'connectors-memberof-item-ref-delete': { summary: 'Take the connector out of this group (it returns to Default)', status: 204, response: { kind: 'none' } },
  'applications-connectorgroup-get': { summary: "An application's connectorGroup (Default when unassigned)", status: 200, response: group, query: ['$select', '$expand'] },
  'applications-connectorgroup-ref-get': { summary: "A reference to an application's connectorGroup (Default when unassigned)", status: 200, response: { kind: 'reference' } },
  'applications-connectorgroup-ref-put': { summary: 'Assign an application to a connectorGroup', status: 204, response: { kind: 'none' }, request: referenceSchema },
  'applications-connectorgroup-ref-delete': { summary: 'Return an application to the Default group', status: 204, response: { kind: 'none' } },
  'profiles-list': { summary: 'The publishing profiles (the applicationProxy profile)', status: 200, response: { kind: 'collection', type: 'onPremisesPublishingProfile' }, query: ['$select', '$top'] },
  'profiles-count': { summary: 'Count the publishing profiles (1)', status: 200, response: { kind: 'count' } },
  'profiles-get': { summary: 'The applicationProxy publishing profile', status: 200, response: { kind: 'entity', type: 'onPremisesPublishingProfile' }, query: ['$select'] },
  'metadata-get': { summary: 'The CSDL of this service', status: 200, response: { kind: 'document', mediaType: 'application/xml' } },
  batch: { summary: 'JSON batching, at most 20 requests', status: 200, response: { kind: 'batch' } },
  'openapi-get': { summary: 'This OpenAPI document', status: 200, response: { kind: 'document', mediaType: 'application/json' } },
};

/** The endpoint a registered function serves: versioned functions carry a `-beta`/`-v1` suffix. */
export const endpointName = (fn: { name: string; route: string }) =>
  /^(beta|v1\.0)\//i.test(fn.route) ? fn.name.replace(/-(beta|v1)$/, '') : fn.name;

/** The OpenAPI document of these registered functions; the catch-all fallback, which only answers errors, is left out. */
export function describeFunctions(functions: { name: string; route: string; methods: string[] }[]) {
  const routes: DocumentedRoute[] = functions
    .filter((fn) => !fn.route.includes('{*'))
    .flatMap((fn) => {
      const doc = OPERATIONS[endpointName(fn)];
      if (!doc) throw new Error(`endpoint ${endpointName(fn)} has no entry in OPERATIONS`);
      return fn.methods.map((method) => ({ route: fn.route, method, operationId: fn.name, doc }));
    });
  return openApiDocument(routes);
}
