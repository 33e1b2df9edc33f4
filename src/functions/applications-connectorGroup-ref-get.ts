import { defineEndpoint } from '../graph/endpoint.js';
import { json } from '../graph/http.js';
import { contextUrl, pathId } from '../graph/odata.js';
import { groupUrl } from './responses.js';
import type { Services } from './services.js';

/** The reference to the application's connectorGroup: its assignment, or the Default group. */
export const getApplicationConnectorGroupRef = defineEndpoint<Services>({
  name: 'applications-connectorgroup-ref-get',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ ctx, params, caller }) => {
    const groupId = await directory.groupIdOfApplication(caller.tenantId, pathId(params.applicationId, 'application'));
    return json(ctx, 200, { '@odata.context': contextUrl(ctx, '$ref'), '@odata.id': groupUrl(ctx, groupId) });
  },
});
