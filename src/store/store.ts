import {
  BulkOperationType,
  type Container,
  type OperationInput,
  type SqlParameter,
} from '@azure/cosmos';

/** Every document lives in its tenant's partition and says what it is. */
export type DocType = 'connectorGroup' | 'connector' | 'connectorMembership' | 'applicationAssignment';

export interface Doc {
  id: string;
  tenantId: string;
  type: DocType;
}

export type Stored<T extends Doc> = T & { _etag: string };

/** A write lost a race or broke a rule the database enforces; the domain decides what it means. */
export class StoreConflict extends Error {
  constructor(readonly reason: 'exists' | 'changed' | 'missing') {
    super(`store: ${reason}`);
  }
}

export type BatchOp =
  | { op: 'create'; doc: Doc }
  | { op: 'replace'; doc: Doc; ifMatch: string }
  | { op: 'delete'; id: string; ifMatch: string };

export const createOp = <T extends Doc>(doc: T): BatchOp => ({ op: 'create', doc });
export const replaceOp = <T extends Doc>(doc: T, ifMatch: string): BatchOp => ({ op: 'replace', doc, ifMatch });
export const deleteOp = (id: string, ifMatch: string): BatchOp => ({ op: 'delete', id, ifMatch });

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
  /** Extra SQL condition over `c`, built only from fixed property names and parameters. */
  where?: string;
  parameters?: SqlParameter[];
  orderBy?: { property: string; descending: boolean }[];
}

const statusOf = (error: unknown) => (error as { code?: unknown })?.code;

function failure(status: unknown): StoreConflict | undefined {
  if (status === 409) return new StoreConflict('exists');
  if (status === 412) return new StoreConflict('changed');
  if (status === 404) return new StoreConflict('missing');
  return undefined;
}

/**
 * Cosmos DB access for one container partitioned by `/tenantId`. Each method is one round trip (a query
 * page may cost the SDK's query-plan request too). Every query names the tenant in its SQL as well as in
 * the partition key option, so no code path can read across tenants.
 */
export class Store {
  constructor(private readonly container: Container) {}

  async read<T extends Doc>(tenantId: string, id: string): Promise<Stored<T> | undefined> {
    const { resource } = await this.container.item(id, tenantId).read<Stored<T>>();
    return resource ?? undefined;
  }

  async create<T extends Doc>(doc: T): Promise<Stored<T>> {
    try {
      const { resource } = await this.container.items.create<T>(doc);
      return resource as Stored<T>;
    } catch (error) {
      throw failure(statusOf(error)) ?? error;
    }
  }

  async replace<T extends Doc>(doc: T, ifMatch: string): Promise<Stored<T>> {
    try {
      const { resource } = await this.container
        .item(doc.id, doc.tenantId)
        .replace<T>(doc, { accessCondition: { type: 'IfMatch', condition: ifMatch } });
      return resource as Stored<T>;
    } catch (error) {
      throw failure(statusOf(error)) ?? error;
    }
  }

  async delete(tenantId: string, id: string, ifMatch: string): Promise<void> {
    try {
      await this.container.item(id, tenantId).delete({ accessCondition: { type: 'IfMatch', condition: ifMatch } });
    } catch (error) {
      throw failure(statusOf(error)) ?? error;
    }
  }

  /** All or nothing, in one tenant's partition; returns each operation's resulting document. */
  async batch(tenantId: string, ops: BatchOp[]): Promise<unknown[]> {
    const operations: OperationInput[] = ops.map((o) => {
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
          return { operationType: BulkOperationType.Delete, partitionKey: tenantId, id: o.id, ifMatch: o.ifMatch };
      }
    });
    const response = await this.container.items.batch(operations, tenantId);
    const failed = response.result?.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (failed) throw failure(failed.statusCode) ?? new Error(`batch failed with status ${failed.statusCode}`);
    if (!response.result || (response.code ?? 200) >= 400) throw new Error(`batch failed with status ${response.code}`);
    return response.result.map((r) => r.resourceBody);
  }

  private sql(tenantId: string, spec: QuerySpec, select: string) {
    const where = spec.where ? ` AND (${spec.where})` : '';
    const order = spec.orderBy?.length
      ? ` ORDER BY ${spec.orderBy.map((o) => `c.${o.property}${o.descending ? ' DESC' : ''}`).join(', ')}`
      : '';
    return {
      query: `SELECT ${select} FROM c WHERE c.tenantId = @tenantId AND c.type = @type${where}${order}`,
      parameters: [{ name: '@tenantId', value: tenantId }, { name: '@type', value: spec.type }, ...(spec.parameters ?? [])],
    };
  }

  async page<T extends Doc>(tenantId: string, spec: QuerySpec, page: PageRequest): Promise<Page<Stored<T>>> {
    const iterator = this.container.items.query<Stored<T>>(this.sql(tenantId, spec, '*'), {
      partitionKey: tenantId,
      maxItemCount: page.pageSize,
      continuationToken: page.continuation,
    });
    const { resources, continuationToken } = await iterator.fetchNext();
    return { items: resources, continuation: continuationToken || undefined };
  }

  /** Every match, for small bounded sets (a group's edges); callers page anything unbounded. */
  async all<T extends Doc>(tenantId: string, spec: QuerySpec): Promise<Stored<T>[]> {
    const { resources } = await this.container.items
      .query<Stored<T>>(this.sql(tenantId, spec, '*'), { partitionKey: tenantId })
      .fetchAll();
    return resources;
  }

  async count(tenantId: string, spec: QuerySpec): Promise<number> {
    const { resources } = await this.container.items
      .query<number>(this.sql(tenantId, { ...spec, orderBy: undefined }, 'VALUE COUNT(1)'), { partitionKey: tenantId })
      .fetchAll();
    return resources[0] ?? 0;
  }
}
