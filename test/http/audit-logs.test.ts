/**
 * Reading the audit log (docs/API.md, "Audit log"): `auditLogs/directoryAudits` and a record by id under both
 * versions, each filter form Graph documents, the order, paging, `$select`, the options each version's
 * metadata allows, who may read, and tenants kept apart. Records are stored in the embedded Cosmos server
 * through the SDK, in the shape the service writes them, so these tests read what a change would leave.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_ADMINISTRATOR,
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
  HYBRID_IDENTITY_ADMINISTRATOR,
  REPORTS_READER,
  SECURITY_ADMINISTRATOR,
  SECURITY_OPERATOR,
  SECURITY_READER,
} from '../../src/identity/index.js';
import { expectError, startTestApp, type Reply, type TestApp } from '../support/app.js';
import { otherTenant, tokenFor } from '../support/tokens.js';

const AUDIT_SCOPE = 'AuditLog.Read.All Directory.Read.All';
const LIST = 'auditLogs/directoryAudits';

let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

interface Seed {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  correlationId: string;
  user?: { id: string; displayName: string; userPrincipalName: string } | null;
  app?: { appId: string; displayName: string } | null;
  targets: { id: string; displayName: string }[];
}

/** A record as the service stores it (Graph's beta directoryAudit, with the partition's fields). */
function auditDoc(tenantId: string, s: Seed) {
  return {
    id: s.id,
    tenantId,
    type: 'directoryAudit',
    ttl: 30 * 86_400,
    category: 'ResourceManagement',
    correlationId: s.correlationId,
    result: 'success',
    resultReason: '',
    activityDisplayName: s.activityDisplayName,
    activityDateTime: s.activityDateTime,
    loggedByService: 'Application Proxy',
    operationType: 'Add',
    initiatedBy: {
      user:
        s.user === null
          ? null
          : {
              ...(s.user ?? { id: randomUUID(), displayName: 'Local Developer', userPrincipalName: 'dev@contoso.com' }),
              ipAddress: '10.0.0.7',
              homeTenantId: tenantId,
              homeTenantName: null,
            },
      app: s.app ? { ...s.app, servicePrincipalId: null, servicePrincipalName: null } : null,
    },
    targetResources: s.targets.map((target) => ({
      ...target,
      type: 'ConnectorGroup',
      userPrincipalName: null,
      groupType: null,
      modifiedProperties: [{ displayName: 'Name', oldValue: null, newValue: JSON.stringify(target.displayName) }],
    })),
    additionalDetails: [{ key: 'User-Agent', value: 'curl/8.5.0' }],
    userAgent: 'curl/8.5.0',
  };
}

async function seed(container: Container, tenantId: string, seeds: Seed[]) {
  for (let i = 0; i < seeds.length; i += 100) {
    const ops = seeds.slice(i, i + 100).map((s) => ({ operationType: 'Create' as const, resourceBody: auditDoc(tenantId, s) }));
    const response = await container.items.batch(ops, tenantId);
    expect(response.code).toBe(200);
  }
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute, 0, 250)).toISOString();
const reader = (tenant: string, options: Parameters<typeof tokenFor>[2] = { directoryRoles: [REPORTS_READER] }) =>
  tokenFor(tenant, AUDIT_SCOPE, options);
const get = async (path: string, tenant: string, token?: string) => t.call('GET', path, { token: token ?? (await reader(tenant)) });
const ids = (r: Reply) => (r.body.value as { id: string }[]).map((x) => x.id);

