/** What the service says about itself and how it takes several requests at once (docs/API.md, "Protocol"). */
import { batchResponseText, parseBatch, runBatch } from '../graph/batch.js';
import { csdlDocument, serviceModel } from '../graph/csdl.js';
import { serializedJson, standardHeaders } from '../graph/http.js';
import { describeFunctions } from '../graph/openapi.js';
import { endpoint } from './services.js';

/** `$metadata`: the CSDL of what this service serves, which every `@odata.context` points at. */
export const metadataGet = endpoint({
  name: 'metadata-get',
  route: '$metadata',
  methods: ['GET'],
  access: 'read',
  params: {},
  doc: { summary: 'The CSDL of this service', status: 200, response: { kind: 'document', mediaType: 'application/xml' } },
  handler: () => {
    const documents = { beta: csdlDocument(serviceModel('beta')), 'v1.0': csdlDocument(serviceModel('v1.0')) };
    return ({ ctx }) => ({
      status: 200,
      headers: { ...standardHeaders(ctx), 'Content-Type': 'application/xml;charset=utf-8' },
      body: documents[ctx.version],
    });
  },
});

/** `/openapi.json`, outside the versions: the OpenAPI 3.1 description of every registered route. */
export const openapiGet = endpoint({
  name: 'openapi-get',
  route: 'openapi.json',
  unversioned: true,
  methods: ['GET'],
  access: 'read',
  params: {},
  doc: { summary: 'This OpenAPI document', status: 200, response: { kind: 'document', mediaType: 'application/json' } },
  handler: ({ routes }) => {
    let document: string | undefined;
    return ({ ctx }) => {
      // Built on first use: the table is complete only once every function is registered.
      document ??= JSON.stringify(describeFunctions(routes().functions));
      return { status: 200, headers: { ...standardHeaders(ctx), 'Content-Type': 'application/json;charset=utf-8' }, body: document };
    };
  },
});

/** JSON batching: up to 20 requests, each through the same route table as a direct call (graph/batch.ts). */
export const batch = endpoint({
  name: 'batch',
  route: '$batch',
  methods: ['POST'],
  // Only a valid token is needed to send a batch; each item is then checked for its own access.
  access: 'read',
  params: {},
  doc: { summary: 'JSON batching, at most 20 requests', status: 200, response: { kind: 'batch' } },
  body: { read: parseBatch },
  handler:
    ({ routes }) =>
    async ({ req, ctx, log, scope, body }) => {
      const responses = await runBatch({ routes: routes(), ctx, outer: req, log, deadline: scope.deadline }, body);
      return serializedJson(ctx, 200, batchResponseText(responses));
    },
});
