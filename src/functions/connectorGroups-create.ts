import { createGroupSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

/** Seed 000: create a connectorGroup. */
export const createConnectorGroup = defineEndpoint<Services>({
  name: 'connectorgroups-create',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const input = await parseBody(req, createGroupSchema, 'microsoft.graph.connectorGroup');
    return groupEntity(ctx, await directory.createGroup(caller.tenantId, input, ctx.callerRequestId), { status: 201 });
  },
});
