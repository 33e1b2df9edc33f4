import { defineEndpoint } from '../graph/endpoint.js';
import { badRequest } from '../graph/errors.js';
import { text } from '../graph/http.js';
import type { Services } from './services.js';

/** `onPremisesPublishingProfiles/$count`: always 1. Its name sorts before `profiles-get`, whose `{profileId}` would also match. */
export const countProfiles = defineEndpoint<Services>({
  name: 'profiles-count',
  route: 'onPremisesPublishingProfiles/$count',
  methods: ['GET'],
  access: 'read',
  handler: () => async ({ req, ctx }) => {
    if ([...req.query.keys()].length) throw badRequest('No query option applies to onPremisesPublishingProfiles/$count.');
    return text(ctx, 200, '1');
  },
});
