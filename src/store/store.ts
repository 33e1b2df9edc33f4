import { randomUUID } from 'node:crypto';
import { BulkOperationType, PatchOperationType, type Container, type JSONObject, type OperationInput } from '@azure/cosmos';
import type { Scope } from '../lib/deadline.js';
import { StoreError } from './errors.js';
import { ObservedCall, type Observation } from './observe.js';
import type { Condition, EntityShape, Ordering, Page, PageRequest, Stored } from '../lib/query.js';
import { compileCondition, orderByClause } from './sql.js';

/** Every document lives in its tenant's partition and says what it is (the domain names its types). */
export interface StoreDoc {
  id: string;
  tenantId: string;
  type: string;
  /** Stamped by the store on every document a write creates or replaces, so a write whose answer was lost can be recognised. */
  writeId?: string;
}

/** What an operation of a batch results in, carried by its builder so a batch's results need no casts. */
declare const RESULT: unique symbol;
interface Resulting<R> {
  readonly [RESULT]?: R;
}

type CreateOp = { op: 'create'; doc: StoreDoc };
type ReplaceOp = { op: 'replace'; doc: StoreDoc; ifMatch: string };
type DeleteOp = { op: 'delete'; id: string; ifMatch?: string };
type IncrementOp = { op: 'increment'; type: string; id: string; by: Record<string, number> };
/** An operation as the store (or a stand-in for it) carries it out. */
export type AnyOp = CreateOp | ReplaceOp | DeleteOp | IncrementOp;

/** One operation of a transactional batch, resulting in `R` (the written document, or nothing for a delete). */
export type BatchOp<R = unknown> = AnyOp & Resulting<R>;

/** The results of a batch's operations, in their order and of their types. */
export type BatchResults<Ops extends readonly BatchOp[]> = { -readonly [K in keyof Ops]: Ops[K] extends BatchOp<infer R> ? R : never };

/** Sends of one write whose answer was lost and which turned out not to have committed. */
const MAX_WRITE_ATTEMPTS = 3;
/** Time the reads that settle a lost answer may take, beyond the request's deadline. */
const SETTLE_BUDGET_MS = 3_000;
/** Reads of one document while settling, when Cosmos fails them too. */
const SETTLE_READ_ATTEMPTS = 4;

export const createOp = <T extends StoreDoc>(doc: T): BatchOp<Stored<T>> => ({ op: 'create', doc });
export const replaceOp = <T extends StoreDoc>(doc: T, ifMatch: string): BatchOp<Stored<T>> => ({ op: 'replace', doc, ifMatch });
/** Without `ifMatch`, the delete is unconditional (it still fails the batch when the document is missing). */
export const deleteOp = (id: string, ifMatch?: string): BatchOp<undefined> => ({ op: 'delete', id, ifMatch });

/** Document types go into a patch condition's text, so they are plain names. */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Adds to numeric properties of a document of `type` without reading it first, so concurrent batches never
 * conflict on it; the batch fails as a whole when the document is missing (404) or of another type (412).
 */
export const incrementOp = <T extends StoreDoc>(type: T['type'], id: string, by: Partial<Record<keyof T, number>>): BatchOp<Stored<T>> => {
  if (!TYPE_NAME.test(type)) throw new Error(`store: '${type}' is not a document type`);
  return { op: 'increment', type, id, by: by as Record<string, number> };
};

export interface QuerySpec {
  type: string;
  /** Only these ids (a group's members, read through their edges). */
  ids?: readonly string[];
  filter?: Condition;
  /** Which properties of `filter` are nullable. */
  shape?: EntityShape;
  orderBy?: readonly Ordering[];
}

const SYSTEM_PROPERTIES = ['_etag', '_rid', '_self', '_ts', '_attachments'] as const;
type WithoutSystem<T> = Omit<T, (typeof SYSTEM_PROPERTIES)[number]>;
const SYSTEM: ReadonlySet<string> = new Set(SYSTEM_PROPERTIES);

