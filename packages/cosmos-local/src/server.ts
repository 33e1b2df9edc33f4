/**
 * The Cosmos DB NoSQL REST protocol over HTTP, as `@azure/cosmos` speaks it (README.md says what is served
 * and what is refused). Each request is read whole, carried out on the account synchronously (so requests
 * never interleave inside a change), made durable when the account is, and answered.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account, Container, Resource, WriteOptions } from './account.js';
import type { PartitionKeyValues, QueryRequest } from './documents.js';
import { DocumentStore } from './documents.js';
import { badRequest, CosmosError } from './errors.js';
import { readPatchBody } from './patch.js';
import type { Persistence } from './persistence.js';
import { SqlError } from './sql/parse.js';
import { prepareQuery, type PreparedQuery } from './sql/query.js';
import { isObject, parseJson, type Json, type JsonObject } from './values.js';

/** Azure's largest request is about 2 MB; a batch of 100 such documents stays below this. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Azure's largest transactional batch. */
const MAX_BATCH_OPERATIONS = 100;

interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

type Headers = IncomingMessage['headers'];

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isTrue = (headers: Headers, name: string): boolean => header(headers, name)?.toLowerCase() === 'true';

/** The partition key of a request (`["a"]`, `[null]`, `[{}]` for None, several for a hierarchical key). */
function partitionKeyFrom(text: string | undefined): PartitionKeyValues | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw badRequest(`The partition key ${text} is invalid: it must be a JSON array.`);
  return parsed.map((v: unknown) => (isObject(v as Json) && Object.keys(v as JsonObject).length === 0 ? undefined : (v as Json)));
}

function requirePartitionKey(headers: Headers): PartitionKeyValues {
  const key = partitionKeyFrom(header(headers, 'x-ms-documentdb-partitionkey'));
  if (!key) throw badRequest('The partition key header (x-ms-documentdb-partitionkey) is required for this operation.');
  return key;
}

function writeOptions(headers: Headers): WriteOptions {
  const ifMatch = header(headers, 'if-match');
  return ifMatch === undefined ? {} : { ifMatch };
}

function objectBody(body: Json | undefined, what = 'The request body'): JsonObject {
  if (!isObject(body)) throw badRequest(`${what} must be a JSON object.`);
  return body;
}

const feed = (rid: string, name: string, items: Json[], extra: Record<string, string> = {}): Reply => ({
  status: 200,
  body: { _rid: rid, [name]: items, _count: items.length },
  headers: { 'x-ms-item-count': String(items.length), ...extra },
});

const resource = (status: number, body: JsonObject): Reply => ({
  status,
  body,
  headers: typeof body._etag === 'string' ? { etag: body._etag } : {},
});

/** The paging headers of a feed or query request. */
function feedRequest(headers: Headers, parameters: QueryRequest['parameters'], partitionKey: PartitionKeyValues | undefined): QueryRequest {
  const max = Number.parseInt(header(headers, 'x-ms-max-item-count') ?? '', 10);
  const continuation = header(headers, 'x-ms-continuation');
  return {
    parameters,
    ...(Number.isFinite(max) && max > 0 ? { maxItemCount: max } : {}),
    ...(continuation ? { continuation } : {}),
    ...(partitionKey ? { partitionKey } : {}),
  };
}

function queryParameters(body: JsonObject): Map<string, Json> {
  const parameters = new Map<string, Json>();
  const list = body.parameters ?? [];
  if (!Array.isArray(list)) throw badRequest('The query parameters must be a list.');
  for (const p of list) {
    if (!isObject(p) || typeof p.name !== 'string' || !p.name.startsWith('@'))
      throw badRequest("Each query parameter needs a name starting with '@'.");
    if (p.value !== undefined) parameters.set(p.name, p.value);
  }
  return parameters;
}

function queryText(body: Json | undefined): { prepared: PreparedQuery; body: JsonObject } {
  const spec = objectBody(body, 'A query');
  if (typeof spec.query !== 'string') throw badRequest('The query body needs a "query" string.');
  return { prepared: prepareQuery(spec.query), body: spec };
}

