/**
 * The query language: what parses, what is refused (with a message naming it), and Azure's semantics for
 * undefined, null and values of different types, through the SDK against the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient, type Container, type SqlQuerySpec } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../src/index.js';
import { parseQuery, SqlError } from '../src/sql/parse.js';

describe('parser', () => {
  it('parses the SQL the service sends, linearly however deep the nesting', () => {
    const q = parseQuery(
      'SELECT * FROM c WHERE c.tenantId = @t AND c.type = @type AND (NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR c.region IN (@a, @b)) AND ' +
        'STARTSWITH(c.name, @p) AND CONTAINS(LOWER(c["name"]), @q) ORDER BY c.name DESC',
    );
    expect(q.alias).toBe('c');
    expect(q.orderBy).toHaveLength(1);
    const deep = `SELECT * FROM c WHERE ${'('.repeat(100)}c.a = 1${')'.repeat(100)}`;
    const started = performance.now();
    expect(parseQuery(deep).where).toBeDefined();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => parseQuery(`SELECT * FROM c WHERE ${'('.repeat(200)}1${')'.repeat(200)}`)).toThrow(/nests/);
  });

  it.each([
    ['SELECT * FROM c JOIN t IN c.tags', /JOIN is not supported/],
    ['SELECT DISTINCT c.a FROM c', /DISTINCT is not supported/],
    ['SELECT * FROM c OFFSET 1 LIMIT 2', /OFFSET \.\.\. LIMIT is not supported/],
    ['SELECT * FROM c WHERE c.a LIKE "x%"', /LIKE is not supported/],
    ['SELECT * FROM c WHERE ARRAY(SELECT VALUE t FROM t IN c.tags) = []', /ARRAY\(subquery\) is not supported/],
    ['SELECT * FROM c WHERE EXISTS(SELECT * FROM t IN c.tags)', /EXISTS subquery other than SELECT VALUE/],
    ['SELECT * FROM c WHERE EXISTS(SELECT VALUE t FROM t)', /EXISTS subquery other than SELECT VALUE/],
    ['SELECT c.a, COUNT(1) FROM c GROUP BY c.a', /GROUP BY is not supported/],
    ['SELECT * FROM c WHERE', /expected an expression/],
    ['SELECT * FROM c WHERE c.a = "open', /not closed/],
  ])('refuses %s', (sql, message) => {
    expect(() => parseQuery(sql)).toThrow(SqlError);
    expect(() => parseQuery(sql)).toThrow(message);
  });
});

describe('semantics, through the SDK', () => {
  let server: EmbeddedCosmos;
  let client: CosmosClient;
  let container: Container;
  const t = 'tenant';

  beforeAll(async () => {
    server = await startEmbeddedCosmos();
    client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.create({ id: 'sql' });
    ({ container } = await database.containers.create({ id: 'docs', partitionKey: { paths: ['/tenantId'] } }));
    const values: Record<string, unknown> = {
      u: undefined,
      n: null,
      f: false,
      t: true,
      one: 1,
      two: 2,
      s: 'a',
      S: 'B',
      arr: [1],
      obj: { x: 1 },
    };
    for (const [id, v] of Object.entries(values))
      await container.items.create({ id, tenantId: t, ...(v === undefined ? {} : { v }), k: 1 });
  });

  afterAll(async () => {
    client?.dispose();
    await server?.close();
  });

  const ids = async (query: string, ...parameters: [string, unknown][]): Promise<string[]> => {
    const spec: SqlQuerySpec = { query, parameters: parameters.map(([name, value]) => ({ name, value: value as string })) };
    const { resources } = await container.items.query<{ id: string }>(spec, { partitionKey: t }).fetchAll();
    return resources.map((r) => r.id);
  };
  const values = async (query: string): Promise<unknown[]> =>
    (await container.items.query(query, { partitionKey: t }).fetchAll()).resources;

  it('orders by type first: undefined, null, booleans, numbers, strings, arrays, objects', async () => {
    expect(await ids('SELECT c.id FROM c ORDER BY c.v')).toEqual(['u', 'n', 'f', 't', 'one', 'two', 'S', 's', 'arr', 'obj']);
    expect(await ids('SELECT c.id FROM c ORDER BY c.v DESC')).toEqual(['obj', 'arr', 's', 'S', 'two', 'one', 't', 'f', 'n', 'u']);
  });

  it('compares only values of one type: anything else is undefined, and the row is dropped', async () => {
    expect(await ids('SELECT c.id FROM c WHERE c.v = null')).toEqual(['n']);
    expect(await ids('SELECT c.id FROM c WHERE c.v != null')).toEqual([]);
    expect((await ids('SELECT c.id FROM c WHERE c.v != "a"')).sort()).toEqual(['S']);
    expect((await ids('SELECT c.id FROM c WHERE c.v > 1')).sort()).toEqual(['two']);
    expect((await ids('SELECT c.id FROM c WHERE c.v >= "B"')).sort()).toEqual(['S', 's']);
    // NOT of undefined is undefined: neither the condition nor its negation keeps the document without v.
    expect(await ids('SELECT c.id FROM c WHERE NOT (c.v = 1)')).not.toContain('u');
    expect((await ids('SELECT c.id FROM c WHERE c.v = 1 OR c.k = 1')).length).toBe(10);
    expect(await ids('SELECT c.id FROM c WHERE c.v = 1 AND c.k = 1')).toEqual(['one']);
    expect((await ids('SELECT c.id FROM c WHERE c.v IN (1, "a", null)')).sort()).toEqual(['n', 'one', 's']);
    expect(await ids('SELECT c.id FROM c WHERE c.v = @obj', ['@obj', { x: 1 }])).toEqual(['obj']);
  });

  it('gives undefined for functions given the wrong types, and type checks for every type', async () => {
    expect(await ids('SELECT c.id FROM c WHERE STARTSWITH(c.v, "a")')).toEqual(['s']);
    expect(await ids('SELECT c.id FROM c WHERE STARTSWITH(c.v, "b", true)')).toEqual(['S']);
    expect((await ids('SELECT c.id FROM c WHERE NOT STARTSWITH(c.v, "a")')).sort()).toEqual(['S']);
    expect(await ids('SELECT c.id FROM c WHERE NOT IS_DEFINED(c.v)')).toEqual(['u']);
    expect(await ids('SELECT c.id FROM c WHERE IS_BOOL(c.v) AND c.v')).toEqual(['t']);
    expect(await ids('SELECT c.id FROM c WHERE ARRAY_CONTAINS(c.v, 1)')).toEqual(['arr']);
  });

  it('answers EXISTS over an array of the document: true when an item passes, false (not undefined) without an array', async () => {
    expect(await ids('SELECT c.id FROM c WHERE EXISTS(SELECT VALUE x FROM x IN c.v WHERE x = 1)')).toEqual(['arr']);
    expect(await ids('SELECT c.id FROM c WHERE EXISTS(SELECT VALUE x FROM x IN c.v WHERE x = @n)', ['@n', 2])).toEqual([]);
    expect(await ids('SELECT c.id FROM c WHERE EXISTS(SELECT VALUE x FROM x IN c.v)')).toEqual(['arr']);
    // Everything else has no array there: EXISTS is false, so NOT EXISTS keeps it.
    expect((await ids('SELECT c.id FROM c WHERE NOT EXISTS(SELECT VALUE x FROM x IN c.v WHERE x = 1)')).length).toBe(9);
    await container.items.create({ id: 'items', tenantId: t, k: 2, list: [{ id: 'a', name: 'West' }, { id: 'b', name: null }, 7] });
    try {
      expect(await ids('SELECT c.id FROM c WHERE EXISTS(SELECT VALUE x FROM x IN c.list WHERE STARTSWITH(x.name, "We"))')).toEqual([
        'items',
      ]);
      expect(
        await ids('SELECT c.id FROM c WHERE c.k = 2 AND EXISTS(SELECT VALUE x FROM x IN c.list WHERE x.id = "b" AND IS_NULL(x.name))'),
      ).toEqual(['items']);
      expect(await ids('SELECT c.id FROM c WHERE EXISTS(SELECT VALUE x.missing FROM x IN c.list)')).toEqual([]);
      // The item's WHERE names the item only.
      await expect(values('SELECT * FROM c WHERE EXISTS(SELECT VALUE x FROM x IN c.list WHERE x.id = c.id)')).rejects.toMatchObject({
        code: 400,
      });
    } finally {
      await container.item('items', t).delete();
    }
  });

  it('projects and aggregates', async () => {
    expect(await values('SELECT VALUE COUNT(1) FROM c')).toEqual([10]);
    expect(await values('SELECT VALUE COUNT(c.v) FROM c')).toEqual([9]);
    expect(await values('SELECT VALUE SUM(c.v) FROM c WHERE IS_NUMBER(c.v)')).toEqual([3]);
    expect(await values('SELECT VALUE MAX(c.v) FROM c WHERE IS_PRIMITIVE(c.v)')).toEqual(['a']);
    expect(await values('SELECT COUNT(1) AS n, MIN(c.v) AS least FROM c')).toEqual([{ n: 10, least: null }]);
    expect(await values('SELECT VALUE c.v FROM c WHERE c.id IN ("u", "one")')).toEqual([1]);
    expect(await values('SELECT c.id, c.v AS val, c.v.x FROM c WHERE c.id = "obj"')).toEqual([{ id: 'obj', val: { x: 1 }, x: 1 }]);
  });

  it('pages TOP with continuation tokens, never past TOP', async () => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await container.items
        .query<{ id: string }>('SELECT TOP 7 c.id FROM c ORDER BY c.v', { partitionKey: t, maxItemCount: 3, continuationToken: token })
        .fetchNext();
      pages.push(page.resources.map((r) => r.id));
      token = page.continuationToken;
    } while (token);
    expect(pages).toEqual([['u', 'n', 'f'], ['t', 'one', 'two'], ['S']]);
  });

  it('answers 400 for a refused query, a bad continuation token and an ORDER BY it cannot serve', async () => {
    await expect(values('SELECT * FROM c JOIN t IN c.tags')).rejects.toMatchObject({ code: 400 });
    await expect(
      container.items.query('SELECT * FROM c', { partitionKey: t, continuationToken: 'not a token', maxItemCount: 1 }).fetchNext(),
    ).rejects.toMatchObject({ code: 400 });
    await expect(values('SELECT * FROM c ORDER BY LOWER(c.s)')).rejects.toMatchObject({ code: 400 });
  });
});
