import { defineEndpoint } from '../graph/endpoint.js';
import { pathId } from '../graph/odata.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

/** The application's connectorGroup: its assignment, or the Default group. */
export const getApplicationConnectorGroup = defineEndpoint<Services>({
  name: 'applications-connectorgroup-get',
  route: 'applications/{applicationId}/connectorGroup',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ ctx, params, caller }) =>
    groupEntity(ctx, await directory.groupOfApplication(caller.tenantId, pathId(params.applicationId, 'application'))),
});
