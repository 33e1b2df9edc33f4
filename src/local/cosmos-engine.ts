/**
 * The embedded Cosmos server's query engine without whole-container scans. The SQL semantics stay those
 * of `@zeit/cosmosdb-query` (its compiled query still filters, orders, pages and projects every result);
 * this module only decides which documents it is given, and in which order:
 *
 * - documents are kept per logical partition (`DocumentMap`, installed as the container's `_data`), so a
 *   query with a partition key (the header, or `c.<pk> = value` in the WHERE) reads only its partition;
 * - per partition, sorted indexes (built on first use for an ORDER BY property and direction, or for
 *   `_rid`, which orders unordered queries; kept up to date on every write) hand the engine its rows
 *   already in order, so it never sorts the partition;
 * - for a page (`maxItemCount`) of a query without aggregates, TOP or JOIN, the engine gets a window of
 *   those rows starting at the continuation point, skipping rows that fail the query's top-level
 *   equality filters, widened until the page is full or the partition ends: a first page of 100 reads
 *   about 100 documents that match, not the whole partition.
 * Everything else (cross-partition queries, aggregates, JOIN, multi-property ORDER BY) runs the engine on
 * the partition's (or the container's) documents as before.
 */
import { decode } from '@zeit/cosmosdb-query/lib/continuation-token.js';

export interface Resource {
  _rid: string;
  [key: string]: unknown;
}
interface Item {
  read(): Resource;
}
type Path = (string | number)[];

interface Ast {
  [key: string]: unknown;
  type?: string;
}
interface CompiledQuery {
  ast: { body: Ast };
  exec(rows: unknown[], options: ExecOptions): { result: unknown[]; continuation: { token: string } | null };
}
interface ExecOptions {
  parameters?: { name: string; value: unknown }[];
  udf?: unknown;
  maxItemCount?: number;
  continuation?: { token: string };
  compositeIndexes?: unknown[];
}
/** The parts of the server's Documents (lib/account/items.js) the engine uses. */
export interface Documents {
  _data: Map<string, Item>;
  _partitionKeyPath: string[];
  _parent: Item;
  _getQuery(sql: string): CompiledQuery;
  _userDefinedFunctions(): unknown;
  _inPartition(data: Resource, partitionKey: unknown[]): boolean;
}
export interface QueryOptions {
  maxItemCount?: number;
  continuation?: { token: string };
  /** The partition key header's components, or undefined for a cross-partition query. */
  partitionKey?: unknown[];
}

const TYPE_ORDER = ['undefined', 'null', 'boolean', 'number', 'string', 'array', 'object'];
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The order `@zeit/cosmosdb-query` sorts by (its `comparator`), so windows match its own sort. */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta === tb) {
    if (ta === 'object') return 0;
    return (a as string) < (b as string) ? -1 : 1;
  }
  return TYPE_ORDER.indexOf(ta) < TYPE_ORDER.indexOf(tb) ? -1 : 1;
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

interface Entry {
  value: unknown;
  rid: string;
  item: Item;
}

/** A partition's documents in the engine's order for one ORDER BY property and direction (then `_rid`). */
class SortedIndex {
  readonly entries: Entry[];

  constructor(
    private readonly path: Path,
    private readonly descending: boolean,
    items: Map<string, Item>,
  ) {
    this.entries = [...items].map(([rid, item]) => this.entry(rid, item));
    this.entries.sort((a, b) => this.order(a, b));
  }

  private entry(rid: string, item: Item): Entry {
    return { value: this.path.length ? valueAt(item.read(), this.path) : rid, rid, item };
  }

  private order(a: { value: unknown; rid: string }, b: { value: unknown; rid: string }): number {
    const r = compare(a.value, b.value);
    if (r !== 0) return this.descending ? -r : r;
    return compare(a.rid, b.rid);
  }

  /** The first position whose entry is not before (value, rid). */
  lowerBound(probe: { value: unknown; rid: string }): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(this.entries[mid] as Entry, probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(rid: string, item: Item): void {
    const entry = this.entry(rid, item);
    this.entries.splice(this.lowerBound(entry), 0, entry);
  }

  remove(rid: string, item: Item): void {
    const at = this.lowerBound(this.entry(rid, item));
    if (this.entries[at]?.rid === rid) this.entries.splice(at, 1);
  }
}

class Partition {
  readonly items = new Map<string, Item>();
  readonly sorted = new Map<string, SortedIndex>();