/** A small log of known values: five records a minute apart, with two users, one app and three targets. */
const F = randomUUID();
const alice = { id: randomUUID(), displayName: 'Alice Admin', userPrincipalName: 'alice@contoso.com' };
const bob = { id: randomUUID(), displayName: 'Bob Builder', userPrincipalName: 'bob@fabrikam.com' };
const exporter = { appId: randomUUID(), displayName: 'SIEM exporter' };
const west = { id: randomUUID(), displayName: 'West Europe' };
const east = { id: randomUUID(), displayName: 'East US' };
const wellington = { id: randomUUID(), displayName: 'Wellington' };
const log: Seed[] = [
  {
    id: randomUUID(),
    activityDateTime: at(1),
    activityDisplayName: 'Add connector Group',
    correlationId: randomUUID(),
    user: alice,
    targets: [west],
  },
  {
    id: randomUUID(),
    activityDateTime: at(2),
    activityDisplayName: 'Update Connector Group',
    correlationId: randomUUID(),
    user: bob,
    targets: [west],
  },
  {
    id: randomUUID(),
    activityDateTime: at(3),
    activityDisplayName: 'Add a Connector to Connector Group',
    correlationId: randomUUID(),
    user: alice,
    targets: [east, wellington],
  },
  {
    id: randomUUID(),
    activityDateTime: at(4),
    activityDisplayName: 'Update application',
    correlationId: randomUUID(),
    user: null,
    app: exporter,
    targets: [east],
  },
  {
    id: randomUUID(),
    activityDateTime: at(5),
    activityDisplayName: 'Delete Connector Group',
    correlationId: randomUUID(),
    user: bob,
    targets: [wellington],
  },
];
/** A group in the log's partition, which the list must not show. */
const GROUP_DOC = {
  id: randomUUID(),
  tenantId: F,
  type: 'connectorGroup',
  name: 'not a record',
  connectorGroupType: 'applicationProxy',
  isDefault: false,
  region: null,
  memberCount: 0,
  applicationCount: 0,
};
/** Newest first, as the list answers. */
const newestFirst = (seeds: Seed[]) => [...seeds].sort((a, b) => b.activityDateTime.localeCompare(a.activityDateTime)).map((s) => s.id);

describe('the list and the record', () => {
  beforeAll(async () => {
    await seed(t.container, F, log);
    // The tenant's other documents share its partition (stored directly: a create through the API would add its own record).
    await t.container.items.create(GROUP_DOC);
  });

  it("lists the tenant's records newest first, in beta's shape with userAgent and the auditUserIdentity", async () => {
    const r = await get(`/beta/${LIST}`, F);
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/$metadata#auditLogs/directoryAudits`);
    expect(ids(r)).toEqual(newestFirst(log));
    const first = r.body.value[0];
    expect(Object.keys(first)).toEqual([
      'id',
      'category',
      'correlationId',
      'result',
      'resultReason',
      'activityDisplayName',
      'activityDateTime',
      'loggedByService',
      'operationType',
      'userAgent',
      'initiatedBy',
      'targetResources',
      'additionalDetails',
    ]);
    expect(first).toMatchObject({
      activityDisplayName: 'Delete Connector Group',
      loggedByService: 'Application Proxy',
      result: 'success',
      userAgent: 'curl/8.5.0',
    });
    expect(first.initiatedBy).toEqual({ app: null, user: { ...bob, ipAddress: '10.0.0.7', homeTenantId: F, homeTenantName: null } });
    expect(first.targetResources[0].modifiedProperties).toEqual([{ displayName: 'Name', oldValue: null, newValue: '"Wellington"' }]);
    expect(JSON.stringify(r.body)).not.toMatch(/tenantId|"ttl"|writeId|_etag|"type":"directoryAudit"/);
  });

  it("lists them under v1.0 in v1.0's shape: no userAgent, a userIdentity without the home tenant", async () => {
    const r = await get(`/v1.0/${LIST}`, F);
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/v1.0/$metadata#auditLogs/directoryAudits`);
    expect(ids(r)).toEqual(newestFirst(log));
    expect(r.body.value[0]).not.toHaveProperty('userAgent');
    expect(r.body.value[0].initiatedBy.user).toEqual({ ...bob, ipAddress: '10.0.0.7' });
    expect(r.body.value[1].initiatedBy).toEqual({ app: { ...exporter, servicePrincipalId: null, servicePrincipalName: null }, user: null });
  });

  it('gets one record by id under both versions, $select applying; any other id is a 404', async () => {
    const record = log[2]!;
    for (const version of ['beta', 'v1.0']) {
      const r = await get(`/${version}/${LIST}/${record.id.toUpperCase()}`, F);
      expect(r.status, r.text).toBe(200);
      expect(r.body['@odata.context']).toBe(`${t.url}/${version}/$metadata#auditLogs/directoryAudits/$entity`);
      expect(r.body).toMatchObject({
        id: record.id,
        activityDisplayName: record.activityDisplayName,
        activityDateTime: record.activityDateTime,
      });
      const selected = await get(`/${version}/${LIST}/${record.id}?$select=activityDisplayName,targetResources`, F);
      expect(selected.body).toEqual({
        '@odata.context': `${t.url}/${version}/$metadata#auditLogs/directoryAudits(activityDisplayName,targetResources)/$entity`,
        activityDisplayName: record.activityDisplayName,
        targetResources: expect.any(Array),
      });
    }
    for (const id of [randomUUID(), 'not-a-guid', GROUP_DOC.id])
      expectError(await get(`/beta/${LIST}/${id}`, F), 404, 'Request_ResourceNotFound');
    expectError(await get(`/beta/${LIST}/${record.id}?$top=1`, F), 400, 'Request_BadRequest', '$top');
  });

  it('selects properties in lists, as Graph suggests; paths and unknown names are 400s', async () => {
    const r = await get(`/beta/${LIST}?$select=activityDateTime,initiatedBy`, F);
    expect(r.body['@odata.context']).toBe(`${t.url}/beta/$metadata#auditLogs/directoryAudits(activityDateTime,initiatedBy)`);
    expect(r.body.value.map((v: object) => Object.keys(v))).toEqual(log.map(() => ['activityDateTime', 'initiatedBy']));
    expectError(await get(`/beta/${LIST}?$select=initiatedBy/user`, F), 400, 'Request_BadRequest', 'initiatedBy/user');
    expectError(await get(`/v1.0/${LIST}?$select=userAgent`, F), 400, 'Request_BadRequest', 'userAgent');
    expect((await get(`/beta/${LIST}?$select=userAgent`, F)).status).toBe(200);
  });
});

