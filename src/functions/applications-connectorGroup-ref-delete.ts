import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** Return an application to the Default group (400 when it is already there). */
export const unassignApplicationConnectorGroup = defineEndpoint<Services>({
  name: 'applications-connectorgroup-ref-delete',
  route: 'applications/{applicationId}/connectorGroup/$ref',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ ctx, params, caller }) => {
    await directory.unassignApplication(caller.tenantId, pathId(params.applicationId, 'application'));
    return noContent(ctx);
  },
});
