import { defineEndpoint } from '../graph/endpoint.js';
import { json } from '../graph/http.js';
import { assertProfile, contextUrl } from '../graph/odata.js';
import type { Services } from './services.js';

/** The applicationProxy publishing profile; the only one this service has. */
export const getProfile = defineEndpoint<Services>({
  name: 'profiles-get',
  route: 'onPremisesPublishingProfiles/{profileId}',
  methods: ['GET'],
  access: 'read',
  handler: () => async ({ ctx, params }) => {
    assertProfile(params.profileId);
    return json(ctx, 200, {
      '@odata.context': contextUrl(ctx, 'onPremisesPublishingProfiles/$entity'),
      id: 'applicationProxy',
      isEnabled: true,
      isDefaultAccessEnabled: false,
      hybridAgentUpdaterConfiguration: null,
    });
  },
});
