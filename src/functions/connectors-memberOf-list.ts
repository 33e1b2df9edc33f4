import { groupShape } from '../directory/model.js';
import { entitySelect } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { json } from '../graph/http.js';
import { assertProfile, contextUrl, pathId, pick } from '../graph/odata.js';
import { PROFILE_FRAGMENT, presentGroup } from './responses.js';
import type { Services } from './services.js';

/** The groups a connector is in: always exactly one. */
export const listConnectorMemberOf = defineEndpoint<Services>({
  name: 'connectors-memberof-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const id = pathId(params.id, 'connector');
    const select = entitySelect(req, ctx, groupShape);
    const group = await directory.groupOfConnector(caller.tenantId, id);
    return json(ctx, 200, {
      '@odata.context': contextUrl(ctx, `${PROFILE_FRAGMENT}/connectors('${id}')/memberOf`, select),
      value: [pick(presentGroup(ctx)(group), select)],
    });
  },
});
