/**
 * The account's state: databases, containers and documents, with the rules Azure applies to writes
 * (ids, partition keys, unique keys, If-Match, indexing policy limits) and the system properties it sets.
 *
 * Every change goes through one primitive per kind (`putDatabase`, `putContainer`, `putDocument`), which
 * records it as a `Change` (the whole new state of one resource, or null when deleted) for persistence.
 * A transaction (an atomic batch) also keeps what each change replaced, so a rollback restores it and
 * takes its changes back out before anyone saw them.
 *
 * Time to live as Azure applies it: a container's `defaultTtl` absent is off (items' `ttl` ignored), -1 on
 * without a default, n seconds the default; an item's `ttl` (-1: never) overrides it while it is on. An item
 * expires `ttl` seconds after its last write (`_ts`): at once invisible to reads, queries and feeds, and
 * absent for writes (its id can be created again); it is deleted later (`purgeExpired`).
 */
import { randomUUID } from 'node:crypto';
import {
  DocumentStore,
  partitionKeyString,
  type EngineMode,
  type PartitionKeyValues,
  type QueryPage,
  type QueryRequest,
  type StoredDocument,
} from './documents.js';
import { badRequest, conflict, CosmosError, notFound, preconditionFailed } from './errors.js';
import { applyPatch, type PatchOperation } from './patch.js';
import type { CompositeIndexPath, Path, PreparedQuery } from './sql/query.js';
import { checkCompositeIndex, prepareQuery } from './sql/query.js';
import { isObject, valueAt, type Json, type JsonObject } from './values.js';

/** A database or container resource as stored (system properties included). */
export interface Resource extends JsonObject {
  id: string;
  _rid: string;
  _self: string;
  _etag: string;
  _ts: number;
}

export type ChangeKind = 'db' | 'coll' | 'doc';

/** One change: k kind, p parent `_rid`, r `_rid`, d the resource (null: deleted), n the parent's rid counter. */
export interface Change {
  k: ChangeKind;
  p: string | null;
  r: string;
  d: JsonObject | null;
  n: number;
}

/** Azure's limits on an indexing policy (service quotas). */
export const MAX_COMPOSITE_INDEXES = 100;
export const MAX_COMPOSITE_PATHS = 8;
/** Azure's largest document: 2 MB of JSON. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
const MAX_ID_LENGTH = 255;
/** Azure's largest time to live, in seconds (a signed 32-bit integer). */
export const MAX_TTL_SECONDS = 2_147_483_647;

/** A container's `defaultTtl`: absent, -1, or a positive number of seconds. */
function checkDefaultTtl(ttl: Json | undefined): void {
  if (ttl === undefined || ttl === null) return;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl === 0 || ttl < -1 || ttl > MAX_TTL_SECONDS) {
    throw badRequest("The value of 'defaultTtl' must be -1 or a positive integer of seconds.");
  }
}

/** An item's `ttl`: absent, -1, or a positive number of seconds. */
function checkItemTtl(ttl: Json | undefined): void {
  if (ttl === undefined || ttl === null) return;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl === 0 || ttl < -1 || ttl > MAX_TTL_SECONDS) {
    throw badRequest("The value of 'ttl' must be -1 or a positive integer of seconds.");
  }
}

export interface WriteOptions {
  /** If-Match: the etag the document must still have. */
  ifMatch?: string;
}

const now = (): number => Math.floor(Date.now() / 1000);
const newEtag = (): string => `"${randomUUID()}"`;

