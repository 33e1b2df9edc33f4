/**
 * A parsed query made ready to run: its WHERE compiled, its ORDER BY as property paths (checked against
 * the container's composite indexes as Azure does), its projection or aggregates, and the paging rules.
 *
 * Results come in ORDER BY order, ties (and unordered queries) by `_rid`. A page ends after `maxItemCount`
 * results; its continuation token records the sort values and `_rid` of its last document (and, under TOP,
 * how many results came before), so the next page starts right after that document in the order, whatever
 * was written in between. Compiled queries are cached by their text.
 */
import { compareValues, valueAt, type Json, type JsonObject, type Value } from '../values.js';
import { AGGREGATES, compile, containsAggregate, pathOf, type Compiled, type Parameters } from './evaluate.js';
import { parseQuery, SqlError, type Expr, type Query } from './parse.js';

export type Path = (string | number)[];

export interface SortPath {
  path: Path;
  descending: boolean;
}

export interface CompositeIndexPath {
  path: string;
  order?: 'ascending' | 'descending';
}

type Aggregate = { name: string; argument: Compiled | undefined };

export interface PreparedQuery {
  readonly query: Query;
  readonly where: Compiled | undefined;
  readonly orderBy: SortPath[];
  /** Set when the SELECT holds aggregates: the query returns one result, never pages. */
  readonly aggregates?: { value: boolean; items: { name: string; aggregate: Aggregate }[] };
  /** The result for one document; undefined results are left out. */
  project(doc: JsonObject, parameters: Parameters): Value;
}

/** Where a page starts: after the document with these sort values and `_rid`, `emitted` results in. */
export interface Position {
  keys: Value[];
  rid: string;
  emitted: number;
}

function aggregateOf(expr: Expr, alias: string): Aggregate {
  if (expr.kind !== 'call' || !AGGREGATES.has(expr.name) || expr.args.some(containsAggregate)) {
    throw new SqlError(
      'The embedded Cosmos DB server supports aggregates only as whole SELECT items (SELECT VALUE COUNT(1), COUNT(1) AS n).',
    );
  }
  if (expr.args.length !== 1) throw new SqlError(`The ${expr.name} function requires 1 argument(s).`);
  return { name: expr.name, argument: compile(expr.args[0] as Expr, alias) };
}

function prepare(query: Query): PreparedQuery {
  const { alias, select } = query;
  const where = query.where && compile(query.where, alias);
  const orderBy = query.orderBy.map((key) => {
    const path = pathOf(key.expr, alias);
    if (!path || path.length === 0)
      throw new SqlError('Unsupported ORDER BY clause. ORDER BY item expression could not be mapped to a document path.');
    return { path, descending: key.descending };
  });

  const hasAggregate =
    (select.kind === 'value' && containsAggregate(select.expr)) ||
    (select.kind === 'list' && select.items.some((i) => containsAggregate(i.expr)));
  if (hasAggregate) {
    if (orderBy.length) throw new SqlError('ORDER BY with aggregates is not supported by the embedded Cosmos DB server.');
    const items =
      select.kind === 'value'
        ? [{ name: '', aggregate: aggregateOf(select.expr, alias) }]
        : select.kind === 'list'
          ? select.items.map((i) => ({ name: i.name, aggregate: aggregateOf(i.expr, alias) }))
          : [];
    return { query, where, orderBy, aggregates: { value: select.kind === 'value', items }, project: () => undefined };
  }

  let project: PreparedQuery['project'];
  if (select.kind === 'star') {
    project = (doc) => doc;
  } else if (select.kind === 'value') {
    const value = compile(select.expr, alias);
    project = (doc, p) => value(doc, p);
  } else {
    const items = select.items.map((i) => ({ name: i.name, value: compile(i.expr, alias) }));
    project = (doc, p) => {
      const out: JsonObject = {};
      for (const item of items) {
        const v = item.value(doc, p);
        if (v !== undefined) out[item.name] = v;
      }
      return out;
    };
  }
  return { query, where, orderBy, project };
}

const CACHE_SIZE = 512;
const cache = new Map<string, PreparedQuery>();

