import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../src/functions/index.js';
import {
  APPLICATION_ADMINISTRATOR,
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
  localTokenClaims,
  USER_ROLE,
} from '../../src/identity/index.js';
import { PROFILE, startTestApp, tenantDocs, type Reply, type TestApp } from '../support/app.js';
import { forbiddenCases, tokenFor, unauthenticatedCases, type AuthCase } from '../support/tokens.js';

/** Identity on real HTTP through the local host: every endpoint, every refusal; and tenants kept apart. */
let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

/** A concrete URL for a route template, with well-formed ids so only identity decides the outcome. */
const concrete = (route: string) =>
  route.replace('{profileId}', 'applicationProxy').replace(/\{(id|connectorId|applicationId)\}/g, () => randomUUID());

const calls = endpoints.flatMap((e) =>
  ['beta', 'v1.0'].flatMap((version) =>
    e.methods.map((method) => ({
      name: `${method} ${version}/${e.route}`,
      method,
      path: `/${version}/${concrete(e.route)}`,
      access: e.access,
    })),
  ),
);

describe('every endpoint refuses what is not a valid delegated token with the right scope', () => {
  const tenant = randomUUID();
  let unauthenticated: AuthCase[];
  let forbiddenRead: AuthCase[];
  let forbiddenWrite: AuthCase[];
  let forbiddenAudit: AuthCase[];
  beforeAll(async () => {
    forbiddenAudit = await forbiddenCases(tenant, 'auditRead');
    unauthenticated = await unauthenticatedCases(tenant);
    forbiddenRead = await forbiddenCases(tenant, 'read');
    forbiddenWrite = await forbiddenCases(tenant, 'write');
  });

  it('covers every endpoint of the route table under both versions', () => {
    expect(calls.length).toBeGreaterThanOrEqual(2 * 25);
  });

  it.each(calls)('$name', async ({ method, path, access }) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    for (const c of unauthenticated) {
      const reply = await t.call(method, path, { body, token: null, headers: c.authorization ? { authorization: c.authorization } : {} });
      expect({ case: c.name, status: reply.status, code: reply.body?.error?.code }).toEqual({
        case: c.name,
        status: 401,
        code: 'InvalidAuthenticationToken',
      });
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    for (const c of access === 'write' ? forbiddenWrite : access === 'auditRead' ? forbiddenAudit : forbiddenRead) {
      const reply = await t.call(method, path, { body, token: null, headers: { authorization: c.authorization! } });
      expect({ case: c.name, status: reply.status, code: reply.body?.error?.code }).toEqual({
        case: c.name,
        status: 403,
        code: 'Authorization_RequestDenied',
      });
    }
  });

  it('accepts Directory.Read.All for reads and refuses it for writes, writing nothing', async () => {
    const read = await t.call('GET', `${PROFILE}/connectorGroups`, { tenant, scope: 'Directory.Read.All' });
    expect(read.status).toBe(200);
    const before = await tenantDocs(t.container, tenant);
    const write = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, scope: 'Directory.Read.All', body: { name: 'x' } });
    expect(write.status).toBe(403);
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
    const other = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, scope: 'Directory.AccessAsUser.All', body: { name: 'y' } });
    expect(other.status).toBe(201);
  });
});

/** One read, one write, the metadata, the OpenAPI document and a batch of both, as the holder of `token`. */
async function everyKind(app: TestApp, tenant: string, token: string) {
  const as = (method: string, path: string, body?: unknown) => app.call(method, path, { token, body });
  const group = await app.createGroup(tenant);
  const batch = await as('POST', '/beta/$batch', {
    requests: [
      { id: 'read', method: 'GET', url: `${PROFILE}/connectorGroups/${group.id}` },
      {
        id: 'write',
        method: 'PATCH',
        url: `${PROFILE}/connectorGroups/${group.id}`,
        body: { name: 'renamed in a batch' },
        headers: { 'content-type': 'application/json' },
      },
    ],
  });
  const item = (id: string) => (batch.body?.responses ?? []).find((r: { id: string }) => r.id === id);
  return {
    read: (await as('GET', `${PROFILE}/connectorGroups/${group.id}`)).status,
    write: (await as('POST', `${PROFILE}/connectorGroups`, { name: `w-${randomUUID().slice(0, 8)}` })).status,
    metadata: (await as('GET', '/beta/$metadata')).status,
    openapi: (await as('GET', '/openapi.json')).status,
    batch: batch.status,
    batchRead: item('read')?.status,
    batchWrite: item('write')?.status,
    batchWriteCode: item('write')?.body?.error?.code,
  };
}

