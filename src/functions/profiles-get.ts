import { profileShape } from '../directory/model.js';
import { entityQuery } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { json } from '../graph/http.js';
import { entityBody, assertProfile } from '../graph/odata.js';
import { APPLICATION_PROXY_PROFILE } from './responses.js';
import type { Services } from './services.js';

/** The applicationProxy publishing profile; the only one this service has. `$select` applies. */
export const getProfile = defineEndpoint<Services>({
  name: 'profiles-get',
  route: 'onPremisesPublishingProfiles/{profileId}',
  methods: ['GET'],
  access: 'read',
  handler: () => async ({ req, ctx, params }) => {
    assertProfile(params.profileId);
    const { select } = entityQuery(req, ctx, profileShape);
    return json(ctx, 200, entityBody(ctx, 'onPremisesPublishingProfiles/$entity', APPLICATION_PROXY_PROFILE, select ? { select } : {}));
  },
});