/** The prepared query for this text (parsed and compiled once; the most recent CACHE_SIZE are kept). */
export function prepareQuery(text: string): PreparedQuery {
  const cached = cache.get(text);
  if (cached) {
    cache.delete(text);
    cache.set(text, cached);
    return cached;
  }
  const prepared = prepare(parseQuery(text));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(text, prepared);
  return prepared;
}

const pathString = (path: Path): string => `/${path.join('/')}`;

/**
 * Azure serves an ORDER BY on two or more properties only from a composite index on the same paths in
 * the same order, with the same directions or all of them reversed; without one the query fails.
 */
export function checkCompositeIndex(orderBy: SortPath[], compositeIndexes: readonly (readonly CompositeIndexPath[])[]): void {
  if (orderBy.length < 2) return;
  const served = compositeIndexes.some((index) => {
    if (index.length !== orderBy.length) return false;
    const matches = (reversed: boolean) =>
      index.every((p, i) => {
        const key = orderBy[i] as SortPath;
        const descending = (p.order ?? 'ascending') === 'descending';
        return p.path === pathString(key.path) && descending === (key.descending !== reversed);
      });
    return matches(false) || matches(true);
  });
  if (!served) throw new SqlError('The order by query does not have a corresponding composite index that it can be served from.');
}

export const sortKeys = (doc: JsonObject, orderBy: SortPath[]): Value[] => orderBy.map((o) => valueAt(doc, o.path));

/** The query's order between two documents given their sort keys and `_rid`s. */
export function compareKeys(orderBy: SortPath[], a: Value[], aRid: string, b: Value[], bRid: string): number {
  for (let i = 0; i < orderBy.length; i += 1) {
    const r = compareValues(a[i], b[i]);
    if (r !== 0) return (orderBy[i] as SortPath).descending ? -r : r;
  }
  return aRid === bRid ? 0 : aRid < bRid ? -1 : 1;
}

// ---- continuation tokens ----------------------------------------------------------------------------

/** undefined has no JSON form: each key is stored as [value], or [] when undefined. */
export function encodePosition(position: Position): string {
  return JSON.stringify({ k: position.keys.map((k) => (k === undefined ? [] : [k])), r: position.rid, n: position.emitted });
}

export function decodePosition(token: string, keyCount: number): Position {
  const invalid = () => new SqlError('The continuation token is invalid.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(token);
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { k, r, n } = parsed as { k?: unknown; r?: unknown; n?: unknown };
  if (!Array.isArray(k) || k.length !== keyCount || typeof r !== 'string' || typeof n !== 'number') throw invalid();
  const keys = k.map((key: unknown) => {
    if (!Array.isArray(key) || key.length > 1) throw invalid();
    return key[0] as Json | undefined;
  });
  return { keys, rid: r, emitted: n };
}

// ---- aggregates -------------------------------------------------------------------------------------

function aggregate({ name, argument }: Aggregate, docs: readonly JsonObject[], parameters: Parameters): Value {
  const values: Json[] = [];
  for (const doc of docs) {
    const v = argument ? argument(doc, parameters) : doc;
    if (v !== undefined) values.push(v);
  }
  switch (name) {
    case 'COUNT':
      return values.length;
    case 'SUM':
    case 'AVG': {
      if (!values.every((v) => typeof v === 'number')) return undefined;
      const sum = values.reduce((a, b) => a + b, 0);
      return name === 'SUM' ? sum : values.length ? sum / values.length : undefined;
    }
    default: {
      if (!values.length) return undefined;
      const sign = name === 'MIN' ? -1 : 1;
      return values.reduce((best, v) => (compareValues(v, best) * sign > 0 ? v : best));
    }
  }
}

/** The one result of an aggregate query over the documents its WHERE kept. */
export function aggregateResults(prepared: PreparedQuery, docs: readonly JsonObject[], parameters: Parameters): Json[] {
  const spec = prepared.aggregates;
  if (!spec) return [];
  if (spec.value) {
    const v = aggregate((spec.items[0] as { aggregate: Aggregate }).aggregate, docs, parameters);
    return v === undefined ? [] : [v];
  }
  const out: JsonObject = {};
  for (const item of spec.items) {
    const v = aggregate(item.aggregate, docs, parameters);
    if (v !== undefined) out[item.name] = v;
  }
  return [out];
}
