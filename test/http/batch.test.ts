import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, tenantDocs, type CallOptions, type TestApp } from '../support/app.js';

/** JSON batching (docs/API.md, "Protocol"; docs/CLIENTS.md, "JSON batching") through the local host. */
let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

const P = '/onPremisesPublishingProfiles/applicationProxy';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Item {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function batch(requests: unknown, options: CallOptions & { version?: string } = {}) {
  const reply = await t.call('POST', `/${options.version ?? 'beta'}/$batch`, { ...options, body: { requests } });
  return reply;
}

/** Runs a batch that must succeed as a whole and returns its items by id. */
async function items(requests: unknown[], options: CallOptions & { version?: string } = {}): Promise<Map<string, Item>> {
  const reply = await batch(requests, options);
  expect(reply.status, reply.text).toBe(200);
  const responses = reply.body.responses as Item[];
  expect(responses.map((r) => r.id)).toEqual((requests as { id: string }[]).map((r) => r.id));
  return new Map(responses.map((r) => [r.id, r]));
}

const get = (map: Map<string, Item>, id: string) => {
  const item = map.get(id);
  if (!item) throw new Error(`no response for ${id}`);
  return item;
};

describe('$batch: the responses', () => {
  it("creates groups from the seed pages' bodies in items, and refuses an item that contradicts the system without writing it", async () => {
    const tenant = randomUUID();
    const json = { 'content-type': 'application/json' };
    const seed000 = {
      '@odata.type': '#microsoft.graph.connectorGroup',
      connectorGroupType: 'applicationProxy',
      isDefault: false,
      name: 'Seed Group A',
      region: 'eur',
    };
    const r = await items(
      [
        { id: '1', method: 'POST', url: `/beta${P}/connectorGroups`, headers: json, body: seed000 },
        {
          id: '2',
          method: 'POST',
          url: '/v1.0/connectorGroups',
          headers: json,
          body: { name: 'name-value', connectorGroupType: 'applicationProxy', isDefault: false },
        },
        {
          id: '3',
          method: 'POST',
          url: `/beta${P}/connectorGroups`,
          headers: json,
          body: { ...seed000, name: 'Second default', isDefault: true },
        },
      ],
      { tenant },
    );
    expect(get(r, '1')).toMatchObject({
      status: 201,
      body: { name: 'Seed Group A', isDefault: false, connectorGroupType: 'applicationProxy' },
    });
    expect(get(r, '2')).toMatchObject({ status: 201, body: { name: 'name-value', isDefault: false } });
    expect(get(r, '3')).toMatchObject({ status: 400, body: { error: { code: 'Request_BadRequest' } } });
    expect(get(r, '3').body.error.message).toContain("'isDefault'");
    const names = (await tenantDocs(t.container, tenant))
      .filter((d) => d.type === 'connectorGroup')
      .map((d) => d.name)
      .sort();
    expect(names).toEqual(['Seed Group A', 'name-value']);
  });

  it('runs GET, POST, PATCH and DELETE items through the real functions, with Graph item headers', async () => {
    const tenant = randomUUID();
    const g = (await t.createGroup(tenant, { name: 'Before' })).id;
    const doomed = (await t.createGroup(tenant, { name: 'Doomed' })).id;
    const r = await items(
      [
        { id: '1', method: 'GET', url: `/beta${P}/connectorGroups/${g}` },
        {
          id: '2',
          method: 'POST',
          url: `/beta${P}/connectorGroups`,
          headers: { 'content-type': 'application/json' },
          body: { name: 'Made in a batch', region: 'eur' },
        },
        {
          id: '3',
          method: 'PATCH',
          url: `${P}/connectorGroups/${g}`,
          headers: { 'Content-Type': 'application/json' },
          body: { name: 'After' },
          dependsOn: ['1'],
        },
        { id: '4', method: 'DELETE', url: `${P}/connectorGroups/${doomed}` },
      ],
      { tenant },
    );
    const one = get(r, '1');
    expect(one.status).toBe(200);
    expect(one.headers['Content-Type']).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(Object.keys(one.headers)).not.toContain('content-type');
    expect(one.headers.ETag).toMatch(/^W\/"/);
    expect(one.headers['OData-Version']).toBe('4.0');
    expect(one.headers['request-id']).toMatch(GUID);
    expect(one.body).toMatchObject({ id: g, name: 'Before', connectorGroupType: 'applicationProxy', isDefault: false });
    expect(one.body['@odata.context']).toContain(
      "/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups/$entity",
    );

    const two = get(r, '2');
    expect(two.status).toBe(201);
    expect(two.body).toMatchObject({ name: 'Made in a batch', region: 'eur' });
    expect(two.body.id).toMatch(GUID);
    expect(two.headers.Location).toBe(`${t.url}/beta${P}/connectorGroups/${two.body.id}`);

    expect(get(r, '3')).toMatchObject({ status: 200, body: { id: g, name: 'After' } });

    const four = get(r, '4');
    expect(four.status).toBe(204);
    expect('body' in four).toBe(false);
    expect(four.headers['Content-Type']).toBeUndefined();

    // The effects are real: read back directly.
    expect((await t.call('GET', `/beta${P}/connectorGroups/${g}`, { tenant })).body.name).toBe('After');
    expect((await t.call('GET', `/beta${P}/connectorGroups/${doomed}`, { tenant })).status).toBe(404);
    expect((await t.call('GET', `/beta${P}/connectorGroups/${two.body.id}`, { tenant })).status).toBe(200);
  });

  it("writes an item's JSON body exactly as the function answered it directly, and a $count item as text", async () => {
    const tenant = randomUUID();
    // Text a function must escape: quotes, a backslash, non-ASCII and a character past the BMP.
    const g = (await t.createGroup(tenant, { name: 'Quote " back\\slash é 𝄞' })).id;
    const direct = await t.call('GET', `/beta${P}/connectorGroups/${g}`, { tenant });
    const reply = await batch(
      [
        { id: 'a', method: 'GET', url: `${P}/connectorGroups/${g}` },
        { id: 'b', method: 'GET', url: `${P}/connectorGroups/$count` },
      ],
      { tenant },
    );
    expect(reply.status).toBe(200);
    const [a, b] = reply.body.responses as Item[];
    expect(a!.body).toEqual(direct.body);
    expect(b).toMatchObject({ id: 'b', status: 200, body: '2' });
    // The batch's whole body is one JSON document, serialized as JSON.stringify would.
    expect(reply.text).toBe(JSON.stringify(JSON.parse(reply.text)));
  });

  it('carries the batch headers: JSON content type, request-id, the caller client-request-id (also to items)', async () => {
    const tenant = randomUUID();
    const reply = await batch([{ id: 'a', method: 'GET', url: `${P}/connectorGroups` }], {
      tenant,
      headers: { 'client-request-id': 'my-batch-42' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('request-id')).toMatch(GUID);
    expect(reply.headers.get('client-request-id')).toBe('my-batch-42');
    const [item] = reply.body.responses as Item[];
    expect(item!.headers['client-request-id']).toBe('my-batch-42');
    expect(item!.headers['request-id']).not.toBe(reply.headers.get('request-id'));
    // The Default group exists on first need.
    expect(item!.body.value).toEqual([expect.objectContaining({ name: 'Default', isDefault: true })]);
  });

  it('never echoes a client-request-id it refused: an item refused by the batch gets a GUID, as one that runs does', async () => {
    const tenant = randomUUID();
    const bad = '<script>alert(1)</script>\u0007 x';
    const reply = await batch(
      [
        { id: 'refused-bad', method: 'GET', url: 'https://evil.example/beta/me', headers: { 'client-request-id': bad } },
        { id: 'ran-bad', method: 'GET', url: `${P}/connectorGroups`, headers: { 'client-request-id': bad } },
        { id: 'refused-good', method: 'GET', url: 'https://evil.example/beta/me', headers: { 'client-request-id': ' item-7 ' } },
        { id: 'refused-none', method: 'GET', url: 'https://evil.example/beta/me' },
        { id: 'unknown-bad', method: 'GET', url: '/nothing/here', headers: { 'client-request-id': 'a'.repeat(129) } },
      ],
      { tenant, headers: { 'client-request-id': 'my-batch-43' } },
    );
    expect(reply.status, reply.text).toBe(200);
    expect(reply.text).not.toContain('script');
    expect(reply.text).not.toContain('a'.repeat(129));
    const byId = Object.fromEntries((reply.body.responses as Item[]).map((item) => [item.id, item]));
    const ids = (id: string) => [byId[id]!.headers['client-request-id'], byId[id]!.body.error?.innerError?.['client-request-id']];
    for (const id of ['refused-bad', 'unknown-bad']) {
      expect(byId[id]!.status).toBeGreaterThanOrEqual(400);
      const [header, inner] = ids(id);
      expect(header).toMatch(GUID);
      expect(inner).toBe(header);
    }
    expect(byId['ran-bad']!.status).toBe(200);
    expect(byId['ran-bad']!.headers['client-request-id']).toMatch(GUID);
    expect(ids('refused-good')).toEqual(['item-7', 'item-7']);
    expect(ids('refused-none')).toEqual(['my-batch-43', 'my-batch-43']);
  });

  it('gives an item without a version the batch version, and keeps an explicit one', async () => {
    const tenant = randomUUID();
    const r = await items(
      [
        { id: 'plain', method: 'POST', url: `${P}/connectorGroups`, body: { name: 'v1 group' } },
        { id: 'beta', method: 'POST', url: `/beta${P}/connectorGroups`, body: { name: 'beta group' } },
        { id: 'noslash', method: 'GET', url: `onPremisesPublishingProfiles/applicationProxy` },
      ],
      { tenant, version: 'v1.0' },
    );
    expect(get(r, 'plain').headers.Location).toContain(`/v1.0${P}/connectorGroups/`);
    expect(get(r, 'plain').body['@odata.context']).toContain('/v1.0/$metadata#');
    expect(get(r, 'beta').headers.Location).toContain(`/beta${P}/connectorGroups/`);
    expect(get(r, 'noslash')).toMatchObject({ status: 200, body: { id: 'applicationProxy', isEnabled: true } });
  });

  it('accepts bodies as base64 strings (Kiota) and as JSON text, without item headers', async () => {
    const tenant = randomUUID();
    const base64 = Buffer.from(JSON.stringify({ name: 'From Kiota', region: 'ind' })).toString('base64');
    const r = await items(
      [
        { id: '1', method: 'POST', url: `${P}/connectorGroups`, body: base64 },
        { id: '2', method: 'POST', url: `${P}/connectorGroups`, body: JSON.stringify({ name: 'As text' }) },
        { id: '3', method: 'POST', url: `${P}/connectors`, body: { machineName: 'c1.contoso.com', externalIp: '10.0.0.1' } },
      ],
      { tenant },
    );
    expect(get(r, '1')).toMatchObject({ status: 201, body: { name: 'From Kiota', region: 'ind' } });
    expect(get(r, '2')).toMatchObject({ status: 201, body: { name: 'As text' } });
    expect(get(r, '3')).toMatchObject({ status: 201, body: { machineName: 'c1.contoso.com', externalIp: '10.0.0.1', status: 'active' } });
  });

  it('applies item headers such as Prefer and If-Match', async () => {
    const tenant = randomUUID();
    const g = (await t.createGroup(tenant)).id;
    const r = await items(
      [
        { id: 'min', method: 'PATCH', url: `${P}/connectorGroups/${g}`, headers: { prefer: 'return=minimal' }, body: { name: 'Quiet' } },
        {
          id: 'stale',
          method: 'PATCH',
          url: `${P}/connectorGroups/${g}`,
          headers: { 'if-match': 'W/"not-the-etag"' },
          body: { name: 'Never' },
          dependsOn: ['min'],
        },
      ],
      { tenant },
    );
    const min = get(r, 'min');
    expect(min.status).toBe(204);
    expect('body' in min).toBe(false);
    expect(min.headers['Preference-Applied']).toBe('return=minimal');
    expect(get(r, 'stale')).toMatchObject({ status: 412, body: { error: { code: 'preconditionFailed' } } });
    expect((await t.call('GET', `/beta${P}/connectorGroups/${g}`, { tenant })).body.name).toBe('Quiet');
  });

  it('returns a $count item as text and query options on item URLs', async () => {
    const tenant = randomUUID();
    await t.createGroup(tenant, { name: 'Alpha' });
    await t.createGroup(tenant, { name: 'Beta' });
    const r = await items(
      [
        { id: 'count', method: 'GET', url: `${P}/connectorGroups/$count`, dependsOn: [] },
        { id: 'list', method: 'GET', url: `${P}/connectorGroups?$filter=startswith(name,'Al')&$select=id,name` },
      ],
      { tenant },
    );
    const count = get(r, 'count');
    expect(count.status).toBe(200);
    expect(count.headers['Content-Type']).toMatch(/^text\/plain/);
    expect(count.body).toBe('3'); // Alpha, Beta and the Default group
    const list = get(r, 'list');
    expect(list.status).toBe(200);
    expect(list.body.value).toEqual([{ id: expect.stringMatching(GUID), name: 'Alpha' }]);
  });

  it('answers 20 concurrent creates, each once', async () => {
    const tenant = randomUUID();
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: `c${i}`,
      method: 'POST',
      url: `${P}/connectors`,
      body: { machineName: `host${i}.contoso.com`, externalIp: `10.0.0.${i + 1}` },
    }));
    const r = await items(requests, { tenant });
    const ids = [...r.values()].map((item) => {
      expect(item.status).toBe(201);
      return item.body.id as string;
    });
    expect(new Set(ids).size).toBe(20);
    const members = await t.call('GET', `/beta${P}/connectors/$count`, { tenant });
    expect(members.text).toBe('20');
  });
});

describe('$batch: dependencies', () => {
  it('runs a dependent item after its dependency', async () => {
    const tenant = randomUUID();
    const g = (await t.createGroup(tenant, { name: 'Old' })).id;
    const r = await items(
      [
        { id: 'read', method: 'GET', url: `${P}/connectorGroups/${g}`, dependsOn: ['rename'] },
        { id: 'rename', method: 'PATCH', url: `${P}/connectorGroups/${g}`, body: { name: 'New' } },
        { id: 'delete', method: 'DELETE', url: `${P}/connectorGroups/${g}`, dependsOn: ['READ'] },
      ],
      { tenant },
    );
    expect(get(r, 'rename').status).toBe(200);
    expect(get(r, 'read')).toMatchObject({ status: 200, body: { name: 'New' } });
    expect(get(r, 'delete').status).toBe(204);
  });

  it('answers 424 with a Graph error for an item whose dependency failed, and for its dependents', async () => {
    const tenant = randomUUID();
    const r = await items(
      [
        { id: '1', method: 'GET', url: `${P}/connectorGroups/${randomUUID()}` },
        { id: '2', method: 'POST', url: `${P}/connectorGroups`, body: { name: 'Never made' }, dependsOn: ['1'] },
        { id: '3', method: 'GET', url: `${P}/connectorGroups`, dependsOn: ['2'] },
        { id: '4', method: 'GET', url: `${P}` },
      ],
      { tenant },
    );
    expect(get(r, '1')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    for (const id of ['2', '3']) {
      const item = get(r, id);
      expect(item.status).toBe(424);
      expect(item.headers['Content-Type']).toMatch(/^application\/json/);
      expect(item.body.error).toMatchObject({ code: 'failedDependency', innerError: { 'request-id': expect.stringMatching(GUID) } });
    }
    expect(get(r, '4').status).toBe(200);
    const groups = (await tenantDocs(t.container, tenant)).filter((d) => d.type === 'connectorGroup' && d.name === 'Never made');
    expect(groups).toEqual([]);
  });
});

describe('$batch: identity is checked per item', () => {
  it('gives a read-only token 403 on write items and runs its reads', async () => {
    const tenant = randomUUID();
    const g = (await t.createGroup(tenant, { name: 'G' })).id;
    const r = await items(
      [
        { id: 'read', method: 'GET', url: `${P}/connectorGroups/${g}` },
        { id: 'write', method: 'PATCH', url: `${P}/connectorGroups/${g}`, body: { name: 'Nope' } },
        { id: 'create', method: 'POST', url: `${P}/connectorGroups`, body: { name: 'Nope' } },
      ],
      { tenant, scope: 'Directory.Read.All' },
    );
    expect(get(r, 'read').status).toBe(200);
    expect(get(r, 'write')).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied' } } });
    expect(get(r, 'create').status).toBe(403);
    expect((await t.call('GET', `/beta${P}/connectorGroups/${g}`, { tenant })).body.name).toBe('G');
  });

  it('confines every item to the caller tenant: another tenant object is 404', async () => {
    const owner = randomUUID();
    const g = (await t.createGroup(owner, { name: 'Private' })).id;
    const r = await items(
      [
        { id: 'get', method: 'GET', url: `${P}/connectorGroups/${g}` },
        { id: 'patch', method: 'PATCH', url: `${P}/connectorGroups/${g}`, body: { name: 'Stolen' } },
        { id: 'delete', method: 'DELETE', url: `${P}/connectorGroups/${g}` },
      ],
      { tenant: randomUUID() },
    );
    for (const item of r.values()) expect(item).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect((await t.call('GET', `/beta${P}/connectorGroups/${g}`, { tenant: owner })).body.name).toBe('Private');
  });

  it('refuses the whole batch without a valid token (401) and ignores Authorization in item headers', async () => {
    const reply = await batch([{ id: '1', method: 'GET', url: `${P}/connectorGroups` }], { token: null });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('InvalidAuthenticationToken');
    expect(reply.headers.get('www-authenticate')).toBeTruthy();

    const tenant = randomUUID();
    const r = await items(
      [{ id: '1', method: 'POST', url: `${P}/connectorGroups`, headers: { Authorization: 'Bearer forged' }, body: { name: 'Mine' } }],
      {
        tenant,
      },
    );
    expect(get(r, '1').status).toBe(201);
  });

  it('refuses a token with no Graph directory scope for the whole batch (403)', async () => {
    const reply = await batch([{ id: '1', method: 'GET', url: `${P}/connectorGroups` }], { scope: 'User.Read' });
    expect(reply.status).toBe(403);
  });
});

describe('$batch: item-level refusals', () => {
  it('answers 400 for absolute URLs, other hosts, nested batches and unsupported methods; 404/405 for unknown routes', async () => {
    const tenant = randomUUID();
    const r = await items(
      [
        { id: 'abs', method: 'GET', url: `https://graph.microsoft.com/beta${P}/connectorGroups` },
        { id: 'own', method: 'GET', url: `${t.url}/beta${P}/connectorGroups` },
        { id: 'host', method: 'GET', url: `//evil.example.com/beta${P}/connectorGroups` },
        { id: 'backslash', method: 'GET', url: `/\\evil.example.com/beta${P}/connectorGroups` },
        {
          id: 'nested',
          method: 'POST',
          url: '/beta/$batch',
          body: { requests: [{ id: 'x', method: 'GET', url: `${P}/connectorGroups` }] },
        },
        { id: 'nested2', method: 'POST', url: '$batch', body: { requests: [] } },
        { id: 'head', method: 'HEAD', url: `${P}/connectorGroups` },
        { id: 'unknown', method: 'GET', url: '/beta/users' },
        { id: 'method', method: 'PUT', url: `${P}/connectorGroups` },
      ],
      { tenant },
    );
    for (const id of ['abs', 'own', 'host', 'backslash', 'nested', 'nested2', 'head']) {
      const item = get(r, id);
      expect({ id, status: item.status }).toEqual({ id, status: 400 });
      expect(item.body.error).toMatchObject({ code: 'Request_BadRequest', message: expect.any(String) });
      expect(item.headers['Content-Type']).toMatch(/^application\/json/);
    }
    expect(get(r, 'unknown')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(get(r, 'method')).toMatchObject({ status: 405, body: { error: { code: 'Request_BadRequest' } } });
  });

  it('answers 400 for an item body the function refuses, and 400 for an invalid item header', async () => {
    const tenant = randomUUID();
    const r = await items(
      [
        { id: 'bad', method: 'POST', url: `${P}/connectorGroups`, body: { name: 'x', isDefault: 'Boolean' } },
        { id: 'notjson', method: 'POST', url: `${P}/connectorGroups`, body: 'plainly not json' },
        { id: 'type', method: 'POST', url: `${P}/connectorGroups`, headers: { 'content-type': 'text/plain' }, body: { name: 'x' } },
        { id: 'header', method: 'GET', url: `${P}/connectorGroups`, headers: { 'x-bad': 'line\nbreak' } },
      ],
      { tenant },
    );
    expect(get(r, 'bad')).toMatchObject({
      status: 400,
      body: { error: { code: 'Request_BadRequest', message: expect.stringContaining('isDefault') } },
    });
    expect(get(r, 'notjson')).toMatchObject({ status: 400, body: { error: { code: 'Request_BadRequest' } } });
    expect(get(r, 'type')).toMatchObject({ status: 415, body: { error: { code: 'unsupportedMediaType' } } });
    expect(get(r, 'header')).toMatchObject({ status: 400, body: { error: { code: 'Request_BadRequest' } } });
  });
});

describe('$batch: a malformed batch is a 400 for all of it', () => {
  const ok = (id: string, extra: Record<string, unknown> = {}) => ({ id, method: 'GET', url: `${P}/connectorGroups`, ...extra });
  const cases: [string, unknown][] = [
    ['requests is not an array', { a: 1 }],
    ['no requests', []],
    ['21 requests', Array.from({ length: 21 }, (_, i) => ok(String(i)))],
    ['duplicate ids', [ok('1'), ok('1')]],
    ['ids equal but for case', [ok('a'), ok('A')]],
    ['an empty id', [ok('')]],
    ['a numeric id', [{ ...ok('1'), id: 1 }]],
    ['no method', [{ id: '1', url: `${P}/connectorGroups` }]],
    ['no url', [{ id: '1', method: 'GET' }]],
    ['an item that is not an object', ['GET /me']],
    ['headers that are not an object', [ok('1', { headers: 'x' })]],
    ['dependsOn not an array', [ok('1'), ok('2', { dependsOn: '1' })]],
    ['dependsOn an unknown id', [ok('1'), ok('2', { dependsOn: ['3'] })]],
    ['a request depending on itself', [ok('1', { dependsOn: ['1'] })]],
    ['a dependency cycle', [ok('1', { dependsOn: ['3'] }), ok('2', { dependsOn: ['1'] }), ok('3', { dependsOn: ['2'] })]],
  ];
  for (const [name, requests] of cases) {
    it(name, async () => {
      const tenant = randomUUID();
      const reply = await t.call('POST', '/beta/$batch', { tenant, body: { requests } });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'Request_BadRequest', innerError: { 'request-id': expect.stringMatching(GUID) } });
      expect(await tenantDocs(t.container, tenant)).toEqual([]);
    });
  }

  it('a body that is not a JSON object (400), not JSON (415), or missing (400)', async () => {
    expect((await t.call('POST', '/beta/$batch', { body: [ok('1')] })).status).toBe(400);
    expect((await t.call('POST', '/beta/$batch', { raw: '{"requests": [', headers: { 'content-type': 'application/json' } })).status).toBe(
      400,
    );
    expect(
      (await t.call('POST', '/beta/$batch', { raw: JSON.stringify({ requests: [ok('1')] }), headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
    expect((await t.call('POST', '/v1.0/$batch', {})).status).toBe(400);
  });

  it('accepts exactly 20 requests, and only POST on $batch', async () => {
    const reply = await batch(Array.from({ length: 20 }, (_, i) => ok(`r${i}`)));
    expect(reply.status).toBe(200);
    expect(reply.body.responses).toHaveLength(20);
    expect((await t.call('GET', '/beta/$batch')).status).toBe(405);
  });
});
