import { z } from 'zod';
import { serviceModel, type EntityModel, type Property, type ServiceModel } from './csdl.js';

/** What a route's successful response carries. */
export type ResponseKind =
  | { kind: 'entity'; type: string }
  | { kind: 'collection'; type: string }
  /** `…/$ref` reads: a page of `{"@odata.id"}`, or one of them. */
  | { kind: 'references' }
  | { kind: 'reference' }
  | { kind: 'count' }
  | { kind: 'none' }
  | { kind: 'document'; mediaType: 'application/xml' | 'application/json' }
  | { kind: 'batch' };

/** How one endpoint is described in `/openapi.json`; each endpoint's declaration carries its own (`doc`). */
export interface OperationDoc {
  summary: string;
  /** The success status as the service answers by default. */
  status: 200 | 201 | 204;
  response: ResponseKind;
  /** Another success the caller can ask for (`Prefer: return=minimal` gives 204). */
  minimal?: boolean;
  /** The body the service validates; its JSON Schema is the request body's. */
  request?: z.ZodType;
  /** Collections: the query options the route takes. */
  query?: (keyof typeof QUERY)[];
}

export interface DocumentedRoute {
  /** As registered, without the route prefix: `beta/onPremisesPublishingProfiles/{profileId}`. */
  route: string;
  method: string;
  operationId: string;
  doc: OperationDoc;
}