/** Resource ids like Azure's: base64 of the parent's bytes and a counter ('/' written as '-'). */
function rid(parent: string | null, counter: number, bytes: number, flag: number): string {
  const prefix = parent === null ? Buffer.alloc(0) : Buffer.from(parent.replace(/-/g, '/'), 'base64');
  const out = Buffer.alloc(prefix.length + bytes);
  prefix.copy(out);
  if (bytes === 8) out.writeBigUInt64BE(BigInt(counter) << 8n, prefix.length);
  else out.writeUInt32BE((counter | flag) >>> 0, prefix.length);
  return out.toString('base64').replace(/\//g, '-');
}

function checkId(id: Json | undefined): string {
  if (typeof id !== 'string' || id === '') throw badRequest("The input content is invalid because the required property 'id' is missing.");
  if (id.length > MAX_ID_LENGTH) throw badRequest(`The id is longer than ${MAX_ID_LENGTH} characters.`);
  if (/[/\\?#]/.test(id)) throw badRequest("The id must not contain '/', '\\', '?' or '#'.");
  return id;
}

function validateIndexingPolicy(policy: Json | undefined): void {
  if (policy === undefined) return;
  if (!isObject(policy)) throw badRequest('The indexing policy is invalid.');
  const composite = policy.compositeIndexes;
  if (composite === undefined) return;
  if (!Array.isArray(composite)) throw badRequest('The compositeIndexes of the indexing policy must be a list.');
  if (composite.length > MAX_COMPOSITE_INDEXES) {
    throw badRequest(
      `The number of composite indexes (${composite.length}) exceeds the maximum of ${MAX_COMPOSITE_INDEXES} per container.`,
    );
  }
  composite.forEach((index, i) => {
    const where = `indexingPolicy.compositeIndexes[${i}]`;
    if (!Array.isArray(index)) throw badRequest(`The composite index at '${where}' must be a list of paths.`);
    if (index.length < 2) throw badRequest(`The composite index at '${where}' must have at least 2 paths.`);
    if (index.length > MAX_COMPOSITE_PATHS)
      throw badRequest(`The composite index at '${where}' has ${index.length} paths; the maximum is ${MAX_COMPOSITE_PATHS}.`);
    const seen = new Set<string>();
    for (const p of index) {
      if (!isObject(p) || typeof p.path !== 'string' || !p.path.startsWith('/'))
        throw badRequest(`A path of the composite index at '${where}' is invalid.`);
      if (p.order !== undefined && p.order !== 'ascending' && p.order !== 'descending')
        throw badRequest(`The order of '${p.path}' at '${where}' must be ascending or descending.`);
      if (seen.has(p.path)) throw badRequest(`The composite index at '${where}' names '${p.path}' twice.`);
      seen.add(p.path);
    }
  });
}

const toPath = (path: string): Path => path.slice(1).split('/');

export class Container {
  readonly documents: DocumentStore;
  /** Tuples of paths, each unique within a logical partition. */
  private readonly uniqueKeys: Path[][];
  private readonly unique = new Map<string, string>();
  ridCounter = 0;

  constructor(
    private readonly account: Account,
    readonly database: Database,
    public resource: Resource,
    mode: EngineMode,
  ) {
    const paths = (resource.partitionKey as { paths: string[] }).paths;
    this.documents = new DocumentStore(paths.map(toPath), mode);
    const keys = (resource.uniqueKeyPolicy as { uniqueKeys?: { paths: string[] }[] } | undefined)?.uniqueKeys ?? [];
    this.uniqueKeys = keys.map((k) => k.paths.map(toPath));
    this.documents.liveness = () => {
      const expired = this.expiry(Date.now() / 1000);
      return expired && ((doc) => !expired(doc));
    };
  }

  /**
   * Which documents have outlived their time to live at `nowSeconds`; undefined while it is off. The
   * resource is read each time: a replace of the container may turn it on or off.
   */
  expiry(nowSeconds: number): ((doc: StoredDocument) => boolean) | undefined {
    const containerTtl = this.resource.defaultTtl;
    if (typeof containerTtl !== 'number') return undefined;
    return (doc) => {
      const ttl = typeof doc.ttl === 'number' ? doc.ttl : containerTtl;
      return ttl > 0 && nowSeconds >= doc._ts + ttl;
    };
  }

  /** Deletes the documents that have expired; returns how many. */
  purgeExpired(nowSeconds = Date.now() / 1000): number {
    const expired = this.expiry(nowSeconds);
    if (!expired) return 0;
    const gone = [...this.documents.documents()].filter(expired);
    for (const doc of gone) this.put(doc._rid, null);
    return gone.length;
  }

  get compositeIndexes(): CompositeIndexPath[][] {
    return (this.resource.indexingPolicy as { compositeIndexes?: CompositeIndexPath[][] } | undefined)?.compositeIndexes ?? [];
  }

  /** The unique-key entries of a document (a missing value counts as null, as on Azure). */
  private uniqueEntries(doc: JsonObject): string[] {
    const partition = partitionKeyString(this.documents.partitionKeyOf(doc));
    return this.uniqueKeys.map((paths, i) => `${partition}\u0000${i}\u0000${JSON.stringify(paths.map((p) => valueAt(doc, p) ?? null))}`);
  }

  private checkUnique(doc: JsonObject, rid: string): void {
    for (const entry of this.uniqueEntries(doc)) {
      const owner = this.unique.get(entry);
      if (owner !== undefined && owner !== rid) throw conflict('Unique index constraint violation.');
    }
  }

  /** The one primitive that changes a document (index and unique keys included); `record` false on restore. */
  put(rid: string, doc: StoredDocument | null, record = true): void {
    const old = this.documents.getByRid(rid);
    if (old) {
      for (const entry of this.uniqueEntries(old)) if (this.unique.get(entry) === rid) this.unique.delete(entry);
      this.documents.remove(old);
    }
    if (doc) {
      this.documents.put(doc);
      for (const entry of this.uniqueEntries(doc)) this.unique.set(entry, rid);
    }
    if (record)
      this.account.record({ k: 'doc', p: this.resource._rid, r: rid, d: doc, n: this.ridCounter }, () => this.put(rid, old ?? null, false));
  }

  private partitionOf(doc: JsonObject): string {
    return partitionKeyString(this.documents.partitionKeyOf(doc));
  }

  private checkPartition(doc: JsonObject, partitionKey: PartitionKeyValues | undefined): void {
    if (partitionKey && this.partitionOf(doc) !== partitionKeyString(partitionKey)) {
      throw badRequest("PartitionKey extracted from document doesn't match the one specified in the header.");
    }
  }

  private stamp(body: JsonObject, rid: string): StoredDocument {
    const id = checkId(body.id);
    checkItemTtl(body.ttl);
    const doc: StoredDocument = {
      ...body,
      id,
      _rid: rid,
      _self: `${this.resource._self}docs/${rid}/`,
      _etag: newEtag(),
      _attachments: 'attachments/',
      _ts: now(),
    };
    if (Buffer.byteLength(JSON.stringify(doc)) > MAX_DOCUMENT_BYTES)
      throw new CosmosError(413, 'RequestEntityTooLarge', 'Request size is too large.');
    return doc;
  }

  read(partitionKey: PartitionKeyValues, id: string): StoredDocument {
    const doc = this.documents.get(partitionKeyString(partitionKey), id);
    if (!doc) throw notFound();
    return doc;
  }

  create(body: JsonObject, partitionKey?: PartitionKeyValues): StoredDocument {
    this.checkPartition(body, partitionKey);
    const id = checkId(body.id);
    if (this.documents.get(this.partitionOf(body), id)) throw conflict();
    // An expired document of that id is gone for writers: deleted now, so its id is free.
    const expired = this.documents.stored(this.partitionOf(body), id);
    if (expired) this.put(expired._rid, null);
    this.ridCounter += 1;
    const doc = this.stamp(body, rid(this.resource._rid, this.ridCounter, 8, 0));
    this.checkUnique(doc, doc._rid);
    this.put(doc._rid, doc);
    return doc;
  }

  private write(old: StoredDocument, body: JsonObject): StoredDocument {
    const doc = this.stamp(body, old._rid);
    this.checkUnique(doc, doc._rid);
    this.put(doc._rid, doc);
    return doc;
  }

  private checkEtag(doc: StoredDocument, options: WriteOptions): void {
    if (options.ifMatch !== undefined && options.ifMatch !== '*' && options.ifMatch !== doc._etag) throw preconditionFailed();
  }

  replace(partitionKey: PartitionKeyValues, id: string, body: JsonObject, options: WriteOptions = {}): StoredDocument {
    const old = this.read(partitionKey, id);
    this.checkEtag(old, options);
    if (body.id !== id) throw badRequest('The id in the body must be the id of the document replaced.');
    if (this.partitionOf(body) !== this.partitionOf(old)) throw badRequest('Replacing a document cannot change its partition key.');
    return this.write(old, body);
  }

  upsert(
    body: JsonObject,
    partitionKey: PartitionKeyValues | undefined,
    options: WriteOptions = {},
  ): { doc: StoredDocument; created: boolean } {
    this.checkPartition(body, partitionKey);
    const old = this.documents.get(this.partitionOf(body), checkId(body.id));
    if (!old) return { doc: this.create(body), created: true };
    this.checkEtag(old, options);
    return { doc: this.write(old, body), created: false };
  }

  delete(partitionKey: PartitionKeyValues, id: string, options: WriteOptions = {}): void {
    const old = this.read(partitionKey, id);
    this.checkEtag(old, options);
    this.put(old._rid, null);
  }

  patch(
    partitionKey: PartitionKeyValues,
    id: string,
    operations: PatchOperation[],
    condition: string | undefined,
    options: WriteOptions = {},
  ): StoredDocument {
    const old = this.read(partitionKey, id);
    this.checkEtag(old, options);
    if (condition !== undefined) {
      const where = prepareQuery(toConditionQuery(condition)).where;
      if (where && where(old, new Map()) !== true) throw preconditionFailed('Condition specified in the patch request is not satisfied.');
    }
    for (const path of this.documents.paths) {
      if (operations.some((o) => o.path === `/${path.join('/')}` || o.from === `/${path.join('/')}`))
        throw badRequest('The partition key of a document cannot be patched.');
    }
    const patched = applyPatch(old, operations);
    if (this.partitionOf(patched) !== this.partitionOf(old)) throw badRequest('The partition key of a document cannot be patched.');
    return this.write(old, patched);
  }

  query(prepared: PreparedQuery, request: QueryRequest): QueryPage {
    checkCompositeIndex(prepared.orderBy, this.compositeIndexes);
    return this.documents.query(prepared, request);
  }
}

/** A patch condition as a whole query (the SDK sends `from c where ...`). */
function toConditionQuery(condition: string): string {
  const text = condition.trim();
  return /^select\s/i.test(text) ? text : /^where\s/i.test(text) ? `SELECT * FROM c ${text}` : `SELECT * ${text}`;
}

export class Database {
  readonly containers = new Map<string, Container>();
  ridCounter = 0;

  constructor(public resource: Resource) {}
}

interface Undo {
  restore: () => void;
}

/** How often expired documents are deleted at most, as Azure does in the background with spare throughput. */
export const PURGE_INTERVAL_MS = 5_000;

export class Account {
  readonly databases = new Map<string, Database>();
  private readonly byRid = new Map<string, Database>();
  private readonly containersByRid = new Map<string, Container>();
  private lastPurge = 0;

  /** Deletes every container's expired documents, unless it did so less than `intervalMs` ago; returns how many. */
  purgeExpired(nowMs = Date.now(), intervalMs = PURGE_INTERVAL_MS): number {
    if (nowMs - this.lastPurge < intervalMs) return 0;
    this.lastPurge = nowMs;
    let purged = 0;
    for (const container of this.containersByRid.values()) purged += container.purgeExpired(nowMs / 1000);
    return purged;
  }
  private ridCounter = 0;
  private pending: Change[] = [];
  private undo: Undo[] | undefined;

  constructor(private readonly mode: EngineMode = 'indexed') {}

  /** Called by every primitive: `restore` undoes the change inside a transaction. */
  record(change: Change, restore: () => void): void {
    this.pending.push(change);
    this.undo?.push({ restore });
  }

  /** The changes since the last call (for the journal). */
  takeChanges(): Change[] {
    const changes = this.pending;
    this.pending = [];
    return changes;
  }

  /** Runs `body`; if it returns false or throws, every change it made is undone and never reported. */
  transaction<T>(body: () => { commit: boolean; value: T }): T {
    if (this.undo) throw new Error('transactions do not nest');
    const mark = this.pending.length;
    const counters = this.counters();
    this.undo = [];
    let commit = false;
    try {
      const result = body();
      commit = result.commit;
      return result.value;
    } finally {
      const undo = this.undo;
      this.undo = undefined;
      if (!commit) {
        for (let i = undo.length - 1; i >= 0; i -= 1) (undo[i] as Undo).restore();
        this.pending.length = mark;
        counters();
      }
    }
  }

  /** A function that puts every rid counter back as it is now. */
  private counters(): () => void {
    const saved = [...this.containersByRid.values()].map((c) => [c, c.ridCounter] as const);
    return () => {
      for (const [container, n] of saved) container.ridCounter = n;
    };
  }

  database(id: string): Database {
    const database = this.databases.get(id);
    if (!database) throw notFound(`Database ${id} does not exist.`);
    return database;
  }

  container(databaseId: string, id: string): Container {
    const container = this.database(databaseId).containers.get(id);
    if (!container) throw notFound(`Container ${id} does not exist in database ${databaseId}.`);
    return container;
  }

  private putDatabase(rid: string, resource: Resource | null, record = true): void {
    const old = this.byRid.get(rid);
    if (old) {
      this.databases.delete(old.resource.id);
      this.byRid.delete(rid);
      for (const c of old.containers.values()) this.containersByRid.delete(c.resource._rid);
    }
    if (resource) {
      const database = old ?? new Database(resource);
      database.resource = resource;
      this.databases.set(resource.id, database);
      this.byRid.set(rid, database);
      for (const c of database.containers.values()) this.containersByRid.set(c.resource._rid, c);
    }
    if (record)
      this.record({ k: 'db', p: null, r: rid, d: resource, n: this.ridCounter }, () => this.putDatabase(rid, old?.resource ?? null, false));
  }

  private putContainer(database: Database, rid: string, resource: Resource | null, record = true): void {
    const old = this.containersByRid.get(rid);
    if (old) {
      database.containers.delete(old.resource.id);
      this.containersByRid.delete(rid);
    }
    if (resource) {
      // A replaced definition keeps the container's documents, as on Azure.
      const container = old ?? new Container(this, database, resource, this.mode);
      container.resource = resource;
      database.containers.set(resource.id, container);
      this.containersByRid.set(rid, container);
    }
    if (record) {
      const previous = old?.resource ?? null;
      this.record({ k: 'coll', p: database.resource._rid, r: rid, d: resource, n: database.ridCounter }, () =>
        this.putContainer(database, rid, previous, false),
      );
    }
  }

  createDatabase(body: JsonObject): Resource {
    const id = checkId(body.id);
    if (this.databases.has(id)) throw conflict();
    this.ridCounter += 1;
    const r = rid(null, this.ridCounter, 4, 0);
    const resource: Resource = {
      ...body,
      id,
      _rid: r,
      _self: `dbs/${r}/`,
      _etag: newEtag(),
      _colls: 'colls/',
      _users: 'users/',
      _ts: now(),
    };
    this.putDatabase(r, resource);
    return resource;
  }

  deleteDatabase(id: string): void {
    this.putDatabase(this.database(id).resource._rid, null);
  }

  createContainer(databaseId: string, body: JsonObject): Resource {
    const database = this.database(databaseId);
    const id = checkId(body.id);
    if (database.containers.has(id)) throw conflict();
    validateIndexingPolicy(body.indexingPolicy);
    checkDefaultTtl(body.defaultTtl);
    const partitionKey = isObject(body.partitionKey) ? body.partitionKey : { paths: ['/_partitionKey'], kind: 'Hash', systemKey: true };
    const paths = partitionKey.paths;
    if (
      !Array.isArray(paths) ||
      paths.length === 0 ||
      paths.length > 3 ||
      !paths.every((p) => typeof p === 'string' && /^\/[^/]+(\/[^/]+)*$/.test(p))
    ) {
      throw badRequest('The partition key definition is invalid: give one to three paths such as /tenantId.');
    }
    const unique = body.uniqueKeyPolicy;
    if (
      unique !== undefined &&
      !(
        isObject(unique) &&
        Array.isArray(unique.uniqueKeys) &&
        unique.uniqueKeys.every(
          (k) => isObject(k) && Array.isArray(k.paths) && k.paths.every((p) => typeof p === 'string' && p.startsWith('/')),
        )
      )
    ) {
      throw badRequest('The unique key policy is invalid.');
    }
    database.ridCounter += 1;
    const r = rid(database.resource._rid, database.ridCounter, 4, 0x80000000);
    const resource: Resource = {
      indexingPolicy: {
        indexingMode: 'consistent',
        automatic: true,
        includedPaths: [{ path: '/*' }],
        excludedPaths: [{ path: '/"_etag"/?' }],
      },
      conflictResolutionPolicy: { mode: 'LastWriterWins', conflictResolutionPath: '/_ts', conflictResolutionProcedure: '' },
      geospatialConfig: { type: 'Geography' },
      ...body,
      id,
      partitionKey: { kind: 'Hash', version: 2, ...partitionKey },
      _rid: r,
      _self: `${database.resource._self}colls/${r}/`,
      _etag: newEtag(),
      _docs: 'docs/',
      _sprocs: 'sprocs/',
      _triggers: 'triggers/',
      _udfs: 'udfs/',
      _conflicts: 'conflicts/',
      _ts: now(),
    };
    this.putContainer(database, r, resource);
    return resource;
  }

  replaceContainer(databaseId: string, id: string, body: JsonObject, options: WriteOptions = {}): Resource {
    const container = this.container(databaseId, id);
    const old = container.resource;
    if (options.ifMatch !== undefined && options.ifMatch !== old._etag) throw preconditionFailed();
    if (body.id !== id) throw badRequest('The id in the body must be the id of the container replaced.');
    validateIndexingPolicy(body.indexingPolicy);
    checkDefaultTtl(body.defaultTtl);
    const paths = (key: Json | undefined) => JSON.stringify(isObject(key) ? key.paths : undefined);
    if (body.partitionKey !== undefined && paths(body.partitionKey) !== paths(old.partitionKey))
      throw badRequest('The partition key of a container cannot be changed.');
    if (
      body.uniqueKeyPolicy !== undefined &&
      JSON.stringify(body.uniqueKeyPolicy) !== JSON.stringify(old.uniqueKeyPolicy ?? { uniqueKeys: [] })
    ) {
      throw badRequest('The unique key policy of a container cannot be changed.');
    }
    const resource: Resource = {
      ...old,
      ...body,
      id,
      partitionKey: old.partitionKey as Json,
      ...(old.uniqueKeyPolicy === undefined ? {} : { uniqueKeyPolicy: old.uniqueKeyPolicy }),
      _rid: old._rid,
      _self: old._self,
      _etag: newEtag(),
      _ts: now(),
    };
    this.putContainer(container.database, old._rid, resource);
    return resource;
  }

  deleteContainer(databaseId: string, id: string): void {
    const container = this.container(databaseId, id);
    this.putContainer(container.database, container.resource._rid, null);
  }

  /** Puts back a change read from the journal (recording nothing). Replaying a change twice changes nothing. */
  apply(change: Change): void {
    const resource = change.d as Resource | null;
    switch (change.k) {
      case 'db':
        this.ridCounter = Math.max(this.ridCounter, change.n);
        this.putDatabase(change.r, resource, false);
        break;
      case 'coll': {
        const database = this.byRid.get(change.p ?? '');
        if (!database) return;
        database.ridCounter = Math.max(database.ridCounter, change.n);
        this.putContainer(database, change.r, resource, false);
        break;
      }
      case 'doc': {
        const container = this.containersByRid.get(change.p ?? '');
        if (!container) return;
        container.ridCounter = Math.max(container.ridCounter, change.n);
        container.put(change.r, resource, false);
        break;
      }
    }
  }

  /** The whole state as changes that rebuild it, parents first (resources are never changed in place). */
  capture(): Change[] {
    const changes: Change[] = [];
    for (const database of this.databases.values()) {
      changes.push({ k: 'db', p: null, r: database.resource._rid, d: database.resource, n: this.ridCounter });
      for (const container of database.containers.values()) {
        changes.push({ k: 'coll', p: database.resource._rid, r: container.resource._rid, d: container.resource, n: database.ridCounter });
        for (const doc of container.documents.documents()) {
          changes.push({ k: 'doc', p: container.resource._rid, r: doc._rid, d: doc, n: container.ridCounter });
        }
      }
    }
    return changes;
  }
}
