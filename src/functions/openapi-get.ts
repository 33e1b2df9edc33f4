import { defineEndpoint } from '../graph/endpoint.js';
import { standardHeaders } from '../graph/http.js';
import { describeFunctions } from './operations.js';
import type { Services } from './services.js';

/** `/openapi.json`, outside the versions: the OpenAPI 3.1 description of every registered route. */
export const getOpenApi = defineEndpoint<Services>({
  name: 'openapi-get',
  route: 'openapi.json',
  methods: ['GET'],
  access: 'read',
  handler: ({ routes }) => {
    let document: string | undefined;
    return async ({ ctx }) => {
      // Built on first use: the table is complete only once every function is registered.
      document ??= JSON.stringify(describeFunctions(routes().functions));
      return { status: 200, headers: { ...standardHeaders(ctx), 'Content-Type': 'application/json;charset=utf-8' }, body: document };
    };
  },
});
