/**
 * The query options the metadata documents besides $select/$filter/$orderby/$top/$count (issue 13):
 * `$expand` (members of groups, memberOf of connectors, with a nested `$select`), `$skip` (with paging
 * after it) and `$search` (Graph's `"property:term"` form), through the local host over Cosmos.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGroupId } from '../../src/directory/documents.js';
import { PROFILE, expectError, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
const GROUPS = `${PROFILE}/connectorGroups`;
const CONNECTORS = `${PROFILE}/connectors`;
const CONTEXT = "$metadata#onPremisesPublishingProfiles('applicationProxy')";

/** One tenant: groups West (2 members), East (1 member), Empty; Default keeps the fourth connector. */
const tenant = randomUUID();
const groups: Record<string, { id: string }> = {};
const connectors: { id: string; machineName: string }[] = [];

const get = (path: string, query = '') => t.call('GET', `${path}${query ? `?${query}` : ''}`, { tenant });
const enc = encodeURIComponent;

beforeAll(async () => {
  t = await startTestApp();
  for (const name of ['West Europe', 'East Asia', 'Empty']) groups[name] = await t.createGroup(tenant, { name });
  for (const [machineName, externalIp] of [
    ['web1.contoso.com', '10.0.0.1'],
    ['web2.contoso.com', '10.0.0.2'],
    ['db1.fabrikam.com', '192.168.1.9'],
    ['idle.fabrikam.com', '10.9.9.9'],
  ])
    connectors.push(await t.createConnector(tenant, { machineName, externalIp }));
  await t.moveConnector(tenant, connectors[0]!.id, groups['West Europe']!.id);
  await t.moveConnector(tenant, connectors[1]!.id, groups['West Europe']!.id);
  await t.moveConnector(tenant, connectors[2]!.id, groups['East Asia']!.id);
});

afterAll(async () => t?.close());

const ids = (items: { id: string }[]) => items.map((x) => x.id).sort();