/** A stored document without the Cosmos system properties, ready to be written back. */
export function withoutSystem<T extends object>(doc: T): WithoutSystem<T> {
  // Copied without them rather than deleted from a copy: `delete` turns an object into a slow dictionary,
  // which every later read and its serialization pay for.
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) if (!SYSTEM.has(key)) copy[key] = value;
  return copy as WithoutSystem<T>;
}

/** Statuses after which the server may have carried the request out although it reports a failure. */
const UNCERTAIN_STATUSES = new Set([408, 500, 503]);

/**
 * The one translation of a Cosmos failure into a store error; nothing from Cosmos leaves the store any
 * other way. The status comes from the SDK's error or, when the SDK dropped it (batches, bodies that are
 * not JSON), from what the HTTP client saw (`observation`). Past the statuses the directory acts on, every
 * failure is `unavailable` (503 with Retry-After above), except a request Cosmos calls malformed or too
 * large, which is the caller's (`invalid`). A failure without any answer (reset, timeout, the request's
 * deadline) is `unavailable` and, when the request may have been sent, `uncertain`.
 */
export function storeFailure(error: unknown, observation: Observation = {}): StoreError {
  if (error instanceof StoreError) return error;
  const e = error as { code?: unknown; retryAfterInMs?: unknown; name?: unknown } | undefined;
  const status = typeof e?.code === 'number' ? e.code : (observation.status ?? 0) >= 400 ? observation.status : undefined;
  const options = { cause: error };
  switch (status) {
    case undefined:
      break;
    case 409:
      return new StoreError('exists', undefined, undefined, options);
    case 412:
      return new StoreError('changed', undefined, undefined, options);
    case 404:
      return new StoreError('missing', undefined, undefined, options);
    case 429: {
      const retryAfterMs = Number(e?.retryAfterInMs) || observation.retryAfterMs;
      return new StoreError('throttled', 'store: throttled', retryAfterMs, options);
    }
    case 400:
    case 413:
      return new StoreError('invalid', 'The request is too large or too complex for the directory to serve.', undefined, options);
    default:
      return new StoreError('unavailable', `store: unavailable (${status})`, undefined, {
        ...options,
        uncertain: UNCERTAIN_STATUSES.has(status),
      });
  }
  const abandoned = e?.name === 'TimeoutError' || e?.name === 'AbortError' || observation.networkCode === 'AbortError';
  const uncertain = abandoned || observation.sentWithoutAnswer || observation.status === undefined;
  return new StoreError('unavailable', 'store: no answer', undefined, { ...options, uncertain, abandoned });
}

/** The options of one Cosmos operation: the request's deadline, and the headers that let it be observed. */
interface CallOptions {
  abortSignal?: AbortSignal;
  initialHeaders: Record<string, string>;
}

/**
 * Cosmos DB access for one container partitioned by `/tenantId`. Each method is one round trip (a query
 * page may cost the SDK's query-plan request too) within its scope: the tenant's partition and the
 * request's deadline. Every query names the tenant in its SQL as well as in the partition key option, so
 * no code path can read across tenants. Failures leave as StoreErrors.
 */
export class Store {
  constructor(private readonly container: Container) {}

  /** One Cosmos operation within the scope's deadline (lib/deadline.ts), its failure translated. */
  private async call<T>(scope: Scope, operation: (options: CallOptions) => Promise<T>): Promise<T> {
    const signal = scope.deadline?.signal;
    if (signal?.aborted) throw new StoreError('unavailable', 'store: the request deadline has passed');
    const observed = new ObservedCall();
    try {
      return await operation({ abortSignal: signal, initialHeaders: observed.headers });
    } catch (error) {
      throw storeFailure(error, observed.observation);
    } finally {
      observed.end();
    }
  }

  async read<T extends StoreDoc>(scope: Scope, id: string): Promise<Stored<T> | undefined> {
    return this.call(scope, async (options) => {
      const { resource } = await this.container.item(id, scope.tenantId).read<Stored<T>>(options);
      return resource ?? undefined;
    });
  }