type Schema = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/microsoft.graph.${name}` });

const PRIMITIVE: Record<NonNullable<Property['edm']>, Schema> = {
  'Edm.String': { type: 'string' },
  'Edm.Boolean': { type: 'boolean' },
  'Edm.DateTimeOffset': { type: 'string', format: 'date-time' },
  'Edm.TimeOfDay': { type: 'string', format: 'time' },
};

function propertySchema(p: Property): Schema {
  const item: Schema = p.enumType !== undefined ? ref(p.enumType) : p.complexType !== undefined ? ref(p.complexType) : PRIMITIVE[p.edm];
  const base: Schema = p.collection ? { type: 'array', items: item } : item;
  return p.nullable ? { anyOf: [base, { type: 'null' }] } : base;
}

function entitySchema(e: EntityModel, model: ServiceModel): Schema {
  const chain: EntityModel[] = [];
  for (let t: EntityModel | undefined = e; t; t = model.entities.find((x) => x.name === t.baseType)) chain.unshift(t);
  const properties: Record<string, Schema> = e.keyless ? {} : { id: { type: 'string' } };
  for (const t of chain) for (const p of t.properties) properties[p.name] = propertySchema(p);
  return {
    title: e.name,
    type: 'object',
    properties: { '@odata.type': { type: 'string' }, ...properties },
    required: [...(e.keyless ? [] : ['id']), ...chain.flatMap((t) => t.properties.filter((p) => !p.nullable).map((p) => p.name))],
    // Open types (application) carry properties this service does not describe.
    ...(e.openType ? {} : { additionalProperties: false }),
  };
}

/** The request body schema as zod 4 emits it for the input side, without its own `$schema`. */
function requestSchema(schema: z.ZodType): Schema {
  const { $schema: _dropped, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
}

const json = (schema: Schema) => ({ 'application/json': { schema } });

const REFERENCE = { type: 'object', properties: { '@odata.id': { type: 'string', format: 'uri' } }, required: ['@odata.id'] };

/** A collection page: its items, and the annotations a page may carry. */
const pageOf = (items: Schema): Schema => ({
  type: 'object',
  properties: {
    '@odata.context': { type: 'string' },
    '@odata.count': { type: 'integer' },
    '@odata.nextLink': { type: 'string', format: 'uri' },
    value: { type: 'array', items },
  },
  required: ['value'],
});

function successResponse(doc: OperationDoc): Schema {
  const r = doc.response;
  switch (r.kind) {
    case 'entity':
      return { description: `The ${r.type}`, content: json(ref(r.type)) };
    case 'collection':
      return { description: `A page of ${r.type} objects`, content: json(pageOf(ref(r.type))) };
    case 'references':
      return { description: 'A page of references', content: json(pageOf(REFERENCE)) };
    case 'reference':
      return {
        description: 'A reference',
        content: json({ ...REFERENCE, properties: { '@odata.context': { type: 'string' }, ...REFERENCE.properties } }),
      };
    case 'count':
      return { description: 'The number of items', content: { 'text/plain': { schema: { type: 'integer', minimum: 0 } } } };
    case 'none':
      return { description: 'Success' };
    case 'document':
      return {
        description: 'The document',
        content: { [r.mediaType]: { schema: r.mediaType === 'application/xml' ? { type: 'string' } : { type: 'object' } } },
      };
    case 'batch':
      return {
        description: 'The responses, one per request',
        content: json({
          type: 'object',
          properties: {
            responses: {
              type: 'array',
              items: {
                type: 'object',
                properties: { id: { type: 'string' }, status: { type: 'integer' }, headers: { type: 'object' }, body: {} },
                required: ['id', 'status'],
              },
            },
          },
          required: ['responses'],
        }),
      };
  }
}

/** The query options of a collection. */
export const LIST_OPTIONS = ['$select', '$filter', '$search', '$orderby', '$top', '$skip', '$count', '$skiptoken', '$expand'] as const;
/** `$ref` reads page, filter and count like their collection; `$select` and `$expand` do not apply. */
export const REF_OPTIONS = ['$filter', '$search', '$orderby', '$top', '$skip', '$count', '$skiptoken'] as const;
/** A collection's `$count`. */
export const COUNT_OPTIONS = ['$filter', '$search'] as const;

const QUERY = {
  $select: { description: 'Comma-separated properties to return', schema: { type: 'string' } },
  $filter: { description: 'OData filter: eq, ne, and, or, not, startswith, in', schema: { type: 'string' } },
  $orderby: { description: 'Comma-separated properties, each optionally followed by asc or desc', schema: { type: 'string' } },
  $top: { description: 'Page size, 1 to 999', schema: { type: 'integer', minimum: 1, maximum: 999 } },
  $count: { description: 'true adds @odata.count to the first page', schema: { type: 'boolean' } },
  $skiptoken: { description: 'Opaque paging token from @odata.nextLink', schema: { type: 'string' } },
  $skip: { description: 'Items to pass over before the first page, 0 to 10000', schema: { type: 'integer', minimum: 0, maximum: 10000 } },
  $search: {
    description:
      'Quoted "property:term" clauses joined by AND or OR; a clause matches when the string property contains the term, in any case',
    schema: { type: 'string' },
  },
  $expand: { description: 'Navigation properties to include, each optionally with ($select=...)', schema: { type: 'string' } },
  '@id': {
    description: 'The URL of the object whose reference is removed ($id is accepted too)',
    required: true,
    schema: { type: 'string' },
  },
} satisfies Record<string, Schema>;

/** OpenAPI 3.1 for the registered routes; paths carry their version, as the routes do. */
export function openApiDocument(routes: DocumentedRoute[], model: ServiceModel = serviceModel()): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const { route, method, operationId, doc } of routes) {
    const path = `/${route}`;
    const params = [...route.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: m[1] === 'profileId' ? { type: 'string', enum: ['applicationProxy'] } : { type: 'string', format: 'uuid' },
    }));
    const responses: Record<string, Schema> = { [String(doc.status)]: successResponse(doc) };
    if (doc.minimal) responses['204'] = { description: 'Success, with Prefer: return=minimal' };
    responses.default = { $ref: '#/components/responses/error' };
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      operationId,
      summary: doc.summary,
      ...(params.length || doc.query
        ? { parameters: [...params, ...(doc.query ?? []).map((q) => ({ name: q, in: 'query', ...QUERY[q] }))] }
        : {}),
      ...(doc.request ? { requestBody: { required: true, content: json(requestSchema(doc.request)) } } : {}),
      responses,
    };
  }

  const schemas: Record<string, Schema> = {};
  for (const e of model.enums) schemas[`microsoft.graph.${e.name}`] = { title: e.name, type: 'string', enum: e.members };
  for (const c of model.complexTypes) {
    const chain: typeof model.complexTypes = [];
    for (let t: (typeof chain)[number] | undefined = c; t; t = model.complexTypes.find((x) => x.name === t.baseType)) chain.unshift(t);
    schemas[`microsoft.graph.${c.name}`] = {
      title: c.name,
      type: 'object',
      properties: Object.fromEntries(chain.flatMap((t) => t.properties).map((p) => [p.name, propertySchema(p)])),
      // An open type (userIdentity) carries properties its metadata does not declare.
      ...(c.openType ? {} : { additionalProperties: false }),
    };
  }
  for (const e of model.entities) if (!e.abstract) schemas[`microsoft.graph.${e.name}`] = entitySchema(e, model);
  schemas['microsoft.graph.ODataError'] = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          innerError: {
            type: 'object',
            properties: { date: { type: 'string' }, 'request-id': { type: 'string' }, 'client-request-id': { type: 'string' } },
          },
        },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Application Proxy connectors and connector groups (Microsoft Graph dialect)',
      version: '1.0.0',
      description:
        'Generated from the route table and the zod schemas the service validates with. Every route exists under /beta and /v1.0.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      responses: { error: { description: 'A Graph error', content: json({ $ref: '#/components/schemas/microsoft.graph.ODataError' }) } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

/** The OpenAPI document of registered functions, each with its endpoint's description; the catch-all fallback, which only answers errors, is left out. */
export function describeFunctions(functions: { name: string; route: string; methods: string[]; doc?: OperationDoc }[]) {
  const routes: DocumentedRoute[] = functions
    .filter((fn) => !fn.route.includes('{*'))
    .flatMap((fn) => {
      const { doc } = fn;
      if (!doc) throw new Error(`function ${fn.name} has no description`);
      return fn.methods.map((method) => ({ route: fn.route, method, operationId: fn.name, doc }));
    });
  return openApiDocument(routes);
}
