import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient, type Container } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '@appproxy/cosmos-local';
import { toGraphError } from '../../src/graph/endpoint.js';
import { GraphError } from '../../src/graph/errors.js';
import { auditShapes, connectorShape, groupShape } from '../../src/directory/documents.js';
import { parseCollectionQuery } from '../../src/graph/query/index.js';
import type { EntityShape } from '../../src/lib/query.js';
import { compileCondition, orderByClause, propertyRef } from '../../src/store/sql.js';
import { Store } from '../../src/store/store.js';

// The shapes the service serves, so a test of a property is a test of what callers can ask.
const connectorGroup = groupShape;
const connector = connectorShape;

const parse = (qs: string, version: 'beta' | 'v1.0' = 'beta', shape: EntityShape = connectorGroup) =>
  parseCollectionQuery(new URLSearchParams(qs), shape, { version });

/** A `$filter` as the service runs it: parsed (graph), compiled (store), refusals as the edge maps them. */
const filterOf = (filter: string, shape: EntityShape = connectorGroup) => {
  const q = parseCollectionQuery(new URLSearchParams({ $filter: filter }), shape, { version: 'v1.0' });
  if (!q.filter) throw new Error('no filter');
  try {
    return compileCondition(q.filter, shape);
  } catch (error) {
    throw toGraphError(error) ?? error;
  }
};
const sqlOf = (qs: string, shape: EntityShape = connectorGroup) => {
  const q = parse(qs, 'beta', shape);
  return q.filter && compileCondition(q.filter, shape);
};

const audit = auditShapes.beta;

describe('$filter on the audit log: dates, paths and targetResources/any, as parameterized SQL', () => {
  it('compiles a date range, a nested path and a lambda, values only as parameters', () => {
    const f = filterOf(
      "activityDateTime ge 2026-01-31T10:00:00+02:00 and initiatedBy/user/userPrincipalName eq 'a@b.c' and targetResources/any(x: startswith(x/displayName, 'We'))",
      audit,
    );
    expect(f.sql).toBe(
      'c.activityDateTime >= @f0 AND IS_DEFINED(c.initiatedBy.user.userPrincipalName) AND NOT IS_NULL(c.initiatedBy.user.userPrincipalName) ' +
        'AND c.initiatedBy.user.userPrincipalName = @f1 AND EXISTS(SELECT VALUE t FROM t IN c.targetResources WHERE IS_DEFINED(t.displayName) ' +
        'AND NOT IS_NULL(t.displayName) AND STARTSWITH(t.displayName, @f2))',
    );
    expect(f.parameters.map((p) => p.value)).toEqual(['2026-01-31T08:00:00.000Z', 'a@b.c', 'We']);
  });

  it('reads a date literal as the instant it names: an offset, a bare date, digits past the millisecond rounded toward the bound', () => {
    const value = (filter: string) => filterOf(filter, audit).parameters[0]?.value;
    expect(value('activityDateTime eq 2026-01-31')).toBe('2026-01-31T00:00:00.000Z');
    expect(value('activityDateTime le 2026-01-31T23:59:59.9999999-05:00')).toBe('2026-02-01T04:59:59.999Z');
    expect(value('activityDateTime ge 2026-01-31T00:00:00.0000001Z')).toBe('2026-01-31T00:00:00.001Z');
    // A literal on the left compares the other way round.
    expect(filterOf('2026-01-31 le activityDateTime', audit).sql).toBe('c.activityDateTime >= @f0');
  });

  it('refuses each form the audit log does not take, naming it', () => {
    for (const [filter, mention] of [
      ['activityDateTime ge 2026-13-01', "'activityDateTime'"],
      ['activityDateTime ge 2026-01-01T25:00:00Z', "'activityDateTime'"],
      ["targetResources/any(t: targetResources/any(u: u/id eq 'x'))", "'any'"],
      ["targetResources/any(t: t/id eq 'x' or t/id eq 'y')", "'or'"],
      ['targetResources/any()', 'variable'],
      ["initiatedBy eq 'x'", "'initiatedBy'"],
    ]) {
      expect(refusal(() => filterOf(filter!, audit)).message, filter).toContain(mention);
    }
    // Groups and connectors take no paths, lambdas or ranges, as before.
    expect(refusal(() => filterOf("members/any(m: m/id eq 'x')")).message).toContain("'any'");
    expect(refusal(() => filterOf('name ge 2026-01-01')).message).toContain("'ge'");
  });
});

/** The 400 thrown by `fn`, so tests can check what its message names. */
function refusal(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).status).toBe(400);
    expect((error as GraphError).code).toBe('Request_BadRequest');
    return error as GraphError;
  }
  throw new Error('expected a 400');
}

const refusedFilter = (filter: string, shape: EntityShape = connectorGroup) => refusal(() => filterOf(filter, shape)).message;

const G1 = '0b6c6e38-3c55-4f6c-9b8e-1f1a2c3d4e51';

