import { updateConnectorSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent, wantsMinimal } from '../graph/http.js';
import { assertProfile, ifMatch, pathId } from '../graph/odata.js';
import { connectorEntity } from './responses.js';
import type { Services } from './services.js';

/** Update a connector's status, version, externalIp or machineName. */
export const updateConnector = defineEndpoint<Services>({
  name: 'connectors-update',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['PATCH'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const id = pathId(params.id, 'connector');
    const input = await parseBody(req, updateConnectorSchema, 'microsoft.graph.connector');
    const connector = await directory.updateConnector(caller.tenantId, id, input, ifMatch(req.headers.get('if-match')));
    return wantsMinimal(ctx) ? noContent(ctx, { 'Preference-Applied': 'return=minimal' }) : connectorEntity(ctx, connector);
  },
});
