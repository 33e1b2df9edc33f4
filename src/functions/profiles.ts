/** The publishing profiles: the one `applicationProxy` profile, as the metadata's entity set documents it (docs/API.md, "Routes"). */
import { profileShape } from '../directory/documents.js';
import { entityQuery } from '../graph/collection.js';
import { badRequest } from '../graph/errors.js';
import { json, text } from '../graph/http.js';
import { contextUrl, entityBody, pick } from '../graph/odata.js';
import { parseCollectionQuery } from '../graph/query/index.js';
import { APPLICATION_PROXY_PROFILE } from './responses.js';
import { endpoint } from './services.js';

const profile = { kind: 'entity', type: 'onPremisesPublishingProfile' } as const;

/** A list of one has nothing to filter, order or page, so only `$select` and `$top` apply. */
export const profilesList = endpoint({
  name: 'profiles-list',
  route: 'onPremisesPublishingProfiles',
  methods: ['GET'],
  access: 'read',
  params: {},
  doc: {
    summary: 'The publishing profiles (the applicationProxy profile)',
    status: 200,
    response: { kind: 'collection', type: profile.type },
    query: ['$select', '$top'],
  },
  handler:
    () =>
    ({ req, ctx }) => {
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

/** Always 1; overlaps `profiles-get`, whose name sorts after it. */
export const profilesCount = endpoint({
  name: 'profiles-count',
  route: 'onPremisesPublishingProfiles/$count',
  methods: ['GET'],
  access: 'read',
  params: {},
  doc: { summary: 'Count the publishing profiles (1)', status: 200, response: { kind: 'count' } },
  handler:
    () =>
    ({ req, ctx }) => {
      if ([...req.query.keys()].length) throw badRequest('No query option applies to onPremisesPublishingProfiles/$count.');
      return text(ctx, 200, '1');
    },
});

/** `$select` applies. */
export const profilesGet = endpoint({
  name: 'profiles-get',
  route: 'onPremisesPublishingProfiles/{profileId}',
  methods: ['GET'],
  access: 'read',
  params: { profileId: 'profile' },
  doc: { summary: 'The applicationProxy publishing profile', status: 200, response: profile, query: ['$select'] },
  handler:
    () =>
    ({ req, ctx }) => {
      const { select } = entityQuery(req, ctx, profileShape);
      return json(ctx, 200, entityBody(ctx, 'onPremisesPublishingProfiles/$entity', APPLICATION_PROXY_PROFILE, select ? { select } : {}));
    },
});
