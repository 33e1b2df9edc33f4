import { csdlDocument } from '../graph/csdl.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { standardHeaders } from '../graph/http.js';
import type { Services } from './services.js';

/** `$metadata`: the CSDL of what this service serves, which every `@odata.context` points at. */
export const getMetadata = defineEndpoint<Services>({
  name: 'metadata-get',
  route: '$metadata',
  methods: ['GET'],
  access: 'read',
  handler: () => {
    const document = csdlDocument();
    return async ({ ctx }) => ({
      status: 200,
      headers: { ...standardHeaders(ctx), 'Content-Type': 'application/xml;charset=utf-8' },
      body: document,
    });
  },
});
