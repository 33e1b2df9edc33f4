import { profileShape } from '../directory/model.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { badRequest } from '../graph/errors.js';
import { json } from '../graph/http.js';
import { contextUrl, pick } from '../graph/odata.js';
import { parseCollectionQuery } from '../graph/query.js';
import { APPLICATION_PROXY_PROFILE } from './responses.js';
import type { Services } from './services.js';

/**
 * The publishing profiles: the one `applicationProxy` profile, as the metadata's entity set documents it.
 * A list of one has nothing to filter, order or page, so only `$select` and `$top` apply.
 */
export const listProfiles = defineEndpoint<Services>({
  name: 'profiles-list',
  route: 'onPremisesPublishingProfiles',
  methods: ['GET'],
  access: 'read',
  handler: () => async ({ req, ctx }) => {
    const q = parseCollectionQuery(req.query, profileShape, { version: ctx.version });
    if (q.filter || q.search || q.orderBy.length || q.skipToken !== undefined || q.skip || q.count || q.expand.length) {
      throw badRequest('Only $select and $top apply to the list of onPremisesPublishingProfiles.');
    }
    return json(ctx, 200, {
      '@odata.context': contextUrl(ctx, 'onPremisesPublishingProfiles', q.select),
      value: [pick(APPLICATION_PROXY_PROFILE, q.select)],
    });
  },
});
