import { BulkOperationType, PatchOperationType, type Container, type OperationInput } from '@azure/cosmos';
import { StoreError } from './errors.js';
import type { Condition, EntityShape, Ordering } from './query.js';
import { compileCondition, orderByClause } from './sql.js';

/** Every document lives in its tenant's partition and says what it is. */
export type DocType = 'connectorGroup' | 'connector' | 'connectorMembership' | 'applicationAssignment';

export interface Doc {
  id: string;
  tenantId: string;
  type: DocType;
}

/** A document as read back, with the version tag that conditional writes name. */
export type Stored<T extends Doc> = T & { _etag: string };

export type BatchOp =
  | { op: 'create'; doc: Doc }
  | { op: 'replace'; doc: Doc; ifMatch: string }
  | { op: 'delete'; id: string; ifMatch?: string }
  | { op: 'increment'; type: DocType; id: string; by: Record<string, number> };

export const createOp = <T extends Doc>(doc: T): BatchOp => ({ op: 'create', doc });
export const replaceOp = <T extends Doc>(doc: T, ifMatch: string): BatchOp => ({ op: 'replace', doc, ifMatch });
/** Without `ifMatch`, the delete is unconditional (it still fails the batch when the document is missing). */
export const deleteOp = (id: string, ifMatch?: string): BatchOp => ({ op: 'delete', id, ifMatch });
/**
 * Adds to numeric properties of a document of `type` without reading it first, so concurrent batches never
 * conflict on it; the batch fails as a whole when the document is missing (404) or of another type (412).
 */
export const incrementOp = (type: DocType, id: string, by: Record<string, number>): BatchOp => ({ op: 'increment', type, id, by });

export interface PageRequest {
  pageSize: number;
  continuation?: string;
}

export interface Page<T> {
  items: T[];
  continuation?: string;
}

export interface QuerySpec {
  type: DocType;
  /** Only these ids (a group's members, read through their edges). */
  ids?: readonly string[];
  filter?: Condition;
  /** Which properties of `filter` are nullable. */
  shape?: EntityShape;
  orderBy?: readonly Ordering[];
}

const SYSTEM_PROPERTIES = ['_etag', '_rid', '_self', '_ts', '_attachments'] as const;
type WithoutSystem<T> = Omit<T, (typeof SYSTEM_PROPERTIES)[number]>;

/** A stored document without the Cosmos system properties, ready to be written back. */
export function withoutSystem<T extends object>(doc: T): WithoutSystem<T> {
  const copy = { ...doc } as Record<string, unknown>;
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy as WithoutSystem<T>;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** A Cosmos status or a network failure as a store error; anything else is passed on as it is. */
export function storeFailure(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const e = error as { code?: unknown; retryAfterInMs?: unknown; name?: unknown } | undefined;
  const code = e?.code;
  switch (code) {
    case 409:
      return new StoreError('exists');
    case 412:
      return new StoreError('changed');
    case 404:
      return new StoreError('missing');
    case 429:
      return new StoreError('throttled', 'store: throttled', Number(e?.retryAfterInMs) || undefined);
    case 408:
    case 410:
    case 503:
      return new StoreError('unavailable');
  }
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || e?.name === 'TimeoutError') return new StoreError('unavailable');
  return error;
}

/**
 * Cosmos DB access for one container partitioned by `/tenantId`. Each method is one round trip (a query
 * page may cost the SDK's query-plan request too). Every query names the tenant in its SQL as well as in
 * the partition key option, so no code path can read across tenants. Failures leave as StoreErrors.
 */