describe('$filter: each form Graph documents', () => {
  const [add, update, move, app, remove] = log;
  const cases: [string, Seed[]][] = [
    [`activityDateTime eq ${at(3)}`, [move!]],
    [`activityDateTime ge ${at(4)}`, [app!, remove!]],
    [`activityDateTime le ${at(2)}`, [add!, update!]],
    [`activityDateTime ge 2026-11-01T08:02:00Z and activityDateTime le 2026-11-01T08:03:30Z`, [update!, move!]],
    // Another offset, more digits than milliseconds, and a bare date (midnight UTC).
    [`activityDateTime ge 2026-11-01T09:04:00.2500001+01:00`, [remove!]],
    [`activityDateTime le 2026-11-01T09:04:00.2509999+01:00`, [add!, update!, move!, app!]],
    ['activityDateTime ge 2026-11-01 and activityDateTime le 2026-11-02', log],
    ['activityDateTime le 2026-11-01', []],
    ["activityDisplayName eq 'Update Connector Group'", [update!]],
    ["startswith(activityDisplayName, 'Add')", [add!, move!]],
    [`id eq '${move!.id}'`, [move!]],
    [`correlationId eq '${app!.correlationId}'`, [app!]],
    ["loggedByService eq 'Application Proxy'", log],
    ["loggedByService eq 'Core Directory'", []],
    [`initiatedBy/user/id eq '${alice.id}'`, [add!, move!]],
    ["initiatedBy/user/displayName eq 'Bob Builder'", [update!, remove!]],
    ["initiatedBy/user/userPrincipalName eq 'alice@contoso.com'", [add!, move!]],
    ["startswith(initiatedBy/user/userPrincipalName, 'bob@')", [update!, remove!]],
    [`initiatedBy/app/appId eq '${exporter.appId}'`, [app!]],
    ["initiatedBy/app/displayName eq 'SIEM exporter'", [app!]],
    [`targetResources/any(t: t/id eq '${west.id}')`, [add!, update!]],
    ["targetResources/any(x:x/displayName eq 'Wellington')", [move!, remove!]],
    ["targetResources/any(r: startswith(r/displayName, 'East'))", [move!, app!]],
    [
      `initiatedBy/user/id eq '${alice.id}' and targetResources/any(t: t/displayName eq 'Wellington') and activityDateTime ge ${at(2)}`,
      [move!],
    ],
  ];

  it.each(cases)('%s', async (filter, expected) => {
    for (const version of ['beta', 'v1.0']) {
      const r = await get(`/${version}/${LIST}?$filter=${encodeURIComponent(filter)}`, F);
      expect(r.status, r.text).toBe(200);
      expect(ids(r)).toEqual(newestFirst(expected));
    }
  });

  it.each([
    ["activityDisplayName eq 'x' or activityDisplayName eq 'y'", "'or'"],
    ["not (activityDisplayName eq 'x')", "'not'"],
    ["activityDisplayName ne 'x'", "'ne'"],
    ["category eq 'ResourceManagement'", "'category'"],
    ["result eq 'success'", "'result'"],
    ["startswith(loggedByService, 'App')", "'startswith'"],
    [`startswith(initiatedBy/user/id, 'a')`, "'startswith'"],
    ['activityDateTime gt 2026-11-01T00:00:00Z', "'gt'"],
    ["activityDateTime ge '2026-11-01T00:00:00Z'", "'activityDateTime'"],
    ['activityDateTime ge 2026-02-30', "'activityDateTime'"],
    ["activityDisplayName ge 'a'", "'ge'"],
    ["targetResources/all(t: t/id eq 'x')", "'all'"],
    ["targetResources/any(t: t/type eq 'Group')", "'t/type'"],
    ["targetResources/any(t: id eq 'x')", "'t/id'"],
    ["initiatedBy/user/ipAddress eq '10.0.0.7'", "'initiatedBy/user/ipAddress'"],
    ["userAgent eq 'curl'", "'userAgent'"],
  ])('refuses %s with a 400 naming %s', async (filter, mention) => {
    expectError(await get(`/beta/${LIST}?$filter=${encodeURIComponent(filter)}`, F), 400, 'Request_BadRequest', mention);
  });
});

