/**
 * A container's documents, and the queries over them.
 *
 * Documents are kept per logical partition (by id), and by `_rid`. Per partition, sorted indexes (one per
 * ORDER BY property and direction, plus one by `_rid` for unordered queries) are built on first use and
 * kept up to date on every write. A query confined to one partition (by the partition key header, or by an
 * equality on the partition key in its WHERE) with at most one ORDER BY property reads its partition's
 * index from the continuation point and stops once its page is full and one more match is seen: a page of
 * 100 reads about 100 matching documents. So does an ORDER BY on several properties all but the last of which
 * the WHERE fixes by equality (`c.type = @t ... ORDER BY c.type, c.time DESC`), as a composite index serves
 * it on Azure: its index is read from the first document with those values to the last. Every other query
 * (cross-partition, aggregates, other ORDER BYs on two or more properties) evaluates its WHERE over the documents in scope, sorts the matches and pages them; so does
 * every query in `scan` mode, which exists to check the indexed path against (the differential tests).
 */
import { compareValues, valueAt, type Json, type JsonObject, type Value } from './values.js';
import type { Expr } from './sql/parse.js';
import type { Parameters } from './sql/evaluate.js';
import {
  aggregateResults,
  compareKeys,
  decodePosition,
  encodePosition,
  sortKeys,
  type Path,
  type Position,
  type PreparedQuery,
  type SortPath,
} from './sql/query.js';

/** A stored document: the user's properties plus the system ones. */
export interface StoredDocument extends JsonObject {
  id: string;
  _rid: string;
  _self: string;
  _etag: string;
  _ts: number;
}

/**
 * A partition key as its components (`undefined` for a missing value: the SDK's PartitionKey.None); its
 * string form (`partitionKeyString`) names the logical partition.
 */
export type PartitionKeyValues = Value[];

export const partitionKeyString = (values: PartitionKeyValues): string => JSON.stringify(values.map((v) => (v === undefined ? {} : v)));

interface Entry {
  keys: Value[];
  doc: StoredDocument;
}

/** One partition's documents in one query order (a single ORDER BY path and direction, or none), then `_rid`. */
class SortedIndex {
  readonly entries: Entry[];

  constructor(
    private readonly orderBy: SortPath[],
    docs: Iterable<StoredDocument>,
  ) {
    this.entries = [...docs].map((doc) => ({ keys: sortKeys(doc, orderBy), doc }));
    this.entries.sort((a, b) => this.order(a.keys, a.doc._rid, b.keys, b.doc._rid));
  }

  private order(aKeys: Value[], aRid: string, bKeys: Value[], bRid: string): number {
    return compareKeys(this.orderBy, aKeys, aRid, bKeys, bRid);
  }

  /** The first position whose entry is not before (keys, rid). */
  lowerBound(keys: Value[], rid: string): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const entry = this.entries[mid] as Entry;
      if (this.order(entry.keys, entry.doc._rid, keys, rid) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(doc: StoredDocument): void {
    const keys = sortKeys(doc, this.orderBy);
    this.entries.splice(this.lowerBound(keys, doc._rid), 0, { keys, doc });
  }

  remove(doc: StoredDocument): void {
    const at = this.lowerBound(sortKeys(doc, this.orderBy), doc._rid);
    if (this.entries[at]?.doc._rid === doc._rid) this.entries.splice(at, 1);
  }
}

class Partition {
  readonly byId = new Map<string, StoredDocument>();
  readonly indexes = new Map<string, SortedIndex>();

  index(orderBy: SortPath[]): SortedIndex {
    const key = JSON.stringify(orderBy);
    let index = this.indexes.get(key);
    if (!index) {
      index = new SortedIndex(orderBy, this.byId.values());
      this.indexes.set(key, index);
    }
    return index;
  }
}

export interface QueryRequest {
  parameters: Parameters;
  /** Results per page; undefined or not positive: all of them. */
  maxItemCount?: number;
  continuation?: string;
  /** The partition key header's components; undefined for a cross-partition query. */
  partitionKey?: PartitionKeyValues;
}

export interface QueryPage {
  results: Json[];
  continuation?: string;
}

export type EngineMode = 'indexed' | 'scan';

export class DocumentStore {
  private readonly partitions = new Map<string, Partition>();
  private readonly byRid = new Map<string, StoredDocument>();
  /**
   * Which documents are still there for readers, as of now: an expired one (time to live, account.ts) is
   * invisible to reads, queries and feeds at once, though it stays stored until it is purged. Undefined
   * while time to live is off, so a read or a query then checks nothing per document.
   */
  liveness: () => ((doc: StoredDocument) => boolean) | undefined = () => undefined;

  /** `paths`: the container's partition key paths as property paths (`/tenantId` is ["tenantId"]). */
  constructor(
    readonly paths: Path[],
    private readonly mode: EngineMode = 'indexed',
  ) {}

  get size(): number {
    return this.byRid.size;
  }

