import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, ifMatch, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** Delete a connector; it leaves its group in the same transaction. */
export const deleteConnector = defineEndpoint<Services>({
  name: 'connectors-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    await directory.deleteConnector(caller.tenantId, pathId(params.id, 'connector'), ifMatch(req.headers.get('if-match')));
    return noContent(ctx);
  },
});