export class Store {
  constructor(private readonly container: Container) {}

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw storeFailure(error);
    }
  }

  async read<T extends Doc>(tenantId: string, id: string): Promise<Stored<T> | undefined> {
    return this.call(async () => {
      const { resource } = await this.container.item(id, tenantId).read<Stored<T>>();
      return resource ?? undefined;
    });
  }

  async create<T extends Doc>(doc: T): Promise<Stored<T>> {
    return this.call(async () => (await this.container.items.create<T>(doc)).resource as Stored<T>);
  }

  async replace<T extends Doc>(doc: T, ifMatch: string): Promise<Stored<T>> {
    return this.call(async () => {
      const { resource } = await this.container
        .item(doc.id, doc.tenantId)
        .replace<T>(doc, { accessCondition: { type: 'IfMatch', condition: ifMatch } });
      return resource as Stored<T>;
    });
  }

  async delete(tenantId: string, id: string, ifMatch: string): Promise<void> {
    await this.call(() => this.container.item(id, tenantId).delete({ accessCondition: { type: 'IfMatch', condition: ifMatch } }));
  }

  /** All or nothing, in one tenant's partition; returns each operation's resulting document. */
  async batch(tenantId: string, ops: BatchOp[]): Promise<unknown[]> {
    const operations = ops.map((o): OperationInput => {
      switch (o.op) {
        case 'create':
          return { operationType: BulkOperationType.Create, partitionKey: tenantId, resourceBody: { ...o.doc } };
        case 'replace':
          return {
            operationType: BulkOperationType.Replace,
            partitionKey: tenantId,
            id: o.doc.id,
            resourceBody: { ...o.doc },
            ifMatch: o.ifMatch,
          };
        case 'delete':
          return { operationType: BulkOperationType.Delete, partitionKey: tenantId, id: o.id, ...(o.ifMatch ? { ifMatch: o.ifMatch } : {}) };
        case 'increment':
          return {
            operationType: BulkOperationType.Patch,
            partitionKey: tenantId,
            id: o.id,
            resourceBody: {
              // The type is one of ours (DocType), never request text.
              condition: `from c where c.type = '${o.type}'`,
              operations: Object.entries(o.by).map(([property, value]) => ({ op: PatchOperationType.incr, path: `/${property}`, value })),
            },
          };
      }
    });
    const response = await this.call(() => this.container.items.batch(operations, tenantId));
    // The failed operation keeps its own status; the others report 424.
    const failed = response.result?.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (failed) throw storeFailure({ code: failed.statusCode });
    if (!response.result || (response.code ?? 200) >= 400) throw storeFailure({ code: response.code });
    return response.result.map((r) => r.resourceBody);
  }

  private sql(tenantId: string, spec: QuerySpec, select: string) {
    const conditions = ['c.tenantId = @tenantId', 'c.type = @type'];
    const parameters: { name: string; value: string | boolean | readonly string[] }[] = [
      { name: '@tenantId', value: tenantId },
      { name: '@type', value: spec.type },
    ];
    if (spec.ids) {
      conditions.push('ARRAY_CONTAINS(@ids, c.id)');
      parameters.push({ name: '@ids', value: spec.ids });
    }
    if (spec.filter) {
      const filter = compileCondition(spec.filter, spec.shape);
      conditions.push(filter.sql);
      parameters.push(...filter.parameters);
    }
    return {
      query: `SELECT ${select} FROM c WHERE ${conditions.join(' AND ')}${select === '*' ? orderByClause(spec.orderBy) : ''}`,
      parameters: parameters as { name: string; value: string | boolean | string[] }[],
    };
  }

  async page<T extends Doc>(tenantId: string, spec: QuerySpec, page: PageRequest): Promise<Page<Stored<T>>> {
    return this.call(async () => {
      const iterator = this.container.items.query<Stored<T>>(this.sql(tenantId, spec, '*'), {
        partitionKey: tenantId,
        maxItemCount: page.pageSize,
        continuationToken: page.continuation,
      });
      const { resources, continuationToken } = await iterator.fetchNext();
      return { items: resources, continuation: continuationToken || undefined };
    });
  }

  /** Every match, for small bounded sets (a group's edges); callers page anything unbounded. */
  async all<T extends Doc>(tenantId: string, spec: QuerySpec): Promise<Stored<T>[]> {
    return this.call(async () => {
      const { resources } = await this.container.items
        .query<Stored<T>>(this.sql(tenantId, spec, '*'), { partitionKey: tenantId })
        .fetchAll();
      return resources;
    });
  }

  async count(tenantId: string, spec: QuerySpec): Promise<number> {
    return this.call(async () => {
      const { resources } = await this.container.items
        .query<number>(this.sql(tenantId, spec, 'VALUE COUNT(1)'), { partitionKey: tenantId })
        .fetchAll();
      return resources[0] ?? 0;
    });
  }
}