  partitionKeyOf(doc: JsonObject): PartitionKeyValues {
    return this.paths.map((path) => valueAt(doc, path));
  }

  get(partitionKey: string, id: string): StoredDocument | undefined {
    const doc = this.partitions.get(partitionKey)?.byId.get(id);
    const live = doc && this.liveness();
    return doc && (!live || live(doc)) ? doc : undefined;
  }

  /** The stored document, expired or not. */
  stored(partitionKey: string, id: string): StoredDocument | undefined {
    return this.partitions.get(partitionKey)?.byId.get(id);
  }

  getByRid(rid: string): StoredDocument | undefined {
    return this.byRid.get(rid);
  }

  documents(): IterableIterator<StoredDocument> {
    return this.byRid.values();
  }

  /** Adds a document, or replaces the one with its partition key and id (or its `_rid`). */
  put(doc: StoredDocument): void {
    const old = this.byRid.get(doc._rid);
    if (old) this.remove(old);
    const key = partitionKeyString(this.partitionKeyOf(doc));
    // One with the same id and another rid (an expired one, created anew) goes first: removing a
    // partition's last document drops the partition.
    const same = this.partitions.get(key)?.byId.get(doc.id);
    if (same) this.remove(same);
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = new Partition();
      this.partitions.set(key, partition);
    }
    partition.byId.set(doc.id, doc);
    for (const index of partition.indexes.values()) index.add(doc);
    this.byRid.set(doc._rid, doc);
  }

  remove(doc: StoredDocument): void {
    const key = partitionKeyString(this.partitionKeyOf(doc));
    const partition = this.partitions.get(key);
    if (partition?.byId.get(doc.id) !== doc) return;
    partition.byId.delete(doc.id);
    for (const index of partition.indexes.values()) index.remove(doc);
    if (partition.byId.size === 0) this.partitions.delete(key);
    this.byRid.delete(doc._rid);
  }

  /** Whether `doc` lies in the partition given by a (possibly partial, hierarchical) key. */
  private inPartition(doc: StoredDocument, partitionKey: PartitionKeyValues): boolean {
    return partitionKey.every((expected, i) => {
      const path = this.paths[i];
      if (!path) return false;
      const actual = valueAt(doc, path);
      return expected === undefined ? actual === undefined : actual === expected;
    });
  }

  /** The one logical partition a query reads, when it names one; undefined for several. */
  private partitionFor(prepared: PreparedQuery, request: QueryRequest): string | undefined {
    if (this.paths.length === 0) return partitionKeyString([]);
    if (request.partitionKey)
      return request.partitionKey.length === this.paths.length ? partitionKeyString(request.partitionKey) : undefined;
    const only = this.paths.length === 1 ? this.paths[0] : undefined;
    const { where, alias } = prepared.query;
    if (!only || !where) return undefined;
    for (const conjunct of conjuncts(where)) {
      if (conjunct.kind !== 'binary' || conjunct.op !== '=') continue;
      for (const [side, other] of [
        [conjunct.left, conjunct.right],
        [conjunct.right, conjunct.left],
      ] as const) {
        if (samePath(side, alias, only)) {
          const value = constantOf(other, request.parameters);
          if (value !== undefined) return partitionKeyString([value]);
        }
      }
    }
    return undefined;
  }

  query(prepared: PreparedQuery, request: QueryRequest): QueryPage {
    const { orderBy } = prepared;
    const key = this.partitionFor(prepared, request);
    const start = request.continuation === undefined ? undefined : decodePosition(request.continuation, orderBy.length);
    const pinned = orderBy.length > 1 ? pinnedValues(prepared, request.parameters) : [];
    if (this.mode === 'indexed' && key !== undefined && !prepared.aggregates && pinned.length >= orderBy.length - 1) {
      const partition = this.partitions.get(key);
      return partition ? this.fromIndex(prepared, request, partition.index(orderBy), start, pinned) : { results: [] };
    }
    let docs: Iterable<StoredDocument>;
    if (this.mode === 'indexed' && key !== undefined) docs = this.partitions.get(key)?.byId.values() ?? [];
    else if (request.partitionKey)
      docs = [...this.byRid.values()].filter((d) => this.inPartition(d, request.partitionKey as PartitionKeyValues));
    else docs = this.byRid.values();
    return this.scan(prepared, request, docs, start);
  }

  /** `pinned`: the values the WHERE fixes for the leading ORDER BY paths; only entries with them are read. */
  private fromIndex(
    prepared: PreparedQuery,
    request: QueryRequest,
    index: SortedIndex,
    start: Position | undefined,
    pinned: Value[],
  ): QueryPage {
    const { entries } = index;
    const limits = pageLimits(prepared, request, start);
    const block = (entry: Entry) => comparePrefix(prepared.orderBy, entry.keys, pinned);
    let i = start ? index.lowerBound(start.keys, start.rid) : firstOf(entries, block);
    if (start && entries[i]?.doc._rid === start.rid) i += 1;
    const matches: Entry[] = [];
    const live = this.liveness();
    for (; i < entries.length && matches.length <= limits.page; i += 1) {
      const entry = entries[i] as Entry;
      if (pinned.length && block(entry) !== 0) break;
      if ((!live || live(entry.doc)) && (!prepared.where || prepared.where(entry.doc, request.parameters) === true)) matches.push(entry);
    }
    return page(prepared, request, matches, limits, start);
  }