/** The query plan the SDK asks for beside each query (it uses it only when the query itself fails). */
function queryPlan(prepared: PreparedQuery): Reply {
  const { query } = prepared;
  const aggregateNames: Record<string, string> = { COUNT: 'Count', SUM: 'Sum', MIN: 'Min', MAX: 'Max', AVG: 'Average' };
  const aggregates = (prepared.aggregates?.items ?? []).map((i) => aggregateNames[(i.aggregate as { name: string }).name] as string);
  return {
    status: 200,
    body: {
      partitionedQueryExecutionInfoVersion: 2,
      queryInfo: {
        distinctType: 'None',
        top: query.top ?? null,
        offset: null,
        limit: null,
        orderBy: prepared.orderBy.map((o) => (o.descending ? 'Descending' : 'Ascending')),
        orderByExpressions: prepared.orderBy.map((o) => `${query.alias}.${o.path.join('.')}`),
        groupByExpressions: [],
        groupByAliases: [],
        aggregates,
        groupByAliasToAggregateType: {},
        rewrittenQuery: '',
        hasSelectValue: query.select.kind === 'value',
        dCountInfo: null,
      },
      queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
    },
  };
}

/** A query over a list of databases or containers (no indexes: there are few). */
function queryResources(prepared: PreparedQuery, resources: Resource[], request: QueryRequest, rid: string, name: string): Reply {
  const store = new DocumentStore([], 'scan');
  for (const r of resources) store.put(r);
  const page = store.query(prepared, request);
  return feed(rid, name, page.results, page.continuation ? { 'x-ms-continuation': page.continuation } : {});
}

function pageReply(container: Container, prepared: PreparedQuery, request: QueryRequest): Reply {
  const page = container.query(prepared, request);
  return feed(container.resource._rid, 'Documents', page.results, page.continuation ? { 'x-ms-continuation': page.continuation } : {});
}

interface BatchResult {
  statusCode: number;
  requestCharge: number;
  eTag?: string;
  resourceBody?: Json;
}

function batchOperation(container: Container, input: Json, batchKey: PartitionKeyValues | undefined, atomic: boolean): BatchResult {
  if (!isObject(input)) throw badRequest('A batch operation must be an object.');
  const ownKey =
    input.partitionKey === undefined
      ? undefined
      : partitionKeyFrom(typeof input.partitionKey === 'string' ? input.partitionKey : JSON.stringify(input.partitionKey));
  const partitionKey = ownKey ?? batchKey;
  const options: WriteOptions = typeof input.ifMatch === 'string' ? { ifMatch: input.ifMatch } : {};
  const id = typeof input.id === 'string' ? input.id : undefined;
  const body = input.resourceBody;
  const needKey = (): PartitionKeyValues => {
    if (!partitionKey) throw badRequest(`PartitionKey is required for ${String(input.operationType)} operations.`);
    return partitionKey;
  };
  const needId = (): string => {
    if (id === undefined) throw badRequest(`${String(input.operationType)} needs an id.`);
    return id;
  };
  const done = (statusCode: number, doc?: JsonObject): BatchResult =>
    doc ? { statusCode, requestCharge: 1, eTag: doc._etag as string, resourceBody: doc } : { statusCode, requestCharge: 1 };
  const doc = (): JsonObject => {
    const d = objectBody(body, 'The resourceBody of the operation');
    if (atomic && partitionKey && JSON.stringify(container.documents.partitionKeyOf(d)) !== JSON.stringify(partitionKey)) {
      throw badRequest("PartitionKey extracted from document doesn't match the one specified in the header.");
    }
    return d;
  };
  switch (input.operationType) {
    case 'Create':
      return done(201, container.create(doc(), partitionKey));
    case 'Upsert': {
      const { doc: written, created } = container.upsert(doc(), partitionKey, options);
      return done(created ? 201 : 200, written);
    }
    case 'Replace':
      return done(200, container.replace(needKey(), needId(), doc(), options));
    case 'Read':
      return done(200, container.read(needKey(), needId()));
    case 'Delete':
      container.delete(needKey(), needId(), options);
      return done(204);
    case 'Patch': {
      const { operations, condition } = readPatchBody(body);
      return done(200, container.patch(needKey(), needId(), operations, condition, options));
    }
    default:
      throw badRequest(`Operation type '${String(input.operationType)}' is not supported in Batch.`);
  }
}

