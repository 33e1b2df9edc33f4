import { referenceSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { parseReference, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** Assign an application to a connectorGroup, replacing its current assignment. */
export const assignApplicationConnectorGroup = defineEndpoint<Services>({
  name: 'applications-connectorgroup-ref-put',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['PUT'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    const applicationId = pathId(params.applicationId, 'application');
    const body = await parseBody(req, referenceSchema, 'microsoft.graph.connectorGroup');
    await directory.assignApplication(caller.tenantId, applicationId, parseReference(body['@odata.id'], 'connectorGroups'));
    return noContent(ctx);
  },
});