describe('parseCollectionQuery: options', () => {
  it('has defaults when no option is given', () => {
    const q = parse('');
    expect(q).toEqual({ orderBy: [], pageSize: 100, skip: 0, count: false, expand: [], canonical: q.canonical });
    expect(q.select).toBeUndefined();
    expect(q.filter).toBeUndefined();
    expect(q.skipToken).toBeUndefined();
  });

  it('reads $select as a raw or encoded comma list, trimmed, in request order, without duplicates', () => {
    expect(parse('$select=id,name').select).toEqual(['id', 'name']);
    expect(parse('$select=id%2Cname').select).toEqual(['id', 'name']);
    expect(parse('$select=%20region%20,%20name').select).toEqual(['region', 'name']);
    expect(parse('$select=name,id,name').select).toEqual(['name', 'id']);
    expect(parse('$select=id', 'beta', { properties: { name: { type: 'string' } } }).select).toEqual(['id']);
  });

  it('refuses an unknown or malformed $select, naming it', () => {
    expect(refusal(() => parse('$select=id,displayName')).message).toContain("'displayName'");
    expect(refusal(() => parse('$select=members')).message).toContain("'members'");
    expect(refusal(() => parse('$select=members/id')).message).toContain("'members/id'");
    expect(refusal(() => parse('$select=*')).message).toContain("'*'");
    expect(refusal(() => parse('$select=id,,name')).message).toContain('$select');
    expect(refusal(() => parse('$select=')).message).toContain('$select');
    expect(refusal(() => parse('$select=machineName')).message).toContain("'machineName'");
  });

  it('reads $top from 1 to 999 and refuses anything else', () => {
    expect(parse('$top=1').pageSize).toBe(1);
    expect(parse('$top=999').pageSize).toBe(999);
    expect(parse('$top=25').pageSize).toBe(25);
    for (const bad of ['0', '1000', '-1', '1.5', 'abc', '', '1e2', '0x10', '99999999999']) {
      const message = refusal(() => parse(`$top=${bad}`)).message;
      expect(message).toContain('$top');
    }
  });

  it('reads $count=true|false and refuses other values', () => {
    expect(parse('$count=true').count).toBe(true);
    expect(parse('$count=false').count).toBe(false);
    expect(parse('$count=TRUE').count).toBe(true);
    expect(refusal(() => parse('$count=yes')).message).toContain('$count');
    expect(refusal(() => parse('$count=1')).message).toContain('$count');
  });

  it('reads $orderby with asc/desc over known properties', () => {
    expect(parse('$orderby=name').orderBy).toEqual([{ property: 'name', descending: false }]);
    expect(parse('$orderby=name desc,region').orderBy).toEqual([
      { property: 'name', descending: true },
      { property: 'region', descending: false },
    ]);
    expect(parse('$orderby=name%20asc,%20isDefault%20DESC').orderBy).toEqual([
      { property: 'name', descending: false },
      { property: 'isDefault', descending: true },
    ]);
    // `+` is a space in a query string (the v3 client sends it raw).
    expect(parse('$orderby=name+desc').orderBy).toEqual([{ property: 'name', descending: true }]);
  });

  it('refuses a bad $orderby, naming what is wrong', () => {
    expect(refusal(() => parse('$orderby=displayName')).message).toContain("'displayName'");
    expect(refusal(() => parse('$orderby=name up')).message).toContain("'name up'");
    expect(refusal(() => parse('$orderby=name desc extra')).message).toContain("'name desc extra'");
    expect(refusal(() => parse('$orderby=name,name desc')).message).toContain("'name'");
    expect(refusal(() => parse('$orderby=')).message).toContain('$orderby');
  });

  it('renders an ORDER BY clause from property names only', () => {
    expect(
      orderByClause([
        { property: 'value', descending: true },
        { property: 'name', descending: false },
      ]),
    ).toBe(' ORDER BY c["value"] DESC, c.name');
    expect(orderByClause([])).toBe('');
    expect(() => propertyRef('a b')).toThrow();
  });

  it('passes $skiptoken through raw and refuses an empty one', () => {
    expect(parse('$skiptoken=abc-_123').skipToken).toBe('abc-_123');
    expect(refusal(() => parse('$skiptoken=')).message).toContain('$skiptoken');
  });

  it.each(['$format=json', '$apply=groupby((name))', '$levels=2', '$compute=x', '$xyz=1', '$id=x', '$deltatoken=x', '$=1'])(
    'refuses the unsupported option %s, naming it',
    (qs) => {
      const name = qs.slice(0, qs.indexOf('='));
      expect(refusal(() => parse(qs)).message).toContain(`'${name}'`);
      expect(refusal(() => parse(qs, 'v1.0')).message).toContain(`'${name}'`);
    },
  );

  it('accepts option names in any case', () => {
    const q = parse("$FILTER=name eq 'a'&$Top=5&$SELECT=id");
    expect(q.pageSize).toBe(5);
    expect(q.select).toEqual(['id']);
    expect(compileCondition(q.filter!, connectorGroup).parameters).toEqual([{ name: '@f0', value: 'a' }]);
    expect(parse('$SKIP=3').skip).toBe(3);
    expect(refusal(() => parse('$FORMAT=json')).message).toContain("'$format'");
  });

  it('refuses an option given twice, in any form', () => {
    expect(refusal(() => parse('$top=1&$top=2')).message).toContain('$top');
    expect(refusal(() => parse('$top=1&top=2')).message).toContain('$top');
    expect(refusal(() => parse('$filter=isDefault&$FILTER=isDefault')).message).toContain('$filter');
    expect(refusal(() => parse('$top=1&$top=1', 'v1.0')).message).toContain('$top');
  });

  it('beta: the $ is optional for every option', () => {
    const q = parse("filter=name eq 'a'&top=5&select=id,name&orderby=name desc&count=true&skiptoken=tok");
    expect(compileCondition(q.filter!, connectorGroup)).toEqual({ sql: 'c.name = @f0', parameters: [{ name: '@f0', value: 'a' }] });
    expect(q).toEqual({
      filter: { kind: 'eq', property: 'name', value: 'a' },
      select: ['id', 'name'],
      orderBy: [{ property: 'name', descending: true }],
      pageSize: 5,
      skip: 0,
      count: true,
      expand: [],
      skipToken: 'tok',
      canonical: q.canonical,
    });
    expect(parse('skip=2').skip).toBe(2);
    expect(parse('search="name:a"').search).toEqual({ kind: 'contains', property: 'name', value: 'a', ignoreCase: true });
    expect(refusal(() => parse('expand=members')).message).toContain("'members'");
    expect(refusal(() => parse('format=json')).message).toContain("'$format'");
  });

  it('beta: other bare parameters are custom options and ignored', () => {
    expect(parse('foo=bar&api-version=2').pageSize).toBe(100);
  });

  it('v1.0: only $-names are options; bare names are custom options and ignored', () => {
    const q = parse('filter=garbage ((&top=abc&select=nope&expand=x&orderby=bad bad bad&count=maybe', 'v1.0');
    expect(q).toEqual({ orderBy: [], pageSize: 100, skip: 0, count: false, expand: [], canonical: parse('', 'v1.0').canonical });
    const real = parse("$filter=name eq 'a'&$top=5&top=abc", 'v1.0');
    expect(real.pageSize).toBe(5);
    expect(compileCondition(real.filter!, connectorGroup).sql).toBe('c.name = @f0');
  });
});

