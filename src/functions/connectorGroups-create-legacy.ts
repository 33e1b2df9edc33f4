import { createGroupSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

/** Seed 001: the older `POST /connectorGroups`, an alias of seed 000 in the applicationProxy profile. */
export const createConnectorGroupLegacy = defineEndpoint<Services>({
  name: 'connectorgroups-create-legacy',
  route: 'connectorGroups',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, caller }) => {
    const input = await parseBody(req, createGroupSchema, 'microsoft.graph.connectorGroup');
    return groupEntity(ctx, await directory.createGroup(caller.tenantId, input), { status: 201 });
  },
});