  index(path: Path, descending: boolean): SortedIndex {
    const key = `${JSON.stringify(path)}${descending ? ' DESC' : ''}`;
    let index = this.sorted.get(key);
    if (!index) {
      index = new SortedIndex(path, descending, this.items);
      this.sorted.set(key, index);
    }
    return index;
  }
}

/** The partition key of a document, or of a header, as one string (undefined is `{}`, as the SDK sends None). */
const partitionKeyString = (values: unknown[]): string => JSON.stringify(values.map((v) => (v === undefined ? {} : v)));

/**
 * A container's documents by `_rid` (the server's own map), also grouped by logical partition with their
 * sorted indexes. Every change the server makes, rollbacks of a batch included, goes through set/delete.
 */
export class DocumentMap extends Map<string, Item> {
  readonly partitions = new Map<string, Partition>();
  private readonly paths: Path[];

  constructor(partitionKeyPaths: string[]) {
    super();
    this.paths = partitionKeyPaths.map((p) => p.slice(1).split('/'));
  }

  partitionOf(data: Resource): string {
    return partitionKeyString(this.paths.map((p) => valueAt(data, p)));
  }

  override set(rid: string, item: Item): this {
    this.unindex(rid);
    super.set(rid, item);
    const key = this.partitionOf(item.read());
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = new Partition();
      this.partitions.set(key, partition);
    }
    partition.items.set(rid, item);
    for (const index of partition.sorted.values()) index.add(rid, item);
    return this;
  }

  override delete(rid: string): boolean {
    this.unindex(rid);
    return super.delete(rid);
  }

  override clear(): void {
    this.partitions.clear();
    super.clear();
  }

  private unindex(rid: string): void {
    const old = super.get(rid);
    if (!old) return;
    const key = this.partitionOf(old.read());
    const partition = this.partitions.get(key);
    if (!partition) return;
    partition.items.delete(rid);
    for (const index of partition.sorted.values()) index.remove(rid, old);
    if (partition.items.size === 0) this.partitions.delete(key);
  }
}

/** Whether the container has real partition keys (not the legacy single-partition `/_partitionKey`). */
const isPartitioned = (paths: string[]): boolean => paths.length > 0 && !(paths.length === 1 && paths[0] === '/_partitionKey');

export function documentMap(documents: Documents): DocumentMap {
  // A legacy non-partitioned container is one partition.
  return new DocumentMap(isPartitioned(documents._partitionKeyPath) ? documents._partitionKeyPath : []);
}

// ---- reading the query ------------------------------------------------------------------------------

interface Shape {
  /** The FROM alias rows are bound to. */
  alias: string;
  /** One page can be served from a window of ordered rows (no aggregate, TOP or JOIN). */
  windowable: boolean;
  /** The single ORDER BY property, or [] when the query is unordered (the engine then orders by _rid). */
  orderPath?: Path;
  descending: boolean;
  /** Top-level `alias.path = constant` conjuncts of the WHERE. */
  equalities: { path: Path; value: unknown }[];
}

const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

function containsAggregate(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsAggregate);
  if (typeof node !== 'object' || node === null) return false;
  const n = node as Ast;
  if (n.type === 'scalar_function_expression') {
    const name = (n.name as { name?: string } | undefined)?.name;
    if (name && AGGREGATES.has(name.toUpperCase())) return true;
  }
  return Object.values(n).some(containsAggregate);
}

/** `alias.a.b` / `alias["a"]` as the path [a, b], or undefined for anything else. */
function memberPath(node: Ast | undefined, alias: string): Path | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.name === alias ? [] : undefined;
  if (node.type !== 'scalar_member_expression') return undefined;
  const object = memberPath(node.object as Ast, alias);
  if (!object) return undefined;
  const property = node.property as Ast;
  if (!node.computed && property.type === 'identifier') return [...object, property.name as string];
  if (node.computed && (property.type === 'string_constant' || property.type === 'number_constant')) {
    return [...object, property.value as string | number];
  }
  return undefined;
}

function constantValue(node: Ast, parameters: Map<string, unknown>): { value: unknown } | undefined {
  switch (node.type) {
    case 'string_constant':
    case 'number_constant':
    case 'boolean_constant':
      return { value: node.value };
    case 'parameter_name': {
      if (!parameters.has(node.name as string)) return undefined;
      const value = parameters.get(node.name as string);
      return ['string', 'number', 'boolean'].includes(typeof value) ? { value } : undefined;
    }
    default:
      return undefined;
  }
}

function conjuncts(node: Ast | undefined): Ast[] {
  if (!node) return [];
  if (node.type === 'scalar_binary_expression' && String(node.operator).toUpperCase() === 'AND') {
    return [...conjuncts(node.left as Ast), ...conjuncts(node.right as Ast)];
  }
  return [node];
}