describe('parseCollectionQuery: $skip, $search, $expand', () => {
  const navigation = { members: connector };
  const expandOf = (qs: string, version: 'beta' | 'v1.0' = 'beta') =>
    parseCollectionQuery(new URLSearchParams(qs), connectorGroup, { version, navigation }).expand;
  const searchSql = (search: string, shape: EntityShape = connectorGroup) => {
    const q = parse(`$search=${encodeURIComponent(search)}`, 'beta', shape);
    return compileCondition(q.search!, shape);
  };

  it('reads $skip from 0 to 10000 and refuses anything else, naming $skip', () => {
    expect(parse('$skip=0').skip).toBe(0);
    expect(parse('$skip=10000').skip).toBe(10_000);
    for (const bad of ['-1', '1.5', 'x', '', '10001', '99999999']) expect(refusal(() => parse(`$skip=${bad}`)).message).toContain('$skip');
  });

  it('compiles $search clauses to case-insensitive CONTAINS over the named string property', () => {
    expect(searchSql('"name:West"')).toEqual({ sql: 'CONTAINS(LOWER(c.name), @f0)', parameters: [{ name: '@f0', value: 'west' }] });
    expect(searchSql('"machineName:web" OR "externalIp:10.0"', connector).sql).toBe(
      '(CONTAINS(LOWER(c.machineName), @f0) OR CONTAINS(LOWER(c.externalIp), @f1))',
    );
    // AND binds tighter than OR; adjacent clauses are ANDed.
    expect(searchSql('"name:a" "name:b" OR "name:c"').sql).toBe(
      '(CONTAINS(LOWER(c.name), @f0) AND CONTAINS(LOWER(c.name), @f1) OR CONTAINS(LOWER(c.name), @f2))',
    );
    expect(searchSql('"name:a" and "name:b"').sql).toBe('CONTAINS(LOWER(c.name), @f0) AND CONTAINS(LOWER(c.name), @f1)');
    // Without a property: every string property of the entity.
    expect(searchSql('"db"', connector).sql).toBe(
      '(CONTAINS(LOWER(c.machineName), @f0) OR CONTAINS(LOWER(c.externalIp), @f1) OR CONTAINS(LOWER(c.version), @f2))',
    );
    // A quote inside a clause is escaped with a backslash; a colon after the property stays in the term.
    expect(searchSql('"name:say \\"hi\\" a:b"').parameters).toEqual([{ name: '@f0', value: 'say "hi" a:b' }]);
  });

  it('negates a search condition two-valued: a nullable property that is null does not contain anything', () => {
    const shape: EntityShape = { properties: { note: { type: 'string', nullable: true } } };
    expect(
      compileCondition({ kind: 'not', operand: { kind: 'contains', property: 'note', value: 'X', ignoreCase: true } }, shape).sql,
    ).toBe('(NOT IS_DEFINED(c.note) OR IS_NULL(c.note) OR NOT CONTAINS(LOWER(c.note), @f0))');
    expect(compileCondition({ kind: 'contains', property: 'note', value: 'X', ignoreCase: false }, shape).sql).toBe(
      'IS_DEFINED(c.note) AND NOT IS_NULL(c.note) AND CONTAINS(c.note, @f0)',
    );
  });

  it.each([
    ['name:x', 'quoted'],
    ['"name:x" AND', 'ends'],
    ['OR "name:x"', 'between'],
    ['"name:x', 'unterminated'],
    ['"name:"', 'no term'],
    ['"displayName:x"', "'displayName'"],
    ['"isDefault:true"', "'isDefault'"],
    ['"region:eur"', "'region'"],
    ['""', 'no term'],
    ['', 'empty'],
    ['"name:x" NOT "name:y"', "'NOT'"],
  ])('refuses $search=%s, saying what is wrong', (search, mention) => {
    const message = refusal(() => parse(`$search=${encodeURIComponent(search)}`)).message;
    expect(message).toContain('$search');
    expect(message).toContain(mention);
  });

  it('refuses $search where the entity has nothing to search', () => {
    expect(refusal(() => parse('$search="x"', 'beta', { properties: {} })).message).toContain("'$search'");
  });

  it('reads $expand of a navigation property, with a nested $select checked against its target', () => {
    expect(expandOf('$expand=members')).toEqual([{ property: 'members' }]);
    expect(expandOf('$expand=*')).toEqual([{ property: 'members' }]);
    expect(expandOf('$expand=members($select=id,machineName)')).toEqual([{ property: 'members', select: ['id', 'machineName'] }]);
    expect(expandOf('$expand=members(select=machineName)')).toEqual([{ property: 'members', select: ['machineName'] }]);
    expect(expandOf('$expand=members()')).toEqual([{ property: 'members' }]);
  });

  it.each([
    ['$expand=applications', "'applications'"],
    ['$expand=name', "'name'"],
    ['$expand=members($select=name)', "'name'"],
    ['$expand=members($top=1)', "'$top'"],
    ["$expand=members($filter=status eq 'active')", "'$filter'"],
    ['$expand=members($select=id;$select=id)', '$select'],
    ['$expand=members,members', "'members'"],
    ['$expand=members(', 'parentheses'],
    ['$expand=members,', 'empty'],
    ['$expand=members/memberOf', 'members/memberOf'],
  ])('refuses %s, naming what is wrong', (qs, mention) => {
    expect(refusal(() => expandOf(qs)).message).toContain(mention);
  });

  it('refuses a nested $select under * where the resource has no navigation property, with a 400', () => {
    const none = () =>
      parseCollectionQuery(new URLSearchParams('$expand=*($select=id)'), connectorGroup, { version: 'beta', navigation: {} });
    expect(refusal(none)).toMatchObject({ status: 400 });
    expect(refusal(none).message).toContain("'*'");
  });

  it('v1.0 needs the $ inside $expand too', () => {
    expect(refusal(() => expandOf('$expand=members(select=id)', 'v1.0')).message).toContain("'$select'");
    expect(expandOf('$expand=members($select=id)', 'v1.0')).toEqual([{ property: 'members', select: ['id'] }]);
  });

  it('binds $skip, $search and $expand into the canonical form', () => {
    const canonical = (qs: string) =>
      parseCollectionQuery(new URLSearchParams(qs), connectorGroup, { version: 'beta', navigation }).canonical;
    expect(canonical('$skip=1')).not.toBe(canonical('$skip=2'));
    expect(canonical('$search="name:a"')).not.toBe(canonical('$search="name:b"'));
    expect(canonical('$expand=members')).not.toBe(canonical('$expand=members($select=id)'));
    expect(canonical('$expand=members&$skip=1')).toBe(canonical('skip=1&expand=members'));
  });
});