function failed(err: unknown): BatchResult {
  if (err instanceof CosmosError)
    return { statusCode: err.status, requestCharge: 0, resourceBody: { code: err.code, message: err.message } };
  if (err instanceof SqlError) return { statusCode: 400, requestCharge: 0, resourceBody: { code: 'BadRequest', message: err.message } };
  throw err;
}

/** A transactional batch (all or nothing: on the first failure the rest is 424 and nothing stays) or a bulk request. */
function batch(account: Account, container: Container, headers: Headers, body: Json | undefined): Reply {
  if (!Array.isArray(body)) throw badRequest('A batch request body must be a list of operations.');
  if (body.length > MAX_BATCH_OPERATIONS) throw badRequest(`A batch holds at most ${MAX_BATCH_OPERATIONS} operations.`);
  const batchKey = partitionKeyFrom(header(headers, 'x-ms-documentdb-partitionkey'));
  const atomic = isTrue(headers, 'x-ms-cosmos-batch-atomic');
  if (!atomic) {
    const continueOnError = isTrue(headers, 'x-ms-cosmos-batch-continue-on-error');
    let stop = false;
    const results = body.map((input) => {
      if (stop) return { statusCode: 424, requestCharge: 0 };
      try {
        return batchOperation(container, input, batchKey, false);
      } catch (err) {
        stop = !continueOnError;
        return failed(err);
      }
    });
    return { status: 200, body: results as unknown as Json };
  }
  if (batchKey) {
    const mismatch = body.some(
      (input) =>
        isObject(input) &&
        input.partitionKey !== undefined &&
        JSON.stringify(
          partitionKeyFrom(typeof input.partitionKey === 'string' ? input.partitionKey : JSON.stringify(input.partitionKey)),
        ) !== JSON.stringify(batchKey),
    );
    if (mismatch)
      throw badRequest('One or more operations within the batch request have a different partition key value than the request.');
  }
  return account.transaction(() => {
    const results: BatchResult[] = [];
    for (const input of body) {
      let result: BatchResult;
      try {
        result = batchOperation(container, input, batchKey, true);
      } catch (err) {
        result = failed(err);
      }
      if (result.statusCode >= 400) {
        const answer = body.map((_, i) => (i === results.length ? result : { statusCode: 424, requestCharge: 0 }));
        return { commit: false, value: { status: 207, body: answer as unknown as Json } };
      }
      results.push(result);
    }
    return { commit: true, value: { status: 200, body: results as unknown as Json } };
  });
}

function accountResource(host: string): JsonObject {
  const endpoint = `http://${host}/`;
  const locations = [{ name: 'Local', databaseAccountEndpoint: endpoint }];
  return {
    id: 'localhost',
    _rid: host,
    _self: '',
    _dbs: '//dbs/',
    media: '//media/',
    addresses: '//addresses/',
    writableLocations: locations,
    readableLocations: locations,
    enableMultipleWriteLocations: false,
    userReplicationPolicy: { asyncReplication: false, minReplicaSetSize: 1, maxReplicasetSize: 4 },
    userConsistencyPolicy: { defaultConsistencyLevel: 'Session' },
    systemReplicationPolicy: { minReplicaSetSize: 1, maxReplicasetSize: 4 },
    readPolicy: { primaryReadCoefficient: 1, secondaryReadCoefficient: 1 },
    queryEngineConfiguration: JSON.stringify({
      maxSqlQueryInputLength: 262144,
      maxJoinsPerSqlQuery: 5,
      maxLogicalAndPerSqlQuery: 500,
      maxLogicalOrPerSqlQuery: 500,
      maxInExpressionItemsCount: 16000,
      sqlAllowNonFiniteNumbers: false,
      sqlAllowAggregateFunctions: true,
      sqlAllowSubQuery: false,
      sqlAllowLike: false,
      sqlAllowTop: true,
    }),
  };
}

const unsupported = (what: string): CosmosError => badRequest(`${what} is not supported by the embedded Cosmos DB server.`);