describe('order and paging', () => {
  const P = randomUUID();
  // 250 records, some sharing a millisecond, written in an order unlike their times.
  const many: Seed[] = Array.from({ length: 250 }, (_, i) => ({
    id: randomUUID(),
    activityDateTime: new Date(Date.UTC(2026, 10, 2, 0, 0, 0) + ((i * 7919) % 250) * 1000 + (i % 3 === 0 ? 0 : 1)).toISOString(),
    activityDisplayName: i % 2 ? 'Update Connector Group' : 'Add connector Group',
    correlationId: randomUUID(),
    targets: [{ id: randomUUID(), displayName: `g${i}` }],
  }));
  beforeAll(async () => seed(t.container, P, many));

  async function pages(first: string, tenant = P): Promise<{ ids: string[]; times: string[]; pages: number }> {
    const out = { ids: [] as string[], times: [] as string[], pages: 0 };
    const token = await reader(tenant);
    for (let next: string | undefined = `${t.url}${first}`; next; out.pages++) {
      const r = await t.call('GET', next.slice(t.url.length), { token });
      expect(r.status, r.text).toBe(200);
      out.ids.push(...ids(r));
      out.times.push(...r.body.value.map((v: { activityDateTime: string }) => v.activityDateTime));
      next = r.body['@odata.nextLink'];
      if (next) expect(next.startsWith(`${t.url}${first.split('?')[0]}?`)).toBe(true);
    }
    return out;
  }

  it('pages every record once, newest first, by $top and nextLink, under both versions', async () => {
    for (const version of ['beta', 'v1.0']) {
      const read = await pages(`/${version}/${LIST}?$top=40`);
      expect(read.pages).toBe(7);
      expect(new Set(read.ids).size).toBe(250);
      expect(read.ids.sort()).toEqual(many.map((s) => s.id).sort());
      expect(read.times).toEqual([...read.times].sort().reverse());
    }
  });

  it('orders oldest first with $orderby=activityDateTime asc, and pages it as well; desc is the default', async () => {
    const asc = await pages(`/beta/${LIST}?$orderby=activityDateTime asc&$top=99`);
    expect(asc.times).toEqual([...asc.times].sort());
    expect(new Set(asc.ids).size).toBe(250);
    const desc = await get(`/beta/${LIST}?$orderby=activityDateTime desc&$top=5`, P);
    const byDefault = await get(`/beta/${LIST}?$top=5`, P);
    expect(ids(desc)).toEqual(ids(byDefault));
    expectError(await get(`/beta/${LIST}?$orderby=activityDisplayName`, P), 400, 'Request_BadRequest', 'activityDisplayName');
    expectError(await get(`/beta/${LIST}?$orderby=activityDateTime,id`, P), 400, 'Request_BadRequest', "'id'");
  });

  it('pages a filtered list completely', async () => {
    const read = await pages(`/beta/${LIST}?$filter=${encodeURIComponent("activityDisplayName eq 'Add connector Group'")}&$top=30`);
    expect(read.ids.sort()).toEqual(
      many
        .filter((s) => s.activityDisplayName === 'Add connector Group')
        .map((s) => s.id)
        .sort(),
    );
  });

  it('refuses a tampered $skiptoken, and one replayed by another tenant or with other options', async () => {
    const first = await get(`/beta/${LIST}?$top=10`, P);
    const link = new URL(first.body['@odata.nextLink']);
    const token = link.searchParams.get('$skiptoken')!;
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expectError(await get(`/beta/${LIST}?$top=10&$skiptoken=${tampered}`, P), 400, 'Request_BadRequest', '$skiptoken');
    expectError(await get(`/beta/${LIST}?$top=10&$skiptoken=${token}`, otherTenant(P)), 400, 'Request_BadRequest', '$skiptoken');
    expectError(await get(`/beta/${LIST}?$top=11&$skiptoken=${token}`, P), 400, 'Request_BadRequest', '$skiptoken');
    const v1 = await get(`/v1.0/${LIST}?$top=10&$skiptoken=${token}`, P);
    expectError(v1, 400, 'Request_BadRequest', '$skiptoken');
    expect((await get(`${link.pathname}${link.search}`, P)).status).toBe(200);
  });

  it('$count and $skip under v1.0, whose metadata allows them; beta refuses both, naming them', async () => {
    const counted = await get(`/v1.0/${LIST}?$count=true&$top=1`, P);
    expect(counted.body['@odata.count']).toBe(250);
    const all = ids(await get(`/v1.0/${LIST}?$top=999`, P));
    expect(ids(await get(`/v1.0/${LIST}?$skip=245`, P))).toEqual(all.slice(245));
    expectError(await get(`/beta/${LIST}?$count=true`, P), 400, 'Request_BadRequest', '$count');
    expectError(await get(`/beta/${LIST}?$skip=5`, P), 400, 'Request_BadRequest', '$skip');
  });

  it('refuses every other option with a 400 naming it', async () => {
    for (const [query, mention] of [
      ['$search="activityDisplayName:Add"', '$search'],
      ['$expand=initiatedBy', 'initiatedBy'],
      ['$format=json', '$format'],
      ['$apply=groupby((category))', '$apply'],
      ['$top=1000', '$top'],
    ]) {
      expectError(await get(`/v1.0/${LIST}?${query}`, P), 400, 'Request_BadRequest', mention);
    }
  });
});