describe('$expand', () => {
  it('members on the group list: each group carries exactly its members, and the context says so', async () => {
    const r = await get(GROUPS, '$expand=members');
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/${CONTEXT}/connectorGroups(members())`);
    expect(r.body.value).toHaveLength(4);
    for (const g of r.body.value) {
      const members = await get(`${GROUPS}/${g.id}/members`);
      expect(ids(g.members), g.name).toEqual(ids(members.body.value));
      expect(g.members).toEqual(expect.arrayContaining(members.body.value));
    }
    const dflt = r.body.value.find((g: { isDefault: boolean }) => g.isDefault);
    expect(dflt.members.map((c: { machineName: string }) => c.machineName)).toEqual(['idle.fabrikam.com']);
    expect(r.body.value.find((g: { name: string }) => g.name === 'Empty').members).toEqual([]);
  });

  it('with a nested $select, and next to a $select of the group', async () => {
    const r = await get(GROUPS, `$select=name&$expand=members(${enc('$select=id,machineName')})&$filter=${enc("name eq 'West Europe'")}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/${CONTEXT}/connectorGroups(name,members(id,machineName))`);
    expect(r.body.value).toHaveLength(1);
    expect(Object.keys(r.body.value[0])).toEqual(['name', 'members']);
    expect(r.body.value[0].members.map((c: object) => Object.keys(c))).toEqual([
      ['id', 'machineName'],
      ['id', 'machineName'],
    ]);
    expect(ids(r.body.value[0].members)).toEqual(ids(connectors.slice(0, 2)));
  });

  it("members on a single group, and on the application's group", async () => {
    const g = groups['East Asia']!;
    const r = await get(`${GROUPS}/${g.id}`, '$expand=members');
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/${CONTEXT}/connectorGroups(members())/$entity`);
    expect(r.body).toMatchObject({ id: g.id, name: 'East Asia', members: [{ id: connectors[2]!.id, machineName: 'db1.fabrikam.com' }] });
    expect(r.headers.get('etag')).toBe(r.body['@odata.etag']);
    const app = await get(`/beta/applications/${randomUUID()}/connectorGroup`, 'expand=members($select=machineName)');
    expect(app.status, app.text).toBe(200);
    expect(app.body).toMatchObject({ id: defaultGroupId(tenant), members: [{ machineName: 'idle.fabrikam.com' }] });
  });

  it('memberOf on the connector list and on a single connector: the one group', async () => {
    const r = await get(CONNECTORS, `$expand=memberOf(${enc('$select=id,name')})`);
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/${CONTEXT}/connectors(memberOf(id,name))`);
    const groupOf = Object.fromEntries(
      r.body.value.map((c: { machineName: string; memberOf: { name: string }[] }) => [c.machineName, c.memberOf]),
    );
    expect(groupOf).toEqual({
      'web1.contoso.com': [{ id: groups['West Europe']!.id, name: 'West Europe' }],
      'web2.contoso.com': [{ id: groups['West Europe']!.id, name: 'West Europe' }],
      'db1.fabrikam.com': [{ id: groups['East Asia']!.id, name: 'East Asia' }],
      'idle.fabrikam.com': [{ id: defaultGroupId(tenant), name: 'Default' }],
    });
    const one = await get(`${CONNECTORS}/${connectors[0]!.id}`, '$expand=memberOf');
    expect(one.body['@odata.context']).toBe(`${t.url}/beta/${CONTEXT}/connectors(memberOf())/$entity`);
    expect(one.body.memberOf).toEqual([expect.objectContaining({ id: groups['West Europe']!.id, connectorGroupType: 'applicationProxy' })]);
    // Members of a group expand their memberOf too: back to the same group.
    const back = await get(`${GROUPS}/${groups['West Europe']!.id}/members`, '$expand=memberOf($select=name)');
    expect(back.body.value.map((c: { memberOf: unknown }) => c.memberOf)).toEqual([[{ name: 'West Europe' }], [{ name: 'West Europe' }]]);
  });

  it('is paged with the list: a nextLink keeps $expand, and every page is expanded', async () => {
    const first = await get(GROUPS, '$expand=members&$top=2&$orderby=name');
    expect(first.body.value.every((g: { members?: unknown }) => Array.isArray(g.members))).toBe(true);
    const second = await t.call('GET', first.body['@odata.nextLink'].slice(t.url.length), { tenant });
    expect(second.status, second.text).toBe(200);
    expect(second.body.value.every((g: { members?: unknown }) => Array.isArray(g.members))).toBe(true);
  });

  it('refuses what cannot be expanded, naming it', async () => {
    expectError(await get(GROUPS, '$expand=applications'), 400, 'Request_BadRequest', 'applications');
    expectError(await get(CONNECTORS, '$expand=members'), 400, 'Request_BadRequest', 'members');
    expectError(await get(GROUPS, '$expand=members($top=1)'), 400, 'Request_BadRequest', '$top');
    expectError(await get(GROUPS, '$expand=members($select=name)'), 400, 'Request_BadRequest', 'name');
    expectError(await get(`${GROUPS}/${groups.Empty!.id}/applications`, '$expand=owners'), 400, 'Request_BadRequest', 'owners');
  });
});

describe('$expand beyond 100 related entities', () => {
  it('expands the first 100 and links the rest with members@odata.nextLink ($skip=100)', async () => {
    const big = randomUUID();
    // One at a time: every new connector joins Default, and concurrent creates contend on its count.
    const made: { id: string }[] = [];
    for (let i = 0; i < 101; i++) made.push(await t.createConnector(big, { machineName: `n${i}.contoso.com` }));
    const r = await t.call('GET', `${GROUPS}/${defaultGroupId(big)}?$expand=members($select=id)`, { tenant: big });
    expect(r.status, r.text).toBe(200);
    expect(r.body.members).toHaveLength(100);
    const link = new URL(r.body['members@odata.nextLink']);
    expect(link.pathname).toBe(`/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${defaultGroupId(big)}/members`);
    expect(link.searchParams.get('$skip')).toBe('100');
    const rest = await t.call('GET', `${link.pathname}${link.search}`, { tenant: big });
    expect(rest.status, rest.text).toBe(200);
    expect(ids([...r.body.members, ...rest.body.value])).toEqual(ids(made));
  });
});

describe('$skip', () => {
  const allByName = async () => (await get(GROUPS, '$orderby=name')).body.value.map((g: { name: string }) => g.name);

  it('passes over the first items in order, then pages on with $skiptoken from there', async () => {
    const all = await allByName();
    expect(all).toHaveLength(4);
    const r = await get(GROUPS, '$orderby=name&$skip=1&$top=2&$count=true');
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.count']).toBe(4);
    expect(r.body.value.map((g: { name: string }) => g.name)).toEqual(all.slice(1, 3));
    const link = new URL(r.body['@odata.nextLink']);
    expect(link.searchParams.get('$skip')).toBe('1');
    const next = await t.call('GET', `${link.pathname}${link.search}`, { tenant });
    expect(next.status, next.text).toBe(200);
    expect(next.body.value.map((g: { name: string }) => g.name)).toEqual(all.slice(3));
    expect(next.body['@odata.nextLink']).toBeUndefined();
    expect(next.body['@odata.count']).toBeUndefined();
  });

  it('past the end: an empty page without a nextLink; with a filter, on members and on $ref', async () => {
    const past = await get(GROUPS, '$skip=4');
    expect(past.status, past.text).toBe(200);
    expect(past.body).toEqual({ '@odata.context': `${t.url}/beta/${CONTEXT}/connectorGroups`, value: [] });
    expect((await get(GROUPS, '$skip=1000')).body.value).toEqual([]);
    expect((await get(GROUPS, '$skip=0')).body.value).toHaveLength(4);
    const members = await get(`${GROUPS}/${groups['West Europe']!.id}/members`, '$orderby=machineName&$skip=1');
    expect(members.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['web2.contoso.com']);
    const refs = await get(`${GROUPS}/${groups['West Europe']!.id}/members/$ref`, '$orderby=machineName desc&$skip=1');
    expect(refs.body.value).toEqual([{ '@odata.id': `${t.url}${CONNECTORS}/${connectors[0]!.id}` }]);
    const filtered = await get(CONNECTORS, `$filter=${enc("startswith(machineName,'web')")}&$orderby=machineName&$skip=1`);
    expect(filtered.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['web2.contoso.com']);
  });

  it('a $skiptoken made under one $skip is refused under another', async () => {
    const r = await get(GROUPS, '$orderby=name&$skip=1&$top=1');
    const link = new URL(r.body['@odata.nextLink']);
    link.searchParams.set('$skip', '2');
    expectError(await t.call('GET', `${link.pathname}${link.search}`, { tenant }), 400, 'Request_BadRequest', '$skiptoken');
  });
});

describe('$search', () => {
  it('"name:term" matches groups whose name contains the term, in any case', async () => {
    const r = await get(GROUPS, `$search=${enc('"name:EUROPE"')}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.value.map((g: { name: string }) => g.name)).toEqual(['West Europe']);
    const either = await get(GROUPS, `$search=${enc('"name:west" OR "name:east"')}&$orderby=name`);
    expect(either.body.value.map((g: { name: string }) => g.name)).toEqual(['East Asia', 'West Europe']);
    const both = await get(GROUPS, `$search=${enc('"name:st" AND "name:asia"')}`);
    expect(both.body.value.map((g: { name: string }) => g.name)).toEqual(['East Asia']);
    expect((await get(GROUPS, `$search=${enc('"name:nothing like this"')}`)).body.value).toEqual([]);
    // A quote or an apostrophe in the term is text, never query syntax.
    expect((await get(GROUPS, `$search=${enc('"name:\') OR 1=1 --"')}`)).body.value).toEqual([]);
  });

  it('searches connectors by machineName or externalIp; a bare term searches every string property', async () => {
    const byName = await get(CONNECTORS, `$search=${enc('"machineName:FABRIKAM"')}&$orderby=machineName`);
    expect(byName.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['db1.fabrikam.com', 'idle.fabrikam.com']);
    const byIp = await get(CONNECTORS, `$search=${enc('"externalIp:192.168"')}`);
    expect(byIp.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['db1.fabrikam.com']);
    const bare = await get(CONNECTORS, `$search=${enc('"10.0.0"')}&$orderby=machineName`);
    expect(bare.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['web1.contoso.com', 'web2.contoso.com']);
  });

  it('combines with $filter, $count, paging, members and members/$count', async () => {
    const r = await get(CONNECTORS, `$search=${enc('"machineName:contoso"')}&$filter=${enc("externalIp eq '10.0.0.2'")}&$count=true`);
    expect(r.body['@odata.count']).toBe(1);
    expect(r.body.value.map((c: { machineName: string }) => c.machineName)).toEqual(['web2.contoso.com']);
    const first = await get(CONNECTORS, `$search=${enc('"machineName:o"')}&$top=3`);
    const second = await t.call('GET', first.body['@odata.nextLink'].slice(t.url.length), { tenant });
    expect(ids([...first.body.value, ...second.body.value])).toEqual(ids(connectors));
    const west = `${GROUPS}/${groups['West Europe']!.id}/members`;
    expect((await get(west, `$search=${enc('"machineName:WEB2"')}`)).body.value.map((c: { id: string }) => c.id)).toEqual([
      connectors[1]!.id,
    ]);
    expect((await get(`${west}/$count`, `$search=${enc('"machineName:web"')}`)).text).toBe('2');
    expect((await get(`${GROUPS}/$count`, `$search=${enc('"name:e"')}`)).text).toBe('4');
  });

  it('refuses what it cannot search, saying why', async () => {
    expectError(await get(GROUPS, '$search=west'), 400, 'Request_BadRequest', '$search');
    expectError(await get(GROUPS, `$search=${enc('"region:eur"')}`), 400, 'Request_BadRequest', 'region');
    expectError(await get(CONNECTORS, `$search=${enc('"status:active"')}`), 400, 'Request_BadRequest', 'status');
    expectError(await get(GROUPS, `$search=${enc('"displayName:x"')}`), 400, 'Request_BadRequest', 'displayName');
    expectError(await get(`${GROUPS}/${groups.Empty!.id}/applications`, `$search=${enc('"x"')}`), 400, 'Request_BadRequest', '$search');
  });
});
