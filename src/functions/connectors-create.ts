import { createConnectorSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import { connectorEntity } from './responses.js';
import type { Services } from './services.js';

/** Seed 004: create a connector; it joins the tenant's Default group. */
export const createConnector = defineEndpoint<Services>({
  name: 'connectors-create',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const input = await parseBody(req, createConnectorSchema, 'microsoft.graph.connector');
    return connectorEntity(ctx, await directory.createConnector(caller.tenantId, input, ctx.callerRequestId), { status: 201 });
  },
});
