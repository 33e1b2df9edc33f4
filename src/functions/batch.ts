import { batchResponseText, runBatch, parseBatch } from '../graph/batch.js';
import { readJsonObject } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { serializedJson } from '../graph/http.js';
import type { Services } from './services.js';

/** JSON batching: up to 20 requests, each through the same route table as a direct call (graph/batch.ts). */
export const batch = defineEndpoint<Services>({
  name: 'batch',
  route: '$batch',
  methods: ['POST'],
  // Only a valid token is needed to send a batch; each item is then checked for its own access.
  access: 'read',
  handler: ({ routes }) => async ({ req, ctx, log }) => {
    const items = parseBatch(await readJsonObject(req));
    const responses = await runBatch({ routes: routes(), ctx, outer: req, log }, items);
    return serializedJson(ctx, 200, batchResponseText(responses));
  },
});