function shapeOf(query: CompiledQuery, parameters: Map<string, unknown>): Shape | undefined {
  const body = query.ast.body;
  if (body.type !== 'select_query') return undefined;
  const from = body.from as { source: Ast; joins: unknown[] } | undefined;
  if (!from) return undefined;
  const source = from.source;
  const expression = source.expression as Ast;
  if (expression.type !== 'collection_expression') return undefined;
  const alias = ((source.alias as Ast | null)?.name ?? (expression.expression as Ast).name) as string;

  const equalities: Shape['equalities'] = [];
  const where = body.where as { condition: Ast } | null;
  for (const c of conjuncts(where?.condition)) {
    if (c.type !== 'scalar_binary_expression' || c.operator !== '=') continue;
    const [left, right] = [c.left as Ast, c.right as Ast];
    const path = memberPath(left, alias) ?? memberPath(right, alias);
    const constant = memberPath(left, alias) ? constantValue(right, parameters) : constantValue(left, parameters);
    if (path?.length && constant) equalities.push({ path, value: constant.value });
  }

  const sort = body.orderBy as { expressions: { expression: Ast; order: string | null }[] } | null;
  let orderPath: Path | undefined = [];
  let descending = false;
  if (sort) {
    const [first, ...more] = sort.expressions;
    orderPath = more.length || !first ? undefined : memberPath(first.expression, alias);
    if (orderPath?.length === 0) orderPath = undefined;
    descending = String(first?.order ?? '').toUpperCase() === 'DESC';
  }
  const windowable = body.top === null && from.joins.length === 0 && !containsAggregate(body.select) && orderPath !== undefined;
  return { alias, windowable, ...(orderPath ? { orderPath } : {}), descending, equalities };
}

// ---- running it -------------------------------------------------------------------------------------

/** The partition a query is confined to: the header's, else one named by an equality on the partition key. */
function partitionFor(documents: Documents, map: DocumentMap, shape: Shape | undefined, header: unknown[] | undefined): string | undefined {
  const paths = documents._partitionKeyPath;
  if (!isPartitioned(paths)) return undefined;
  if (header) return header.length === paths.length ? partitionKeyString(header) : undefined;
  if (!shape || paths.length !== 1) return undefined;
  const pkPath = (paths[0] as string).slice(1).split('/');
  const match = shape.equalities.find((e) => JSON.stringify(e.path) === JSON.stringify(pkPath));
  return match ? partitionKeyString([match.value]) : undefined;
}

function startOf(index: SortedIndex, shape: Shape, continuation: { token: string } | undefined): number {
  if (!continuation) return 0;
  try {
    const token = decode(continuation.token);
    const value = shape.orderPath?.length ? token.RTD?.[0] : token.RID;
    return index.lowerBound({ value, rid: token.RID });
  } catch {
    return 0; // the engine itself reports a bad token
  }
}

export function query(documents: Documents, params: { query: string; parameters?: { name: string; value: unknown }[] }, options: QueryOptions) {
  const q = documents._getQuery(params.query);
  const parent = documents._parent.read() as { indexingPolicy?: { compositeIndexes?: unknown[] } };
  const exec: ExecOptions = {
    parameters: params.parameters,
    udf: documents._userDefinedFunctions(),
    maxItemCount: options.maxItemCount,
    continuation: options.continuation,
    compositeIndexes: parent.indexingPolicy?.compositeIndexes ?? [],
  };
  const map = documents._data as DocumentMap;
  const parameters = new Map((params.parameters ?? []).map((p) => [p.name, p.value]));
  const shape = shapeOf(q, parameters);
  const key = partitionFor(documents, map, shape, options.partitionKey);

  if (key === undefined) {
    // Cross-partition, or a partial hierarchical key: every document (filtered to the header's prefix).
    let rows = [...map.values()].map((item) => item.read());
    if (options.partitionKey) rows = rows.filter((d) => documents._inPartition(d, options.partitionKey as unknown[]));
    return q.exec(rows, exec);
  }
  const partition = map.partitions.get(key);
  if (!partition) return q.exec([], exec);
  if (!shape || shape.orderPath === undefined) return q.exec([...partition.items.values()].map((item) => item.read()), exec);

  const index = partition.index(shape.orderPath, shape.descending);
  const matches = (d: Resource): boolean => shape.equalities.every((e) => valueAt(d, e.path) === e.value);
  const start = shape.windowable ? startOf(index, shape, options.continuation) : 0;
  const pageSize = options.maxItemCount && options.maxItemCount > 0 ? options.maxItemCount : undefined;
  let want = shape.windowable && pageSize ? 2 * (pageSize + 1) : Infinity;
  for (;;) {
    const rows: Resource[] = [];
    let i = start;
    for (; i < index.entries.length && rows.length < want; i += 1) {
      const d = (index.entries[i] as Entry).item.read();
      if (matches(d)) rows.push(d);
    }
    const out = q.exec(rows, exec);
    // A continuation means the window held more matches than the page: the page is the full query's.
    if (i >= index.entries.length || out.continuation) return out;
    want *= 4;
  }
}