describe('who may read the audit log', () => {
  const W = randomUUID();
  beforeAll(async () => seed(t.container, W, log.slice(0, 2)));
  const list = `/beta/${LIST}`;

  it('each role whose permissions include reading audit logs, with AuditLog.Read.All and Directory.Read.All', async () => {
    for (const role of [
      REPORTS_READER,
      SECURITY_READER,
      SECURITY_OPERATOR,
      SECURITY_ADMINISTRATOR,
      GLOBAL_READER,
      APPLICATION_ADMINISTRATOR,
      CLOUD_APPLICATION_ADMINISTRATOR,
      GLOBAL_ADMINISTRATOR,
    ]) {
      const r = await get(list, W, await reader(W, { directoryRoles: [role] }));
      expect({ role, status: r.status, count: r.body.value?.length }).toEqual({ role, status: 200, count: 2 });
    }
    // Directory.ReadWrite.All holds what Directory.Read.All does.
    expect(
      (await get(list, W, await tokenFor(W, 'AuditLog.Read.All Directory.ReadWrite.All', { directoryRoles: [SECURITY_READER] }))).status,
    ).toBe(200);
  });

  it('nobody else: a member without such a role, other roles, a missing scope', async () => {
    const refused = [
      ['a member without a role', await reader(W, { directoryRoles: [] })],
      ['Global Secure Access Administrator', await reader(W, { directoryRoles: [GLOBAL_SECURE_ACCESS_ADMINISTRATOR] })],
      ['Hybrid Identity Administrator', await reader(W, { directoryRoles: [HYBRID_IDENTITY_ADMINISTRATOR] })],
      ['no wids', await reader(W, { extraClaims: { wids: undefined } })],
      ['without AuditLog.Read.All', await tokenFor(W, 'Directory.ReadWrite.All', { directoryRoles: [GLOBAL_ADMINISTRATOR] })],
      ['without Directory.Read.All', await tokenFor(W, 'AuditLog.Read.All', { directoryRoles: [GLOBAL_ADMINISTRATOR] })],
      ['app: AuditLog.Read.All alone', await tokenFor(W, 'AuditLog.Read.All', { appOnly: true })],
      ['app: Directory.Read.All alone', await tokenFor(W, 'Directory.Read.All', { appOnly: true })],
    ] as const;
    for (const [name, token] of refused) {
      for (const path of [list, `${list}/${log[0]!.id}`]) {
        const r = await get(path, W, token);
        expect({ name, status: r.status, code: r.body?.error?.code }).toEqual({ name, status: 403, code: 'Authorization_RequestDenied' });
      }
    }
  });

  it('an application with both application permissions reads the log, and nothing else', async () => {
    const app = await tokenFor(W, AUDIT_SCOPE, { appOnly: true });
    for (const version of ['beta', 'v1.0']) {
      const r = await get(`/${version}/${LIST}`, W, app);
      expect(r.status, r.text).toBe(200);
      expect(ids(r)).toEqual(newestFirst(log.slice(0, 2)));
      expect((await get(`/${version}/${LIST}/${log[1]!.id}`, W, app)).status).toBe(200);
    }
    const everything = await tokenFor(W, 'AuditLog.Read.All Directory.ReadWrite.All', { appOnly: true });
    for (const token of [app, everything]) {
      for (const [method, path] of [
        ['GET', '/beta/onPremisesPublishingProfiles/applicationProxy/connectors'],
        ['GET', '/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups'],
        ['POST', '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups'],
        ['GET', '/beta/$metadata'],
      ] as const) {
        const r = await t.call(method, path, { token, body: method === 'POST' ? { name: 'app' } : undefined });
        expect({ path, status: r.status }).toEqual({ path, status: 403 });
      }
    }
  });

  it("keeps tenants apart: another tenant's records never appear, by list, filter or id", async () => {
    const other = otherTenant(W);
    const theirs: Seed = { ...log[0]!, id: randomUUID(), correlationId: randomUUID() };
    await seed(t.container, other, [theirs]);
    const mine = await get(list, W);
    expect(ids(mine)).not.toContain(theirs.id);
    expect(ids(await get(`${list}?$filter=${encodeURIComponent(`correlationId eq '${theirs.correlationId}'`)}`, W))).toEqual([]);
    expectError(await get(`${list}/${theirs.id}`, W), 404, 'Request_ResourceNotFound');
    expect(ids(await get(list, other))).toEqual([theirs.id]);
  });

  it('answers as $batch items, each checked as its own request', async () => {
    const token = await reader(W, { directoryRoles: [GLOBAL_READER] });
    const r = await t.call('POST', '/beta/$batch', {
      token,
      body: {
        requests: [
          { id: '1', method: 'GET', url: `/${LIST}?$top=1` },
          { id: '2', method: 'GET', url: `/v1.0/${LIST}/${log[0]!.id}?$select=id` },
          {
            id: '3',
            method: 'POST',
            url: '/onPremisesPublishingProfiles/applicationProxy/connectorGroups',
            body: { name: 'x' },
            headers: { 'content-type': 'application/json' },
          },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId['1'].status).toBe(200);
    expect(byId['1'].body.value.map((v: { id: string }) => v.id)).toEqual([log[1]!.id]);
    expect(byId['2']).toMatchObject({ status: 200, body: { id: log[0]!.id } });
    expect(byId['3'].status).toBe(403);
  });
});

describe('the records of changes made over HTTP, read back', () => {
  it('a group created, renamed and given a connector reads as its three records, newest first, by target and by correlationId', async () => {
    const E = randomUUID();
    const clientRequestId = randomUUID();
    const created = await t.call('POST', '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups', {
      tenant: E,
      body: { name: 'Audited' },
      headers: { 'client-request-id': clientRequestId },
    });
    expect(created.status, created.text).toBe(201);
    const group = created.body as { id: string };
    expect(
      (
        await t.call('PATCH', `/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${group.id}`, {
          tenant: E,
          body: { name: 'Audited too' },
        })
      ).status,
    ).toBe(200);
    const connector = await t.createConnector(E);
    await t.moveConnector(E, connector.id, group.id);

    for (const version of ['beta', 'v1.0']) {
      const byTarget = await get(`/${version}/${LIST}?$filter=${encodeURIComponent(`targetResources/any(t: t/id eq '${group.id}')`)}`, E);
      expect(byTarget.status, byTarget.text).toBe(200);
      expect(byTarget.body.value.map((r: { activityDisplayName: string }) => r.activityDisplayName)).toEqual([
        'Add a Connector to Connector Group',
        'Update Connector Group',
        'Add connector Group',
      ]);
      const times = byTarget.body.value.map((r: { activityDateTime: string }) => r.activityDateTime);
      expect(times).toEqual([...times].sort().reverse());
      const first = await get(`/${version}/${LIST}?$filter=${encodeURIComponent(`correlationId eq '${clientRequestId}'`)}`, E);
      expect(first.body.value).toHaveLength(1);
      expect(first.body.value[0]).toMatchObject({
        activityDisplayName: 'Add connector Group',
        category: 'ResourceManagement',
        loggedByService: 'Application Proxy',
      });
      const one = await get(`/${version}/${LIST}/${first.body.value[0].id}`, E);
      expect(one.body.targetResources[0]).toMatchObject({ id: group.id });
    }
    // The connector's registration is its own record, found by its target too.
    const registered = await get(
      `/beta/${LIST}?$filter=${encodeURIComponent(`targetResources/any(t: t/id eq '${connector.id}') and activityDisplayName eq 'Register connector'`)}`,
      E,
    );
    expect(registered.body.value).toHaveLength(1);
  });

  it('a $batch item that changes something reads back as its own record; a refused one leaves none', async () => {
    const B = randomUUID();
    const r = await t.call('POST', '/beta/$batch', {
      tenant: B,
      body: {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: '/onPremisesPublishingProfiles/applicationProxy/connectorGroups',
            body: { name: 'from a batch' },
            headers: { 'content-type': 'application/json' },
          },
          {
            id: '2',
            method: 'POST',
            url: '/onPremisesPublishingProfiles/applicationProxy/connectorGroups',
            body: { name: '' },
            headers: { 'content-type': 'application/json' },
          },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    const log = await get(`/beta/${LIST}`, B);
    expect(log.body.value.map((x: { activityDisplayName: string }) => x.activityDisplayName)).toEqual(['Add connector Group']);
    expect(log.body.value[0].targetResources[0].modifiedProperties).toContainEqual({
      displayName: 'Name',
      oldValue: null,
      newValue: '"from a batch"',
    });
  });
});