/** Carries out one request on the account. */
export function route(account: Account, method: string, segments: string[], headers: Headers, body: Json | undefined): Reply {
  const [dbs, dbId, colls, collId, docs, docId, ...rest] = segments;
  if (segments.length === 0) {
    if (method !== 'GET') throw unsupported(`${method} /`);
    return { status: 200, body: accountResource(header(headers, 'host') ?? 'localhost') };
  }
  if (dbs !== 'dbs' || rest.length) throw unsupported(`The resource /${segments.join('/')}`);
  const isQuery =
    method === 'POST' &&
    (isTrue(headers, 'x-ms-documentdb-isquery') || (header(headers, 'content-type') ?? '').startsWith('application/query+json'));

  if (dbId === undefined) {
    if (isQuery) {
      const { prepared, body: spec } = queryText(body);
      return queryResources(
        prepared,
        [...account.databases.values()].map((d) => d.resource),
        feedRequest(headers, queryParameters(spec), undefined),
        '',
        'Databases',
      );
    }
    if (method === 'GET')
      return feed(
        '',
        'Databases',
        [...account.databases.values()].map((d) => d.resource),
      );
    if (method === 'POST') return resource(201, account.createDatabase(objectBody(body)));
    throw unsupported(`${method} /dbs`);
  }
  if (colls === undefined) {
    if (method === 'GET') return resource(200, account.database(dbId).resource);
    if (method === 'DELETE') return (account.deleteDatabase(dbId), { status: 204 });
    throw unsupported(`${method} on a database`);
  }
  if (colls !== 'colls') throw unsupported(`The resource /${segments.join('/')}`);
  if (collId === undefined) {
    const database = account.database(dbId);
    if (isQuery) {
      const { prepared, body: spec } = queryText(body);
      return queryResources(
        prepared,
        [...database.containers.values()].map((c) => c.resource),
        feedRequest(headers, queryParameters(spec), undefined),
        database.resource._rid,
        'DocumentCollections',
      );
    }
    if (method === 'GET')
      return feed(
        database.resource._rid,
        'DocumentCollections',
        [...database.containers.values()].map((c) => c.resource),
      );
    if (method === 'POST') return resource(201, account.createContainer(dbId, objectBody(body)));
    throw unsupported(`${method} on containers`);
  }
  if (docs === undefined) {
    if (method === 'GET') return resource(200, account.container(dbId, collId).resource);
    if (method === 'PUT') return resource(200, account.replaceContainer(dbId, collId, objectBody(body), writeOptions(headers)));
    if (method === 'DELETE') return (account.deleteContainer(dbId, collId), { status: 204 });
    throw unsupported(`${method} on a container`);
  }
  const container = account.container(dbId, collId);
  if (docs === 'pkranges') {
    if (method !== 'GET') throw unsupported(`${method} on partition key ranges`);
    // One range, never split: an incremental read (what the SDK's cache refresh sends) has nothing new.
    if (header(headers, 'a-im') && header(headers, 'if-none-match')) return { status: 304, headers: { etag: '"1"' } };
    const rid = container.resource._rid;
    const range = {
      id: '0',
      _rid: rid,
      _self: `${container.resource._self}pkranges/0/`,
      _etag: '"1"',
      _ts: container.resource._ts,
      minInclusive: '',
      maxExclusive: 'FF',
      ridPrefix: 0,
      throughputFraction: 1,
      status: 'online',
      parents: [],
    };
    return feed(rid, 'PartitionKeyRanges', [range], { etag: '"1"' });
  }
  if (docs !== 'docs') throw unsupported(`The resource /${segments.join('/')}`);

  if (docId === undefined) {
    if (method === 'GET') {
      if (header(headers, 'a-im')) throw unsupported('The change feed');
      const request = feedRequest(headers, new Map(), partitionKeyFrom(header(headers, 'x-ms-documentdb-partitionkey')));
      return pageReply(container, prepareQuery('SELECT * FROM c'), request);
    }
    if (method !== 'POST') throw unsupported(`${method} on documents`);
    if (isTrue(headers, 'x-ms-cosmos-is-batch-request')) return batch(account, container, headers, body);
    if (isQuery) {
      const { prepared, body: spec } = queryText(body);
      if (isTrue(headers, 'x-ms-cosmos-is-query-plan-request')) return queryPlan(prepared);
      const request = feedRequest(headers, queryParameters(spec), partitionKeyFrom(header(headers, 'x-ms-documentdb-partitionkey')));
      return pageReply(container, prepared, request);
    }
    const doc = objectBody(body, 'A document');
    const partitionKey = partitionKeyFrom(header(headers, 'x-ms-documentdb-partitionkey'));
    if (isTrue(headers, 'x-ms-documentdb-is-upsert')) {
      const { doc: written, created } = container.upsert(doc, partitionKey, writeOptions(headers));
      return resource(created ? 201 : 200, written);
    }
    return resource(201, container.create(doc, partitionKey));
  }

  const partitionKey = requirePartitionKey(headers);
  switch (method) {
    case 'GET': {
      const doc = container.read(partitionKey, docId);
      if (header(headers, 'if-none-match') === doc._etag) return { status: 304, headers: { etag: doc._etag } };
      return resource(200, doc);
    }
    case 'PUT':
      return resource(200, container.replace(partitionKey, docId, objectBody(body, 'A document'), writeOptions(headers)));
    case 'DELETE':
      container.delete(partitionKey, docId, writeOptions(headers));
      return { status: 204 };
    case 'PATCH': {
      const { operations, condition } = readPatchBody(body);
      return resource(200, container.patch(partitionKey, docId, operations, condition, writeOptions(headers)));
    }
    default:
      throw unsupported(`${method} on a document`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  // Most requests (reads, deletes) have no body: no stream to wait for.
  if (
    req.headers['content-length'] === '0' ||
    (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)
  ) {
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new CosmosError(413, 'RequestEntityTooLarge', 'Request size is too large.'));
      } else {
        chunks.push(chunk);
      }
    });
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export type ErrorReporter = (err: Error, req: IncomingMessage) => void;