  private scan(prepared: PreparedQuery, request: QueryRequest, docs: Iterable<StoredDocument>, start: Position | undefined): QueryPage {
    const matched: StoredDocument[] = [];
    const live = this.liveness();
    for (const doc of docs)
      if ((!live || live(doc)) && (!prepared.where || prepared.where(doc, request.parameters) === true)) matched.push(doc);
    if (prepared.aggregates) return { results: aggregateResults(prepared, matched, request.parameters) };
    const { orderBy } = prepared;
    const entries = matched.map((doc) => ({ keys: sortKeys(doc, orderBy), doc }));
    entries.sort((a, b) => compareKeys(orderBy, a.keys, a.doc._rid, b.keys, b.doc._rid));
    const after = start ? entries.filter((e) => compareKeys(orderBy, e.keys, e.doc._rid, start.keys, start.rid) > 0) : entries;
    const limits = pageLimits(prepared, request, start);
    return page(prepared, request, after.slice(0, limits.page + 1), limits, start);
  }
}

interface Limits {
  /** Results this page may hold. */
  page: number;
  /** Whether TOP ends the query with this page. */
  topReached: boolean;
}

function pageLimits(prepared: PreparedQuery, request: QueryRequest, start: Position | undefined): Limits {
  const size = request.maxItemCount !== undefined && request.maxItemCount > 0 ? request.maxItemCount : Infinity;
  const { top } = prepared.query;
  const left = top === undefined ? Infinity : Math.max(0, top - (start?.emitted ?? 0));
  return { page: Math.min(size, left), topReached: left <= size };
}

/** The page from `matches` (in order, at most one more than the page holds), projected, with its token. */
function page(prepared: PreparedQuery, request: QueryRequest, matches: Entry[], limits: Limits, start: Position | undefined): QueryPage {
  const taken = matches.slice(0, limits.page);
  const results: Json[] = [];
  for (const { doc } of taken) {
    const v = prepared.project(doc, request.parameters);
    if (v !== undefined) results.push(v);
  }
  const last = taken[taken.length - 1];
  if (!last || matches.length <= taken.length || limits.topReached) return { results };
  const position: Position = { keys: last.keys, rid: last.doc._rid, emitted: (start?.emitted ?? 0) + taken.length };
  return { results, continuation: encodePosition(position) };
}

/** The index order of `keys`' leading values against `pinned` (0: the entry has those values). */
function comparePrefix(orderBy: SortPath[], keys: Value[], pinned: Value[]): number {
  for (let i = 0; i < pinned.length; i += 1) {
    const r = compareValues(keys[i], pinned[i]);
    if (r !== 0) return (orderBy[i] as SortPath).descending ? -r : r;
  }
  return 0;
}

/** The first entry not before the block `position` (negative: before it) describes. */
function firstOf(entries: Entry[], position: (entry: Entry) => number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (position(entries[mid] as Entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The values an equality conjunct of the WHERE fixes for each leading ORDER BY path, in order, up to the
 * first path it does not fix: with these fixed, the ORDER BY is the order of the remaining paths.
 */
function pinnedValues(prepared: PreparedQuery, parameters: Parameters): Value[] {
  const { where, alias } = prepared.query;
  if (!where) return [];
  const equalities = conjuncts(where).filter((c): c is Extract<Expr, { kind: 'binary' }> => c.kind === 'binary' && c.op === '=');
  const pinned: Value[] = [];
  for (const { path } of prepared.orderBy.slice(0, -1)) {
    let value: Value;
    for (const conjunct of equalities) {
      for (const [side, other] of [
        [conjunct.left, conjunct.right],
        [conjunct.right, conjunct.left],
      ] as const) {
        if (value === undefined && samePath(side, alias, path)) value = constantOf(other, parameters) ?? undefined;
      }
    }
    if (value === undefined) break;
    pinned.push(value);
  }
  return pinned;
}

function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'binary' && expr.op === 'AND' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

function samePath(expr: Expr, alias: string, path: Path): boolean {
  let current = expr;
  for (let i = path.length - 1; i >= 0; i -= 1) {
    if (current.kind !== 'member' || current.key !== path[i]) return false;
    current = current.object;
  }
  return current.kind === 'ref' && current.name === alias;
}

/** A scalar constant or parameter (what can name a partition), else undefined. */
function constantOf(expr: Expr, parameters: Parameters): string | number | boolean | null | undefined {
  const value = expr.kind === 'const' ? expr.value : expr.kind === 'param' ? parameters.get(expr.name) : undefined;
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as string | number | boolean | null) : undefined;
}