  /** A single document on its own (the Default group, which no audit record accompanies). */
  async create<T extends StoreDoc>(scope: Scope, doc: T): Promise<Stored<T>> {
    const [created] = await this.write(scope, [createOp(doc)], async ([op]) => [
      await this.call(scope, async (options) => (await this.container.items.create((op as CreateOp).doc, options)).resource),
    ]);
    return created;
  }

  /** All or nothing, in the scope's partition; returns each operation's result, typed by its builder. */
  async batch<const Ops extends readonly BatchOp[]>(scope: Scope, ops: Ops): Promise<BatchResults<Ops>> {
    return this.write(scope, ops, (stamped) => this.sendBatch(scope, stamped));
  }

  /** `ops` as `write` stamped them: their documents are fresh copies, sent as they are. */
  private async sendBatch(scope: Scope, ops: readonly AnyOp[]): Promise<unknown[]> {
    const { tenantId } = scope;
    const operations = ops.map((o): OperationInput => {
      switch (o.op) {
        case 'create':
          return { operationType: BulkOperationType.Create, partitionKey: tenantId, resourceBody: o.doc as unknown as JSONObject };
        case 'replace':
          return {
            operationType: BulkOperationType.Replace,
            partitionKey: tenantId,
            id: o.doc.id,
            resourceBody: o.doc as unknown as JSONObject,
            ifMatch: o.ifMatch,
          };
        case 'delete':
          return {
            operationType: BulkOperationType.Delete,
            partitionKey: tenantId,
            id: o.id,
            ...(o.ifMatch ? { ifMatch: o.ifMatch } : {}),
          };
        case 'increment':
          return {
            operationType: BulkOperationType.Patch,
            partitionKey: tenantId,
            id: o.id,
            resourceBody: {
              // The type is a plain name (incrementOp checks it), never request text.
              condition: `from c where c.type = '${o.type}'`,
              operations: Object.entries(o.by).map(([property, value]) => ({ op: PatchOperationType.incr, path: `/${property}`, value })),
            },
          };
      }
    });
    const response = await this.call(scope, (options) => this.container.items.batch(operations, tenantId, options));
    // The failed operation keeps its own status; the others report 424.
    const failed = response.result?.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (failed) throw storeFailure({ code: failed.statusCode });
    if (!response.result || (response.code ?? 200) >= 400) throw storeFailure({ code: response.code });
    return response.result.map((r) => r.resourceBody);
  }

  /**
   * Sends a write whose documents carry a fresh write id, answering each operation's result. When its answer
   * is lost (StoreError.uncertain), reads its documents to learn what happened, and answers the truth: the
   * written documents when it committed, a resend (within the deadline) when it did not, `unavailable` only
   * when it cannot tell.
   */
  private async write<const Ops extends readonly BatchOp[]>(
    scope: Scope,
    ops: Ops,
    send: (stamped: readonly AnyOp[]) => Promise<unknown[]>,
  ): Promise<BatchResults<Ops>> {
    // A document written into a scope must belong to its tenant: a mix-up is a fault of ours, never sent.
    if (ops.some((o) => (o.op === 'create' || o.op === 'replace') && o.doc.tenantId !== scope.tenantId)) {
      throw new Error('store: a document of another tenant was written into this scope');
    }
    // The one place results meet their operations' types: each builder says what its operation returns.
    const typed = (results: unknown[]) => results as BatchResults<Ops>;
    for (let attempt = 1; ; attempt++) {
      const writeId = randomUUID();
      const stamped = ops.map((o): AnyOp => (o.op === 'create' || o.op === 'replace' ? { ...o, doc: { ...o.doc, writeId } } : o));
      try {
        return typed(await send(stamped));
      } catch (error) {
        if (!(error instanceof StoreError) || !error.uncertain) throw error;
        const outcome = await this.outcome(scope.tenantId, stamped, writeId);
        // An abandoned request may still reach Cosmos after the reads: not seeing it yet proves nothing.
        if (outcome === 'unknown' || (outcome === 'notCommitted' && error.abandoned)) throw error;
        if (outcome !== 'notCommitted') return typed(outcome);
        if (attempt >= MAX_WRITE_ATTEMPTS || scope.deadline?.signal.aborted) {
          throw new StoreError('unavailable', 'store: not written', undefined, { cause: error });
        }
      }
    }
  }

