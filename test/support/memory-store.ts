import { randomUUID } from 'node:crypto';
import type { Scope } from '../../src/lib/deadline.js';
import type { Condition, Page, PageRequest, Stored, Value } from '../../src/lib/query.js';
import { StoreError } from '../../src/store/errors.js';
import { createOp } from '../../src/store/store.js';
import type { AnyOp, BatchOp, BatchResults, DocumentStore, QuerySpec, StoreDoc as Doc } from '../../src/store/store.js';

/**
 * The store interface over a Map, for the domain's unit tests: the same outcomes as the Cosmos store for
 * the calls the directory makes (an existing id is `exists`, a stale If-Match `changed`, a missing
 * document `missing`, a batch all or nothing), so a directory rule can be tested without HTTP or a server.
 * The Cosmos contract tests (test/contract) prove those outcomes against the embedded Cosmos server; this
 * double is no substitute for them. `writes` counts the write calls, for tests that nothing was written.
 */
export class MemoryStore implements DocumentStore {
  private docs = new Map<string, Stored<Doc>>();
  writes = 0;

  private key = (tenantId: string, id: string) => `${tenantId}/${id}`;

  /** Every document of a tenant, as stored (for assertions). */
  documents(tenantId: string): Stored<Doc>[] {
    return [...this.docs.values()].filter((d) => d.tenantId === tenantId);
  }

  async read<T extends Doc>({ tenantId }: Scope, id: string): Promise<Stored<T> | undefined> {
    const doc = this.docs.get(this.key(tenantId, id));
    return doc && (structuredClone(doc) as Stored<T>);
  }

  async create<T extends Doc>(scope: Scope, doc: T): Promise<Stored<T>> {
    const [created] = await this.batch(scope, [createOp(doc)]);
    return created;
  }

  /** All or nothing: the operations run on a copy, which replaces the documents only when every one succeeded. */
  async batch<const Ops extends readonly BatchOp[]>({ tenantId }: Scope, ops: Ops): Promise<BatchResults<Ops>> {
    // As the Cosmos store: a document of another tenant is a fault of the caller's, never written.
    if (ops.some((o) => (o.op === 'create' || o.op === 'replace') && o.doc.tenantId !== tenantId))
      throw new Error('a document of another tenant');
    this.writes++;
    const next = new Map(this.docs);
    const results = ops.map((o: AnyOp) => {
      switch (o.op) {
        case 'create': {
          const key = this.key(tenantId, o.doc.id);
          if (next.has(key)) throw new StoreError('exists');
          return put(next, key, o.doc);
        }
        case 'replace': {
          const key = this.key(tenantId, o.doc.id);
          const current = next.get(key);
          if (!current) throw new StoreError('missing');
          if (current._etag !== o.ifMatch) throw new StoreError('changed');
          return put(next, key, o.doc);
        }
        case 'delete': {
          const key = this.key(tenantId, o.id);
          const current = next.get(key);
          if (!current) throw new StoreError('missing');
          if (o.ifMatch && current._etag !== o.ifMatch) throw new StoreError('changed');
          next.delete(key);
          return undefined;
        }
        case 'increment': {
          const key = this.key(tenantId, o.id);
          const current = next.get(key) as (Stored<Doc> & Record<string, number>) | undefined;
          if (!current) throw new StoreError('missing');
          if (current.type !== o.type) throw new StoreError('changed');
          const changed: Record<string, unknown> = { ...current };
          for (const [property, by] of Object.entries(o.by)) changed[property] = (current[property] ?? 0) + by;
          return put(next, key, changed as unknown as Doc);
        }
      }
    });
    this.docs = next;
    return results.map((r) => r && structuredClone(r)) as BatchResults<Ops>;
  }

  private matching(tenantId: string, spec: QuerySpec): Stored<Doc>[] {
    const found = this.documents(tenantId).filter(
      (d) =>
        d.type === spec.type &&
        (!spec.ids || spec.ids.includes(d.id)) &&
        (!spec.filter || holds(spec.filter, d as unknown as Record<string, unknown>)),
    );
    for (const { property, descending } of [...(spec.orderBy ?? [])].reverse()) {
      const value = (d: Stored<Doc>) => String((d as unknown as Record<string, unknown>)[property] ?? '');
      found.sort((a, b) => value(a).localeCompare(value(b)) * (descending ? -1 : 1));
    }
    return found.map((d) => structuredClone(d));
  }

  async page<T extends Doc>({ tenantId }: Scope, spec: QuerySpec, page: PageRequest): Promise<Page<Stored<T>>> {
    const all = this.matching(tenantId, spec);
    const from = Number(page.continuation ?? 0);
    const to = from + page.pageSize;
    return { items: all.slice(from, to) as Stored<T>[], continuation: to < all.length ? String(to) : undefined };
  }

  async all<T extends Doc>({ tenantId }: Scope, spec: QuerySpec): Promise<Stored<T>[]> {
    return this.matching(tenantId, spec) as Stored<T>[];
  }

  async count({ tenantId }: Scope, spec: QuerySpec): Promise<number> {
    return this.matching(tenantId, spec).length;
  }
}

function put(docs: Map<string, Stored<Doc>>, key: string, doc: Doc): Stored<Doc> {
  const stored = { ...structuredClone(doc), _etag: `"${randomUUID()}"` };
  docs.set(key, stored);
  return stored;
}

/** A condition over a document; a property never written reads as null, as the service's conditions treat it. */
function holds(c: Condition, doc: Record<string, unknown>): boolean {
  const value = (property: string) =>
    (property.split('/').reduce<unknown>((at, key) => (at as Record<string, unknown> | null | undefined)?.[key], doc) ??
      null) as Value | null;
  switch (c.kind) {
    case 'and':
      return c.operands.every((o) => holds(o, doc));
    case 'or':
      return c.operands.some((o) => holds(o, doc));
    case 'not':
      return !holds(c.operand, doc);
    case 'eq':
      return value(c.property) === c.value;
    case 'in':
      return c.values.includes(value(c.property));
    case 'startsWith':
      return typeof value(c.property) === 'string' && (value(c.property) as string).startsWith(c.prefix);
    case 'contains': {
      const v = value(c.property);
      if (typeof v !== 'string') return false;
      return c.ignoreCase ? v.toLowerCase().includes(c.value.toLowerCase()) : v.includes(c.value);
    }
    case 'range': {
      const v = value(c.property);
      return typeof v === 'string' && (c.op === 'ge' ? v >= c.value : v <= c.value);
    }
    case 'any': {
      const items = value(c.property);
      return Array.isArray(items) && items.some((item) => holds(c.condition, item as Record<string, unknown>));
    }
  }
}