describe('parseCollectionQuery: $filter compilation', () => {
  it.each([
    ["name eq 'Group A'", 'c.name = @f0', ['Group A']],
    ["name ne 'Group A'", 'c.name != @f0', ['Group A']],
    ["'Group A' eq name", 'c.name = @f0', ['Group A']],
    ["'Group A' ne name", 'c.name != @f0', ['Group A']],
    ["name eq 'O''Brien'", 'c.name = @f0', ["O'Brien"]],
    ["name eq ''", 'c.name = @f0', ['']],
    ["name eq 'ünïcödé ✓'", 'c.name = @f0', ['ünïcödé ✓']],
    ['isDefault eq true', 'c.isDefault = @f0', [true]],
    ['isDefault ne false', 'c.isDefault != @f0', [false]],
    ['isDefault eq TRUE', 'c.isDefault = @f0', [true]],
    ['isDefault', 'c.isDefault = @f0', [true]],
    ['not isDefault', 'c.isDefault != @f0', [true]],
    ["connectorGroupType eq 'applicationProxy'", 'c.connectorGroupType = @f0', ['applicationProxy']],
    ["region eq 'eur'", 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region = @f0', ['eur']],
    ["region ne 'eur'", '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR c.region != @f0)', ['eur']],
    ["not (region ne 'eur')", 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region = @f0', ['eur']],
    ["region eq 'unknownFutureValue'", 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region = @f0', ['unknownFutureValue']],
    ['region eq null', '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region))', []],
    ['region ne null', 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region)', []],
    ['null eq region', '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region))', []],
    ['name eq null', 'IS_NULL(c.name)', []],
    ['name ne null', 'NOT IS_NULL(c.name)', []],
    [`id eq ${G1.toUpperCase()}`, 'c.id = @f0', [G1]],
    [`id eq '${G1}'`, 'c.id = @f0', [G1]],
    [`id in (${G1}, '${G1.toUpperCase()}')`, 'c.id = @f0', [G1]],
    ["startswith(name,'Gr')", 'STARTSWITH(c.name, @f0)', ['Gr']],
    ["startsWith(name, 'Gr')", 'STARTSWITH(c.name, @f0)', ['Gr']],
    ["not startswith(name,'Gr')", 'NOT STARTSWITH(c.name, @f0)', ['Gr']],
    ["name in ('a','b')", 'c.name IN (@f0, @f1)', ['a', 'b']],
    ["not (name in ('a','b'))", 'c.name != @f0 AND c.name != @f1', ['a', 'b']],
    ["region in ('eur','nam')", 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region IN (@f0, @f1)', ['eur', 'nam']],
    [
      "not (region in ('eur','nam'))",
      '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR c.region != @f0 AND c.region != @f1)',
      ['eur', 'nam'],
    ],
    ["region in ( 'eur' )", 'IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region = @f0', ['eur']],
    [
      "region in ('eur', null)",
      '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR IS_DEFINED(c.region) AND NOT IS_NULL(c.region) AND c.region = @f0)',
      ['eur'],
    ],
    ['region in (null)', '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region))', []],
    ["connectorGroupType in ('applicationProxy')", 'c.connectorGroupType = @f0', ['applicationProxy']],
    ["not (name eq 'a')", 'c.name != @f0', ['a']],
    ["not(name eq 'a')", 'c.name != @f0', ['a']],
    ["NOT (name eq 'a' or isDefault)", 'c.name != @f0 AND c.isDefault != @f1', ['a', true]],
    [
      "not (isDefault and region eq 'eur')",
      '(c.isDefault != @f0 OR NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR c.region != @f1)',
      [true, 'eur'],
    ],
    ["not not name eq 'a'", 'c.name = @f0', ['a']],
    ["name eq 'a' and isDefault eq false", 'c.name = @f0 AND c.isDefault = @f1', ['a', false]],
    [
      "name eq 'a' AND isDefault eq false and region eq null",
      'c.name = @f0 AND c.isDefault = @f1 AND (NOT IS_DEFINED(c.region) OR IS_NULL(c.region))',
      ['a', false],
    ],
    ["name eq 'a' or name eq 'b' or name eq 'c'", '(c.name = @f0 OR c.name = @f1 OR c.name = @f2)', ['a', 'b', 'c']],
    ["name eq 'a' or name eq 'b' and isDefault", '(c.name = @f0 OR c.name = @f1 AND c.isDefault = @f2)', ['a', 'b', true]],
    ["(name eq 'a' or name eq 'b') and isDefault", '(c.name = @f0 OR c.name = @f1) AND c.isDefault = @f2', ['a', 'b', true]],
    ["((name) eq ('a'))", 'c.name = @f0', ['a']],
    ["not name eq 'a' and isDefault", 'c.name != @f0 AND c.isDefault = @f1', ['a', true]],
    [
      "region ne 'eur' and name eq 'x'",
      '(NOT IS_DEFINED(c.region) OR IS_NULL(c.region) OR c.region != @f0) AND c.name = @f1',
      ['eur', 'x'],
    ],
  ])('%s', (filter, sql, values) => {
    const compiled = filterOf(filter);
    expect(compiled.sql).toBe(sql);
    expect(compiled.parameters).toEqual(values.map((value, i) => ({ name: `@f${i}`, value })));
  });

  it('compiles connector filters', () => {
    expect(filterOf("status eq 'active' and startswith(machineName,'host-') and externalIp ne '10.0.0.1'", connector)).toEqual({
      sql: 'c.status = @f0 AND STARTSWITH(c.machineName, @f1) AND c.externalIp != @f2',
      parameters: [
        { name: '@f0', value: 'active' },
        { name: '@f1', value: 'host-' },
        { name: '@f2', value: '10.0.0.1' },
      ],
    });
    expect(filterOf("version in ('1.5.1','1.5.2')", connector).sql).toBe('c.version IN (@f0, @f1)');
  });

  it('reads %27 and raw quotes, %20 and + for spaces', () => {
    expect(sqlOf('$filter=name%20eq%20%27a%27')).toEqual({ sql: 'c.name = @f0', parameters: [{ name: '@f0', value: 'a' }] });
    expect(sqlOf("$filter=name eq 'a'")).toEqual({ sql: 'c.name = @f0', parameters: [{ name: '@f0', value: 'a' }] });
    expect(sqlOf("$filter=name+eq+'a'")).toEqual({ sql: 'c.name = @f0', parameters: [{ name: '@f0', value: 'a' }] });
    // The v3 client sends the captured form as-is.
    const captured = sqlOf('$top=2&$filter=connectorGroupType%20eq%20%27applicationProxy%27&$select=id,name');
    expect(captured).toEqual({ sql: 'c.connectorGroupType = @f0', parameters: [{ name: '@f0', value: 'applicationProxy' }] });
  });

  it.each(["name eq 'x'' OR 1=1 --'", "name eq 'x'') OR (c.tenantId != '''"])(
    'keeps an injection attempt in parameters only: %s',
    (filter) => {
      const compiled = filterOf(filter);
      expect(compiled.sql).toBe('c.name = @f0');
      expect(compiled.parameters).toHaveLength(1);
      expect(compiled.parameters[0]!.value).toBe(filter.slice("name eq '".length, -1).replaceAll("''", "'"));
    },
  );

  it('never puts request text into the SQL', () => {
    const compiled = filterOf("startswith(name,'evil)) OR 1=1 --') or region in ('eur', null) or name ne 'c.tenantId'");
    expect(compiled.sql).not.toMatch(/evil|1=1|--|'|tenantId/);
    expect(compiled.sql).toMatch(/^[A-Za-z_@.()!=, 0-9]+$/);
  });

  it('refuses SQL-looking text outside literals', () => {
    expect(refusedFilter("name eq 'a' OR 1 eq 1")).toContain('must compare a property with a literal');
    expect(refusedFilter("name eq 'a'; DROP")).toContain("';'");
    expect(refusedFilter("name eq 'a' -- comment")).toContain("'-'");
    expect(refusedFilter("c.tenantId eq 'x'")).toContain("'c.tenantId'");
    expect(refusedFilter("tenantId eq 'x'")).toContain("'tenantId'");
  });
});

describe('parseCollectionQuery: $filter refusals name what is wrong', () => {
  it.each([
    ["name gt 'a'", "'gt'"],
    ["name ge 'a'", "'ge'"],
    ["name lt 'a'", "'lt'"],
    ["name le 'a'", "'le'"],
    ["region has 'eur'", "'has'"],
    ["name add 'x' eq 'y'", "'add'"],
    ["name eq 'a' mul 2", "'mul'"],
    ['isDefault eq 1 sub 1', "'sub'"],
    ["contains(name,'a')", "'contains'"],
    ["endswith(name,'a')", "'endswith'"],
    ["tolower(name) eq 'a'", "'tolower'"],
    ["members/any(m: m/machineName eq 'x')", "'any'"],
    ["members/all(m: m/machineName eq 'x')", "'all'"],
    ["members/machineName eq 'x'", 'paths'],
    ["displayName eq 'a'", "'displayName'"],
    ["isDefault eq 'x'", "'isDefault'"],
    ['isDefault eq 1', "'isDefault'"],
    ['name eq true', "'name'"],
    ['name eq 5', "'name'"],
    ["region eq 'mars'", "'region'"],
    ["region eq 'EUR'", "'region'"],
    ["region in ('eur','mars')", "'mars'"],
    ["connectorGroupType eq 'other'", "'connectorGroupType'"],
    ["id eq 'abc'", "'id'"],
    ['id eq 12345', "'id'"],
    ["startswith(region,'e')", "'region'"],
    ["startswith(isDefault,'t')", "'isDefault'"],
    ["startswith('a',name)", 'startswith'],
    ['startswith(name)', 'startswith'],
    ["startswith(name,'a','b')", 'startswith'],
    ['startswith(name,true)', "'true'"],
    ["startswith(name,'a') eq true", "'eq'"],
    ['name eq name', "'eq'"],
    ["'a' eq 'a'", "'eq'"],
    ['name', "'name'"],
    ["'a'", "'a'"],
    ['true', "'true'"],
    ['name in ()', "')'"],
    ['(name) in (name)', 'literal'],
    ['name eq', 'ends too early'],
    ["name eq 'a' garbage", "'garbage'"],
    ["(name eq 'a'", "')'"],
    ["name eq 'a')", "')'"],
    ["name eq 'abc", 'unterminated'],
    ['name eq "a"', 'single quotes'],
    ["$it eq 'a'", "'$it'"],
    ['name eq @p', 'alias'],
    ["name eq 'a' and", 'ends too early'],
    ['not', 'ends too early'],
    ["name eq 'a' or or name eq 'b'", "'or'"],
    ["microsoft.graph.connectorGroupRegion'eur' eq region", "'microsoft.graph.connectorGroupRegion'"],
    ['', 'empty'],
    ['   ', 'empty'],
  ])('%s', (filter, named) => {
    const message = refusedFilter(filter);
    expect(message).toContain('$filter');
    expect(message).toContain(named);
  });

  it('refuses excessive nesting, length and value counts', () => {
    expect(refusedFilter(`${'('.repeat(40)}isDefault${')'.repeat(40)}`)).toContain('nested');
    expect(refusedFilter(`${'not '.repeat(40)}isDefault`)).toContain('nested');
    expect(refusedFilter(`name eq '${'x'.repeat(5000)}'`)).toContain('longer');
    const nest = (n: number): string => (n === 0 ? "name eq 'z'" : `name eq 'a${n}' and (isDefault or ${nest(n - 1)})`);
    expect(filterOf(nest(3)).sql).toBe(
      'c.name = @f0 AND (c.isDefault = @f1 OR c.name = @f2 AND (c.isDefault = @f3 OR c.name = @f4 AND (c.isDefault = @f5 OR c.name = @f6)))',
    );
    expect(refusedFilter(nest(4))).toContain('too deeply');
    expect(refusedFilter(`isDefault or (${nest(3)})`)).toContain('too deeply');
    const many = Array.from({ length: 250 }, (_, i) => `'v${i}'`).join(',');
    expect(refusedFilter(`name in (${many})`)).toContain('too many');
  });
});

describe('parseCollectionQuery: canonical', () => {
  const base = parse("$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true").canonical;

  it.each([
    ["$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true", 'beta'],
    ["select=id,name&filter=name eq 'a b' and region in ('eur','nam')&orderby=name desc&top=5&count=true", 'beta'],
    ["$count=true&$top=5&$orderby=name desc&$filter=name eq 'a b' and region in ('eur','nam')&$select=id,name", 'beta'],
    [
      '%24select=id%2Cname&%24filter=name%20eq%20%27a%20b%27%20and%20region%20in%20(%27eur%27%2C%27nam%27)&%24orderby=name%20desc&%24top=5&%24count=true',
      'beta',
    ],
    ["$select=id,name&$filter=name+eq+'a+b'+and+region+in+('eur','nam')&$orderby=name+desc&$top=5&$count=true", 'beta'],
    ["$SELECT=id, name&$Filter=(name  eq  'a b')  AND region IN ('eur', 'nam')&$orderby=name DESC&$top=05&$count=TRUE", 'beta'],
    ["$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true&$skiptoken=anything", 'beta'],
    ["$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true&filter=ignored", 'v1.0'],
  ] as const)('is the same for %s', (qs, version) => {
    expect(parse(qs, version).canonical).toBe(base);
  });

  it.each([
    "$select=id&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$select=name,id&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a B' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','aus')&$orderby=name desc&$top=5&$count=true",
    "$select=id,name&$filter=name ne 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a b' or region in ('eur','nam')&$orderby=name desc&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a b'&$orderby=name desc&$top=5&$count=true",
    '$select=id,name&$orderby=name desc&$top=5&$count=true',
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$top=5&$count=true",
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=6&$count=true",
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$count=true",
    "$select=id,name&$filter=name eq 'a b' and region in ('eur','nam')&$orderby=name desc&$top=5",
  ])('differs for %s', (qs) => {
    expect(parse(qs).canonical).not.toBe(base);
  });

  it('does not confuse a value with SQL or structure', () => {
    expect(parse("$filter=name eq 'a' and name eq 'b'").canonical).not.toBe(parse("$filter=name eq 'a'' and name eq ''b'").canonical);
    expect(parse("$filter=name eq 'true'").canonical).not.toBe(parse('$filter=isDefault eq true').canonical);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Semantics: compiled filters run against documents in the embedded Cosmos server.

const TENANT = 'tenant-1';

interface GroupDoc {
  id: string;
  tenantId: string;
  type: 'connectorGroup';
  name: string;
  region?: string | null;
  isDefault: boolean;
  connectorGroupType: string;
}

const gid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const group = (n: number, name: string, region: string | null | undefined, isDefault = false): GroupDoc => ({
  id: gid(n),
  tenantId: TENANT,
  type: 'connectorGroup',
  name,
  ...(region === undefined ? {} : { region }),
  isDefault,
  connectorGroupType: 'applicationProxy',
});

const DOCS: GroupDoc[] = [
  group(1, 'Alpha', 'eur', true),
  group(2, 'Alpine', 'nam'),
  group(3, 'Beta', null),
  group(4, 'beta', 'asia'),
  group(5, "O'Brien", 'eur'),
  group(6, 'Gamma', null),
  group(7, 'Delta', 'ind'),
  group(8, 'Alpha', 'aus'),
  group(9, 'Epsilon', undefined), // region never written: treated as null
  group(10, 'Zeta', 'unknownFutureValue'),
  { ...group(11, 'Alpha', 'eur', true), tenantId: 'tenant-2' },
];
const ALL = DOCS.filter((d) => d.tenantId === TENANT).map((d) => Number(d.id.slice(-12)));
const except = (...ids: number[]) => ALL.filter((n) => !ids.includes(n));

const SEMANTICS: [string, number[]][] = [
  ["name eq 'Alpha'", [1, 8]],
  ["name ne 'Alpha'", except(1, 8)],
  ["'Alpha' eq name", [1, 8]],
  ["name eq 'O''Brien'", [5]],
  ["name eq 'x'' OR 1=1 --'", []],
  ["name eq 'alpha'", []],
  ["region eq 'eur'", [1, 5]],
  ["region ne 'eur'", except(1, 5)],
  ["not (region eq 'eur')", except(1, 5)],
  ["not (region ne 'eur')", [1, 5]],
  ["not not (region eq 'eur')", [1, 5]],
  ['region eq null', [3, 6, 9]],
  ['region ne null', except(3, 6, 9)],
  ['not (region eq null)', except(3, 6, 9)],
  ["region eq 'unknownFutureValue'", [10]],
  ["region in ('eur','nam')", [1, 2, 5]],
  ["not (region in ('eur','nam'))", except(1, 2, 5)],
  ["region in ('eur', null)", [1, 3, 5, 6, 9]],
  ["not (region in ('eur', null))", except(1, 3, 5, 6, 9)],
  ["name in ('Alpha','Beta','Nope')", [1, 3, 8]],
  ["startswith(name,'Alp')", [1, 2, 8]],
  ["startswith(name,'alp')", []],
  ["not startswith(name,'Alp')", except(1, 2, 8)],
  ["startswith(name,'')", ALL],
  ['isDefault eq true', [1]],
  ['isDefault', [1]],
  ['not isDefault', except(1)],
  ['isDefault ne true', except(1)],
  ["connectorGroupType eq 'applicationProxy'", ALL],
  [`id eq ${gid(7).toUpperCase()}`, [7]],
  [`id in ('${gid(2)}', ${gid(4)})`, [2, 4]],
  ["startswith(name,'Al') and region ne 'eur'", [2, 8]],
  ["region eq 'eur' or isDefault eq false and region eq null", [1, 3, 5, 6, 9]],
  ["(region eq 'eur' or region eq null) and not startswith(name,'A')", [3, 5, 6, 9]],
  ["not (region eq 'eur' or region eq 'nam') and not (region eq null)", [4, 7, 8, 10]],
  ["name ne 'Beta' and region eq null", [6, 9]],
  ["not (isDefault and region eq 'eur')", except(1)],
  ["not (name in ('Alpha','Beta'))", except(1, 3, 8)],
  ["isDefault or (region ne 'eur' and (startswith(name,'A') or region eq null))", [1, 2, 3, 6, 8, 9]],
];

/**
 * The embedded server follows Azure Cosmos DB's rule (docs: "Equality and comparison operators"): `=`/`!=`
 * across types, or with a missing value, are undefined (`null = 'x'` is not false), and NOT undefined is
 * undefined, which drops the row. The compiled filters must hold under it.
 */
describe('compiled filters against Cosmos documents (Azure semantics: undefined across types)', () => {
  let server: EmbeddedCosmos;
  let client: CosmosClient;
  let container: Container;

  beforeAll(async () => {
    server = await startEmbeddedCosmos();
    client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.createIfNotExists({ id: 'querytest' });
    ({ container } = await database.containers.createIfNotExists({ id: 'groups', partitionKey: { paths: ['/tenantId'] } }));
    for (const doc of DOCS) await container.items.create(doc);
  });

  afterAll(async () => {
    client?.dispose();
    await server?.close();
  });

  // Through the store, so the SQL under test is the SQL the service sends.
  async function run(qs: string): Promise<number[]> {
    const q = parse(qs);
    const found = await new Store(container).all<GroupDoc>(
      { tenantId: TENANT },
      {
        type: 'connectorGroup',
        shape: connectorGroup,
        filter: q.filter,
        orderBy: q.orderBy,
      },
    );
    return found.map((d) => Number(d.id.slice(-12)));
  }

  it.each(SEMANTICS)('%s', async (filter, expected) => {
    const got = await run(`$filter=${encodeURIComponent(filter)}`);
    expect(got.sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  });

  it('orders by the compiled ORDER BY', async () => {
    const got = await run("$filter=startswith(name,'Al')&$orderby=name desc");
    expect(got[0]).toBe(2); // Alpine, then the two Alphas
    expect([...got].sort((a, b) => a - b)).toEqual([1, 2, 8]);
  });

  it('shows why ne needs its guard: a bare != drops null regions', async () => {
    const { resources } = await container.items
      .query<GroupDoc>({
        query: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.region != @r',
        parameters: [
          { name: '@tenantId', value: TENANT },
          { name: '@r', value: 'eur' },
        ],
      })
      .fetchAll();
    const ids = resources.map((d) => Number(d.id.slice(-12))).sort((a, b) => a - b);
    // The document without a region and the null ones are all dropped.
    expect(ids).toEqual([2, 4, 7, 8, 10]);
  });
});
