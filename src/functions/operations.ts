import {
  createConnectorSchema,
  createGroupSchema,
  groupObjectReferenceSchema,
  referenceSchema,
  updateConnectorSchema,
  updateGroupSchema,
} from '../directory/model.js';
import { openApiDocument, type DocumentedRoute, type OperationDoc } from '../graph/openapi.js';

const LIST = ['$select', '$filter', '$orderby', '$top', '$count', '$skiptoken'] as const;
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
  'connectorgroups-count': { summary: 'Count connectorGroups', status: 200, response: { kind: 'count' }, query: ['$filter'] },
  'connectorgroups-get': { summary: 'Get a connectorGroup', status: 200, response: group, query: ['$select'] },
  'connectorgroups-update': { summary: 'Update a connectorGroup', status: 200, minimal: true, response: group, request: updateGroupSchema },
  'connectorgroups-delete': { summary: 'Delete an empty connectorGroup', status: 204, response: { kind: 'none' } },
  'connectorgroups-members-list': { summary: 'List the connectors of a group', status: 200, response: { kind: 'collection', type: 'connector' }, query: [...LIST] },
  'connectorgroups-members-count': { summary: 'Count the connectors of a group', status: 200, response: { kind: 'count' }, query: ['$filter'] },
  'connectorgroups-members-add': { summary: 'Move a connector into this group', status: 201, minimal: true, response: connector, request: referenceSchema },
  'connectorgroups-applications-list': { summary: 'List the applications assigned to a group', status: 200, response: { kind: 'collection', type: 'application' }, query: [...LIST] },
  'connectors-list': { summary: 'List connectors', status: 200, response: { kind: 'collection', type: 'connector' }, query: [...LIST] },
  'connectors-count': { summary: 'Count connectors', status: 200, response: { kind: 'count' }, query: ['$filter'] },
  'connectors-get': { summary: 'Get a connector', status: 200, response: connector, query: ['$select'] },
  'connectors-update': { summary: 'Update a connector', status: 200, minimal: true, response: connector, request: updateConnectorSchema },
  'connectors-delete': { summary: 'Delete a connector', status: 204, response: { kind: 'none' } },
  'connectors-memberof-list': { summary: 'The group of a connector, as a one-item collection', status: 200, response: { kind: 'collection', type: 'connectorGroup' }, query: [...LIST] },
  'applications-connectorgroup-get': { summary: "An application's connectorGroup (Default when unassigned)", status: 200, response: group, query: ['$select'] },
  'applications-connectorgroup-ref-put': { summary: 'Assign an application to a connectorGroup', status: 204, response: { kind: 'none' }, request: referenceSchema },
  'applications-connectorgroup-ref-delete': { summary: 'Return an application to the Default group', status: 204, response: { kind: 'none' } },
  'profiles-get': { summary: 'The applicationProxy publishing profile', status: 200, response: { kind: 'entity', type: 'onPremisesPublishingProfile' } },
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