const refusedAll = (reply: Reply) => ({ status: reply.status, code: reply.body?.error?.code, message: reply.body?.error?.message });

describe('directory roles: what each kind of user may do (Directory.ReadWrite.All in every token)', () => {
  const mint = (tenant: string, directoryRoles: string[]) => tokenFor(tenant, 'Directory.ReadWrite.All', { directoryRoles });

  it('Application Administrator and Global Administrator: everything', async () => {
    const tenant = randomUUID();
    for (const role of [APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]) {
      expect(await everyKind(t, tenant, await mint(tenant, [role]))).toEqual({
        read: 200,
        write: 201,
        metadata: 200,
        openapi: 200,
        batch: 200,
        batchRead: 200,
        batchWrite: 200,
        batchWriteCode: undefined,
      });
    }
  });

  it("Global Reader and Global Secure Access Administrator: reads, the metadata and the batch's read items, never a write", async () => {
    for (const role of [GLOBAL_READER, GLOBAL_SECURE_ACCESS_ADMINISTRATOR]) {
      const tenant = randomUUID();
      const before = await tenantDocs(t.container, tenant);
      expect(await everyKind(t, tenant, await mint(tenant, [role]))).toEqual({
        read: 200,
        write: 403,
        metadata: 200,
        openapi: 200,
        batch: 200,
        batchRead: 200,
        batchWrite: 403,
        batchWriteCode: 'Authorization_RequestDenied',
      });
      // everyKind created one group as an administrator, with its audit record; the reader's write and its
      // batch's PATCH left nothing, not even a record.
      const after = await tenantDocs(t.container, tenant);
      expect(
        after
          .filter((d) => !before.some((b) => b.id === d.id))
          .map((d) => d.type)
          .sort(),
      ).toEqual(['connectorGroup', 'directoryAudit']);
      expect(after.some((d) => d.name === 'renamed in a batch')).toBe(false);
    }
  });

  it('a user with no directory role, Cloud Application Administrator, a token without wids: 403 on everything, nothing written', async () => {
    const tenant = randomUUID();
    const tokens = {
      'no role': await mint(tenant, []),
      'Cloud Application Administrator': await mint(tenant, [CLOUD_APPLICATION_ADMINISTRATOR]),
      'no wids': await tokenFor(tenant, 'Directory.ReadWrite.All', { extraClaims: { wids: undefined } }),
    };
    const group = await t.createGroup(tenant);
    const connector = await t.createConnector(tenant);
    const before = await tenantDocs(t.container, tenant);
    for (const [who, token] of Object.entries(tokens)) {
      const calls: [string, string, unknown?][] = [
        ['GET', `${PROFILE}/connectorGroups`],
        ['GET', `${PROFILE}/connectors/${connector.id}`],
        ['GET', '/v1.0/$metadata'],
        ['GET', '/openapi.json'],
        ['POST', `${PROFILE}/connectorGroups`, { name: 'not allowed' }],
        ['PATCH', `${PROFILE}/connectorGroups/${group.id}`, { name: 'not allowed' }],
        ['DELETE', `${PROFILE}/connectorGroups/${group.id}`],
        ['POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, { '@odata.id': `${PROFILE}/connectorGroups/${group.id}` }],
        ['PUT', `/beta/applications/${randomUUID()}/connectorGroup/$ref`, { '@odata.id': `${PROFILE}/connectorGroups/${group.id}` }],
        ['POST', '/beta/$batch', { requests: [{ id: '1', method: 'DELETE', url: `${PROFILE}/connectorGroups/${group.id}` }] }],
      ];
      for (const [method, path, body] of calls) {
        const reply = await t.call(method, path, { token, body });
        expect({ who, method, path, ...refusedAll(reply) }).toMatchObject({
          who,
          method,
          path,
          status: 403,
          code: 'Authorization_RequestDenied',
          message: expect.stringMatching(/^Insufficient privileges to complete the operation\./),
        });
      }
    }
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });
});

describe('directory roles in Entra ID mode, with tokens signed by an Entra-like JWKS', () => {
  const audience = 'api://contoso-appproxy';
  const tenant = randomUUID();
  let entra: TestApp;
  let jwks: Server;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'entra-like', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    sign = (claims) =>
      new SignJWT(localTokenClaims({ tenant, audience, extraClaims: claims }))
        .setProtectedHeader({ alg: 'RS256', kid: 'entra-like', typ: 'JWT' })
        .sign(privateKey);
    entra = await startTestApp({
      env: {
        AUTH_MODE: 'entra',
        ENTRA_AUDIENCE: audience,
        ENTRA_JWKS_URI: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/common/discovery/v2.0/keys`,
        PAGING_KEY: 'p'.repeat(48),
      },
    });
  });
  afterAll(async () => {
    await entra?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it('an Application Administrator creates, a Global Reader reads but cannot write, a user without a role gets nothing', async () => {
    const admin = await sign({ wids: [APPLICATION_ADMINISTRATOR, USER_ROLE] });
    const reader = await sign({ wids: [GLOBAL_READER, USER_ROLE] });
    const member = await sign({ wids: [USER_ROLE] });
    const noWids = await sign({ wids: undefined });
    const created = await entra.call('POST', `${PROFILE}/connectorGroups`, { token: admin, body: { name: 'Entra West' } });
    expect(created.status).toBe(201);
    const path = `${PROFILE}/connectorGroups/${created.body.id}`;
    expect((await entra.call('GET', path, { token: reader })).body.name).toBe('Entra West');
    const before = await tenantDocs(entra.container, tenant);
    expect(refusedAll(await entra.call('PATCH', path, { token: reader, body: { name: 'x' } }))).toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    for (const token of [member, noWids]) {
      expect(refusedAll(await entra.call('GET', path, { token }))).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
      expect(refusedAll(await entra.call('DELETE', path, { token }))).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
    }
    expect(await tenantDocs(entra.container, tenant)).toEqual(before);
  });
});

describe('two tenants side by side', () => {
  const [a, b] = [randomUUID(), randomUUID()];
  const sharedGroupId = randomUUID();
  const sharedConnectorId = randomUUID();
  const seen: string[] = [];
  const asB = async (method: string, path: string, body?: unknown) => {
    const reply = await t.call(method, path, { tenant: b, body });
    seen.push(reply.text, JSON.stringify([...reply.headers]));
    return reply;
  };
  let onlyA: { group: string; connector: string; app: string };

  beforeAll(async () => {
    for (const tenant of [a, b]) {
      // The same names and the same client-chosen ids in both tenants.
      expect(
        (await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { id: sharedGroupId, name: 'Shared', region: 'eur' } })).status,
      ).toBe(201);
      const body = { id: sharedConnectorId, machineName: 'same.contoso.com', externalIp: '192.0.2.10' };
      expect((await t.call('POST', `${PROFILE}/connectors`, { tenant, body })).status).toBe(201);
      for (let i = 0; i < 5; i++) await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: `Shared ${i}` } });
    }
    const group = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant: a, body: { name: 'Only A' } });
    const connector = await t.call('POST', `${PROFILE}/connectors`, {
      tenant: a,
      body: { machineName: 'a.contoso.com', externalIp: '192.0.2.11' },
    });
    const app = randomUUID();
    await t.call('PUT', `/beta/applications/${app}/connectorGroup/$ref`, {
      tenant: a,
      body: { '@odata.id': `${PROFILE}/connectorGroups/${group.body.id}` },
    });
    onlyA = { group: group.body.id, connector: connector.body.id, app };
  });

  it("gets: the same id is each tenant's own object; the other tenant's ids are 404", async () => {
    expect((await asB('GET', `${PROFILE}/connectorGroups/${sharedGroupId}`)).body.name).toBe('Shared');
    for (const path of [
      `${PROFILE}/connectorGroups/${onlyA.group}`,
      `${PROFILE}/connectors/${onlyA.connector}`,
      `${PROFILE}/connectorGroups/${onlyA.group}/members`,
      `${PROFILE}/connectors/${onlyA.connector}/memberOf`,
    ]) {
      const reply = await asB('GET', path);
      expect({ path, status: reply.status }).toEqual({ path, status: 404 });
      expect(reply.body.error.code).toBe('Request_ResourceNotFound');
    }
    // A's application assignment is invisible to B: B sees its own Default group.
    const appGroup = await asB('GET', `/beta/applications/${onlyA.app}/connectorGroup`);
    expect(appGroup.body).toMatchObject({ name: 'Default', isDefault: true });
  });

  it("lists, counts and filters show only the caller's objects", async () => {
    const list = await asB('GET', `${PROFILE}/connectorGroups?$top=999`);
    expect(list.body.value.map((g: { name: string }) => g.name).sort()).toEqual([
      'Default',
      'Shared',
      'Shared 0',
      'Shared 1',
      'Shared 2',
      'Shared 3',
      'Shared 4',
    ]);
    expect((await asB('GET', `${PROFILE}/connectorGroups/$count`)).text).toBe('7');
    expect((await asB('GET', `${PROFILE}/connectors/$count`)).text).toBe('1');
    const filtered = await asB('GET', `${PROFILE}/connectorGroups?$filter=startswith(name,'Only')&$count=true`);
    expect(filtered.body['@odata.count']).toBe(0);
    expect(filtered.body.value).toEqual([]);
  });

  it('a nextLink works only for the tenant it was made for', async () => {
    const first = await t.call('GET', `${PROFILE}/connectorGroups?$top=2`, { tenant: a });
    const next = first.body['@odata.nextLink'] as string;
    expect(next).toMatch(/^http:\/\/.+\$skiptoken=/);
    const stolen = await asB('GET', next.slice(t.url.length));
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('Request_BadRequest');
    expect((await t.call('GET', next.slice(t.url.length), { tenant: a })).status).toBe(200);
  });

  it("writes cannot reach the other tenant's objects", async () => {
    const before = await tenantDocs(t.container, a);
    expect((await asB('PATCH', `${PROFILE}/connectorGroups/${onlyA.group}`, { name: 'hijacked' })).status).toBe(404);
    expect((await asB('DELETE', `${PROFILE}/connectors/${onlyA.connector}`)).status).toBe(404);
    expect(
      (
        await asB('POST', `${PROFILE}/connectors/${sharedConnectorId}/memberOf/$ref`, {
          '@odata.id': `${PROFILE}/connectorGroups/${onlyA.group}`,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await asB('POST', `${PROFILE}/connectorGroups/${sharedGroupId}/members/$ref`, {
          '@odata.id': `${PROFILE}/connectors/${onlyA.connector}`,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await asB('PUT', `/beta/applications/${randomUUID()}/connectorGroup/$ref`, {
          '@odata.id': `${PROFILE}/connectorGroups/${onlyA.group}`,
        })
      ).status,
    ).toBe(404);
    expect((await asB('DELETE', `/beta/applications/${onlyA.app}/connectorGroup/$ref`)).status).toBe(400);
    expect(await tenantDocs(t.container, a)).toEqual(before);
  });

  it("a batch runs every request as the caller's tenant", async () => {
    const reply = await asB('POST', '/beta/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${onlyA.group}` },
        { id: '2', method: 'GET', url: `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${sharedGroupId}` },
        { id: '3', method: 'GET', url: '/onPremisesPublishingProfiles/applicationProxy/connectorGroups/$count' },
      ],
    });
    expect(reply.status).toBe(200);
    const byId = Object.fromEntries(reply.body.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1'].status).toBe(404);
    expect(byId['2'].body.name).toBe('Shared');
    expect(String(byId['3'].body)).toBe('7');
  });

  it('never shows tenant A or its objects in anything B receives', () => {
    const everything = seen.join('\n');
    for (const secret of [a, onlyA.group, onlyA.connector, 'Only A', 'a.contoso.com']) expect(everything).not.toContain(secret);
  });
});
