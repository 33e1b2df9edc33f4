/**
 * Routing as the Functions host does it (docs/ARCHITECTURE.md, "One route table, two hosts" and "Routes and their precedence"): first match in
 * function-name order, literals do not beat parameters, and the start-up checks the host makes. The real
 * table must send `$count` URLs to the count functions, which only holds because of their names, and
 * `assertPrecedence` refuses a table where it would not.
 */
import { randomUUID } from 'node:crypto';
import type { HttpHandler, HttpMethod } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable, assertPrecedence, validateFunctions, type FunctionDef } from '../../src/host/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

const P = 'onPremisesPublishingProfiles/applicationProxy';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const handler: HttpHandler = async () => ({ status: 200 });
const fn = (name: string, route: string, methods: HttpMethod[] = ['GET']): FunctionDef => ({ name, route, methods, handler });

describe('the real route table', () => {
  it('sends connectorGroups/$count and connectors/$count to the count functions, {id} to the get functions', () => {
    const routes = t.app.routes;
    const id = randomUUID();
    const cases: [string, string][] = [
      [`/beta/${P}/connectorGroups/$count`, 'connectorGroups-count-beta'],
      [`/v1.0/${P}/connectorGroups/$count`, 'connectorGroups-count-v1'],
      [`/beta/${P}/connectors/$count`, 'connectors-count-beta'],
      [`/v1.0/${P}/connectors/$count`, 'connectors-count-v1'],
      [`/beta/${P}/connectorGroups/${id}`, 'connectorGroups-get-beta'],
      [`/beta/${P}/connectors/${id}`, 'connectors-get-beta'],
      [`/beta/${P}/connectorGroups/${id}/members/$count`, 'connectorGroups-members-count-beta'],
      [`/beta/${P}/connectorGroups/${id}/members`, 'connectorGroups-members-list-beta'],
      [`/beta/${P}/connectorGroups/${id}/members/$ref`, 'connectorGroups-members-ref-list-beta'],
      [`/beta/${P}/connectorGroups/${id}/applications/$count`, 'connectorGroups-applications-count-beta'],
      [`/beta/${P}/connectorGroups/${id}/applications/${id}`, 'connectorGroups-applications-get-beta'],
      [`/beta/${P}/connectors/${id}/memberOf/$count`, 'connectors-memberOf-count-beta'],
      [`/beta/${P}/connectors/${id}/memberOf/$ref`, 'connectors-memberOf-ref-list-beta'],
      [`/v1.0/applications/${id}/connectorGroup/$ref`, 'applications-connectorGroup-ref-get-v1'],
      ['/beta/nothing/here', 'zzz-fallback'],
    ];
    for (const [path, name] of cases) expect(routes.match('GET', path)?.fn.name, path).toBe(name);
    const deletes: [string, string][] = [
      [`/beta/${P}/connectorGroups/${id}/members/$ref`, 'connectorGroups-members-ref-delete-beta'],
      [`/beta/${P}/connectorGroups/${id}/members/${id}/$ref`, 'connectorGroups-members-item-ref-delete-beta'],
      [`/beta/${P}/connectors/${id}/memberOf/$ref`, 'connectors-memberOf-ref-delete-beta'],
      [`/beta/${P}/connectors/${id}/memberOf/${id}/$ref`, 'connectors-memberOf-item-ref-delete-beta'],
      [`/beta/${P}/connectorGroups/${id}`, 'connectorGroups-delete-beta'],
    ];
    for (const [path, name] of deletes) expect(routes.match('DELETE', path)?.fn.name, path).toBe(name);
    expect(routes.match('GET', `/beta/${P}/connectorGroups/${id}`)?.params).toMatchObject({ profileId: 'applicationProxy', id });
  });

  it('over HTTP: applications/$count is the count, not an application named "$count"', async () => {
    const tenant = randomUUID();
    const g = await t.call('POST', `/beta/${P}/connectorGroups`, { tenant, body: { name: 'Apps' } });
    const r = await t.call('GET', `/beta/${P}/connectorGroups/${g.body.id}/applications/$count`, { tenant });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe('0');
  });

  it('over HTTP: $count answers a text/plain number, {id} the entity', async () => {
    const tenant = randomUUID();
    const created = await t.call('POST', `/beta/${P}/connectorGroups`, { tenant, body: { name: 'Routed' } });
    expect(created.status, created.text).toBe(201);
    for (const [path, expected] of [
      [`/beta/${P}/connectorGroups/$count`, '2'],
      [`/v1.0/${P}/connectorGroups/$count`, '2'],
      [`/beta/${P}/connectors/$count`, '0'],
      [`/beta/${P}/CONNECTORS/$COUNT`, '0'],
    ] as const) {
      const r = await t.call('GET', path, { tenant });
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(r.text).toBe(expected);
    }
    const get = await t.call('GET', `/beta/${P}/connectorGroups/${created.body.id}`, { tenant });
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({ id: created.body.id, name: 'Routed' });
  });

  it('reaches every function with each of its methods: no route is shadowed by one whose name sorts first', () => {
    const routes = t.app.routes;
    const id = randomUUID();
    for (const f of routes.functions) {
      if (f.route.includes('{*')) continue; // the catch-all is last by design
      const path = `/${f.route.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, (m) => (m === '{profileId}' ? 'applicationProxy' : id))}`;
      for (const method of f.methods) expect(routes.match(method, path)?.fn.name, `${method} ${path}`).toBe(f.name);
    }
  });

  it('passes the host start-up checks', () => {
    expect(() => validateFunctions(t.app.routes.functions)).not.toThrow();
    expect(t.app.routes.functions.map((f) => f.name)).toContain('zzz-fallback');
  });
});