  /**
   * What became of a write whose answer was lost, from its documents as they are now (batches are atomic,
   * so one document tells for all): committed when a document it wrote carries its write id, or every
   * document it deletes is gone (another writer may have rewritten the rest since); not committed when a
   * document it conditioned on still has that etag or one it created is absent; otherwise unknown (an
   * increment alone is no evidence: it names no version). The reads get their own short budget, since the request's may be spent.
   */
  private async outcome(tenantId: string, ops: readonly AnyOp[], writeId: string): Promise<unknown[] | 'notCommitted' | 'unknown'> {
    const signal = AbortSignal.timeout(SETTLE_BUDGET_MS);
    // Each document read until it answers (or the budget ends); one that cannot be read gives no evidence.
    const readBack = async (id: string): Promise<{ doc?: Record<string, unknown> } | undefined> => {
      for (let attempt = 1; attempt <= SETTLE_READ_ATTEMPTS && !signal.aborted; attempt++) {
        try {
          const { resource } = await this.container.item(id, tenantId).read<Record<string, unknown>>({ abortSignal: signal });
          return { doc: resource ?? undefined };
        } catch {
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
      return undefined;
    };
    const seen = await Promise.all(ops.map((o) => readBack(o.op === 'delete' || o.op === 'increment' ? o.id : o.doc.id)));
    const written = ops.map((o, i) => (o.op === 'delete' ? undefined : seen[i]?.doc));
    if (ops.some((o, i) => (o.op === 'create' || o.op === 'replace') && seen[i]?.doc?.writeId === writeId)) return written;
    // Every document it deletes is gone: its change holds, whoever's batch made it (the caller asked for that state).
    const deletes = ops.flatMap((o, i) => (o.op === 'delete' ? [seen[i]] : []));
    if (deletes.length > 0 && deletes.every((read) => read !== undefined && read.doc === undefined)) return written;
    const unchanged = (o: AnyOp, read: { doc?: Record<string, unknown> } | undefined) => {
      if (read === undefined || o.op === 'increment') return false;
      if (o.op === 'create') return read.doc === undefined;
      return o.ifMatch !== undefined && read.doc !== undefined && read.doc._etag === o.ifMatch;
    };
    if (ops.some((o, i) => unchanged(o, seen[i]))) return 'notCommitted';
    return 'unknown';
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

  async page<T extends StoreDoc>(scope: Scope, spec: QuerySpec, page: PageRequest): Promise<Page<Stored<T>>> {
    return this.call(scope, async (options) => {
      const iterator = this.container.items.query<Stored<T>>(this.sql(scope.tenantId, spec, '*'), {
        ...options,
        partitionKey: scope.tenantId,
        maxItemCount: page.pageSize,
        continuationToken: page.continuation,
      });
      const { resources, continuationToken } = await iterator.fetchNext();
      return { items: resources, continuation: continuationToken || undefined };
    });
  }

  /** Every match, for small bounded sets (a group's edges); callers page anything unbounded. */
  async all<T extends StoreDoc>(scope: Scope, spec: QuerySpec): Promise<Stored<T>[]> {
    return this.call(scope, async (options) => {
      const { resources } = await this.container.items
        .query<Stored<T>>(this.sql(scope.tenantId, spec, '*'), { ...options, partitionKey: scope.tenantId })
        .fetchAll();
      return resources;
    });
  }

  async count(scope: Scope, spec: QuerySpec): Promise<number> {
    return this.call(scope, async (options) => {
      const { resources } = await this.container.items
        .query<number>(this.sql(scope.tenantId, spec, 'VALUE COUNT(1)'), { ...options, partitionKey: scope.tenantId })
        .fetchAll();
      return resources[0] ?? 0;
    });
  }
}

/** What the directory needs of a store: `Store` over Cosmos DB; the domain's unit tests use an in-memory one. */
export type DocumentStore = Pick<Store, 'read' | 'create' | 'batch' | 'page' | 'all' | 'count'>;
