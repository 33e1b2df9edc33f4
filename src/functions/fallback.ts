import { methodNotAllowed, notFound } from '../graph/errors.js';
import { endpoint } from './services.js';

/**
 * Catch-all, named to sort after every other function so the host tries it last: a path some function
 * serves with another method is a 405, anything else a Graph 404. Registered once, outside the versions.
 */
export const zzzFallback = endpoint({
  name: 'zzz-fallback',
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  access: 'read',
  params: { path: 'rest' },
  doc: { summary: 'Every other path: 405 where another method is served, else 404', status: 204, response: { kind: 'none' } },
  handler:
    ({ routes }) =>
    ({ req }) => {
      const path = new URL(req.url).pathname;
      const known = routes().match(undefined, path, (fn) => fn.name !== zzzFallback.name);
      if (known) throw methodNotAllowed();
      throw notFound(`Resource '${path.slice(0, 200)}'`);
    },
});