describe('RouteTable: the name-order rule', () => {
  it('the function whose name sorts first wins, whether its segment is a literal or a parameter', () => {
    const countFirst = new RouteTable([fn('x-get', 'x/{id}'), fn('x-count', 'x/$count')], '');
    expect(countFirst.match('GET', '/x/$count')?.fn.name).toBe('x-count');
    expect(countFirst.match('GET', '/x/abc')?.fn.name).toBe('x-get');

    // Same templates, the parameter route's name now sorts first: it takes $count too.
    const shadowed = new RouteTable([fn('a-get', 'x/{id}'), fn('b-count', 'x/$count')], '');
    const m = shadowed.match('GET', '/x/$count');
    expect(m?.fn.name).toBe('a-get');
    expect(m?.params).toEqual({ id: '$count' });
  });

  it('orders names ignoring case, and is independent of registration order', () => {
    const defs = [fn('B-count', 'x/$count'), fn('a-get', 'x/{id}')];
    for (const list of [defs, [...defs].reverse()]) {
      expect(new RouteTable(list, '').match('GET', '/x/$count')?.fn.name).toBe('a-get');
    }
    const upper = [fn('A-count', 'x/$count'), fn('b-get', 'x/{id}')];
    expect(new RouteTable(upper, '').match('GET', '/x/$count')?.fn.name).toBe('A-count');
  });

  it('skips functions that do not serve the method, and matches literals case-insensitively', () => {
    const table = new RouteTable([fn('a-delete', 'x/{id}', ['DELETE']), fn('b-count', 'X/$Count')], '');
    expect(table.match('GET', '/x/$COUNT')?.fn.name).toBe('b-count');
    expect(table.match('DELETE', '/x/$count')?.fn.name).toBe('a-delete');
    expect(table.match('PATCH', '/x/$count')).toBeUndefined();
    expect(table.match(undefined, '/x/$count')?.fn.name).toBe('a-delete');
  });

  it('strips the route prefix', () => {
    const table = new RouteTable([fn('get', 'x/{id}')], 'api');
    expect(table.match('GET', '/api/x/1')?.params).toEqual({ id: '1' });
    expect(table.match('GET', '/x/1')).toBeUndefined();
  });
});

describe('assertPrecedence: overlapping routes in the name order they need', () => {
  it('holds for the real table', () => {
    expect(() => assertPrecedence(t.app.routes.functions)).not.toThrow();
  });

  it('accepts the literal route sorting first, refuses it sorting after the parameter route', () => {
    expect(() => assertPrecedence([fn('x-get', 'x/{id}'), fn('x-count', 'x/$count')])).not.toThrow();
    expect(() => assertPrecedence([fn('a-get', 'x/{id}'), fn('b-count', 'x/$count')])).toThrow(
      /'b-count' \(x\/\$count\) is shadowed by 'a-get'/,
    );
  });

  it('ignores routes that share no method, differ in length, or differ in a literal', () => {
    expect(() => assertPrecedence([fn('a-delete', 'x/{id}', ['DELETE']), fn('b-count', 'x/$count')])).not.toThrow();
    expect(() => assertPrecedence([fn('a-get', 'x/{id}'), fn('b-count', 'x/{id}/$count')])).not.toThrow();
    expect(() => assertPrecedence([fn('a-get', 'x/{id}'), fn('b-get', 'y/$count')])).not.toThrow();
  });

  it('refuses routes no name order makes both reachable', () => {
    expect(() => assertPrecedence([fn('a', 'x/{id}/$ref'), fn('b', 'x/$count/{id}')])).toThrow(/shadowed/);
    expect(() => assertPrecedence([fn('a', 'x/{id}'), fn('b', 'x/{other}')])).toThrow(/shadowed/);
  });
});

describe('host start-up checks', () => {
  it('refuses invalid function names', () => {
    for (const name of ['1abc', 'has space', 'a.b', 'a/b', '', 'host', 'HOST', 'x'.repeat(129), 'é']) {
      expect(() => new RouteTable([fn(name, 'x')], ''), JSON.stringify(name)).toThrow(/name/i);
    }
    expect(() => new RouteTable([fn('a_b-C9', 'x')], '')).not.toThrow();
  });

  it('refuses a function name used twice, in any case', () => {
    expect(() => new RouteTable([fn('same', 'x'), fn('SAME', 'y')], '')).toThrow(/twice/);
  });

  it('refuses routes under admin/ (and runtime/), which the host keeps for itself', () => {
    for (const route of ['admin/x', '/admin', 'Admin/functions/{name}', 'runtime/webhooks']) {
      expect(() => new RouteTable([fn('f', route)], ''), route).toThrow(/built in routes/);
    }
    expect(() => new RouteTable([fn('f', 'beta/administrators')], '')).not.toThrow();
  });

  it('refuses identical routes with overlapping methods, accepts them with different methods', () => {
    expect(() => new RouteTable([fn('a', 'x/{id}', ['GET', 'PATCH']), fn('b', 'x/{id}', ['PATCH'])], '')).toThrow(/overlapping methods/);
    expect(() => new RouteTable([fn('a', 'x/{id}'), fn('b', 'X/{ID}/')], '')).toThrow(/overlapping methods/);
    const ok = new RouteTable([fn('a', 'x/{id}', ['GET']), fn('b', 'x/{id}', ['PATCH', 'DELETE'])], '');
    expect(ok.match('PATCH', '/x/1')?.fn.name).toBe('b');
    expect(ok.match('GET', '/x/1')?.fn.name).toBe('a');
  });

  it('refuses templates the host cannot serve', () => {
    for (const route of ['x/{*rest}/y', 'x//y', 'x/{id?}', 'x/a{id}']) {
      expect(() => new RouteTable([fn('f', route)], ''), route).toThrow();
    }
  });
});
