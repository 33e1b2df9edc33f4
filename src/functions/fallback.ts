import { methodNotAllowed, notFound } from '../graph/errors.js';
import { defineEndpoint } from '../graph/endpoint.js';
import type { Services } from './services.js';

/**
 * Catch-all, named to sort after every other function so the host tries it last: a path some function
 * serves with another method is a 405, anything else a Graph 404.
 */
const fallbackName = 'zzz-fallback';

export const fallback = defineEndpoint<Services>({
  name: fallbackName,
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  access: 'read',
  handler: ({ routes }) => async ({ req }) => {
    const path = new URL(req.url).pathname;
    const known = routes().match(undefined, path, (fn) => fn.name !== fallbackName);
    if (known) throw methodNotAllowed();
    throw notFound(`Resource '${path.slice(0, 200)}'`);
  },
});