/** The request listener: one request in, one answer out (after the change is durable, with persistence). */
export function requestHandler(account: Account, persistence: Persistence | undefined, onError: ErrorReporter) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      let reply: Reply;
      try {
        const raw = await readBody(req);
        let body: Json | undefined;
        if (raw.length) {
          try {
            body = parseJson(raw.toString('utf8'));
          } catch {
            throw badRequest('The request body is not valid JSON.');
          }
        }
        const path = (req.url ?? '/').split('?', 1)[0] as string;
        const segments = path
          .split('/')
          .filter(Boolean)
          .map((s) => decodeURIComponent(s));
        // Outside any transaction, and made durable with this request's own changes.
        account.purgeExpired();
        reply = route(account, req.method ?? 'GET', segments, req.headers, body);
      } catch (err) {
        if (err instanceof CosmosError) {
          reply = {
            status: err.status,
            body: { code: err.code, message: err.message },
            headers: err.substatus === undefined ? {} : { 'x-ms-substatus': String(err.substatus) },
          };
        } else if (err instanceof SqlError) {
          reply = { status: 400, body: { code: 'BadRequest', message: err.message } };
        } else {
          onError(err as Error, req);
          reply = { status: 500, body: { code: 'InternalServerError', message: (err as Error).message } };
        }
      }
      try {
        if (persistence) await persistence.commit();
        else account.takeChanges();
      } catch (err) {
        onError(err as Error, req);
        reply = {
          status: 500,
          body: { code: 'InternalServerError', message: `The change could not be made durable: ${(err as Error).message}` },
        };
      }
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-ms-activity-id': header(req.headers, 'x-ms-activity-id') ?? randomUUID(),
        'x-ms-request-charge': '1',
        ...reply.headers,
      };
      const text = reply.body === undefined || reply.status === 204 || reply.status === 304 ? undefined : JSON.stringify(reply.body);
      // With its length known, Node writes headers and body as one plain write; without it, writeHead
      // makes the answer chunked (three pieces to write here and to decode in the SDK).
      if (text !== undefined) headers['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(reply.status, headers);
      res.end(text);
    })().catch((err: unknown) => {
      onError(err as Error, req);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}
